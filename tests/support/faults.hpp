// Fault injection for the end-to-end trust tests: a redis-server whose whole lifetime the test controls (the
// same port and directory across a SIGKILL, a SIGSTOP, a SHUTDOWN and a fresh start), and read-only probes of
// a server's state (every key's DUMP, INFO fields, a process's run state) to compare before and after a run.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lh::test {

// A redis-server on a fixed free loopback port in its own temporary directory. Unlike app::RedisServer
// (which picks a new port on every start), it can be stopped and started again on the same port and
// directory, so an AOF written before a restart is loaded after it. The destructor always ends it (SIGCONT
// first, in case a test left it stopped, then SIGKILL) and removes the directory. Start it from the main
// thread: the server dies with the thread that started it (PR_SET_PDEATHSIG).
class OwnedServer {
 public:
  // `extra` is appended to: --bind 127.0.0.1 --port P --save '' --appendonly no --dir D --logfile
  // D/redis.log.
  explicit OwnedServer(std::vector<std::string> extra = {});
  ~OwnedServer();
  OwnedServer(const OwnedServer&) = delete;
  OwnedServer& operator=(const OwnedServer&) = delete;

  int port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  const std::string& dir() const noexcept { return dir_; }
  std::string log() const;  // the whole redis.log (every start appends to it)
  // "redis://[userinfo@]127.0.0.1:P[path]"
  std::string url(const std::string& userinfo = "", const std::string& path = "") const;

  // (Re)starts on the same port and directory; returns once the server answers PING and this start's log
  // says "Ready to accept connections". Throws std::runtime_error when it does not within 10 s.
  void start();
  void signal(int sig);  // no-op when not running
  // SIGTERM (Redis shuts down cleanly: the AOF is flushed) and wait for the exit, up to 10 s, then SIGKILL.
  void terminate();
  void kill_now();       // SIGKILL and reap
  bool alive();          // false once the process has exited (reaps it)
  bool stopped() const;  // the process is in state T (SIGSTOP)

 private:
  void reap_blocking();

  std::vector<std::string> extra_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The lua-harness binary as a child whose end the test observes exactly (run_harness reports a death by
// SIGINT and an exit with 130 alike): stdout/stderr captured in files; killed and reaped by the destructor.
class HarnessProcess {
 public:
  explicit HarnessProcess(const std::vector<std::string>& args);
  ~HarnessProcess();
  HarnessProcess(const HarnessProcess&) = delete;
  HarnessProcess& operator=(const HarnessProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // Waits up to `limit` for the process to end; true when it did (then the accessors below apply).
  bool wait_for(std::chrono::milliseconds limit);
  bool killed_by_signal() const;  // ended by a signal's default action
  int signal() const;             // that signal, or 0
  int exit_code() const;          // the exit status, or -1 when killed by a signal
  std::string out() const;
  std::string err() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  bool ended_ = false;
  int status_ = 0;
};

// Restores SIGCONT to a server on scope exit, whatever an assertion did in between.
class ContinueOnExit {
 public:
  explicit ContinueOnExit(OwnedServer& s) : s_(s) {}
  ~ContinueOnExit();
  ContinueOnExit(const ContinueOnExit&) = delete;
  ContinueOnExit& operator=(const ContinueOnExit&) = delete;

 private:
  OwnedServer& s_;
};

// Every key matching `pattern` (SCAN MATCH), with its DUMP payload, so a test can compare a database key by
// key before and after a run. Throws std::runtime_error when the server does not answer.
std::map<std::string, std::string> dump_keys(int port, const std::string& pattern = "*",
                                             const std::string& password = "");

// The keys matching `pattern` (SCAN MATCH), sorted.
std::vector<std::string> scan_keys(int port, const std::string& pattern, const std::string& password = "");

// A numeric field of INFO (e.g. "total_commands_processed"), or -1 when absent or the server does not answer.
int64_t info_field(int port, const std::string& field, const std::string& password = "");

// "calls=N" of one command in INFO commandstats (lower case, e.g. "evalsha"); 0 when it never ran, -1 when
// the server does not answer.
int64_t command_calls(int port, const std::string& command, const std::string& password = "");

// Whether process `pid` has a handler installed for `sig` (SigCgt of /proc/PID/status). A handler installed
// with SA_RESETHAND is gone once the first signal was taken: the moment a second one would kill.
bool catches_signal(pid_t pid, int sig);

// Non-empty lines of `text`.
std::vector<std::string> lines_of(const std::string& text);

// Milliseconds between two steady-clock points.
inline int64_t ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// A fresh temporary directory, removed with everything in it when the test ends.
struct TempDir {
  std::string path;
  TempDir();
  ~TempDir();
  std::string file(const std::string& name) const { return path + "/" + name; }
};

bool contains(const std::string& text, const std::string& part);

// The report a run wrote to `path`, checked against docs/report-schema.json (a test failure when it does not
// match); an empty object, and a failure, when it is missing or not JSON.
nlohmann::json read_report(const std::string& path);

}  // namespace lh::test
