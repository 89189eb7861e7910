// A private redis-server for the embedded default target and for the tests: free loopback port, own temp dir
// ($TMPDIR or /tmp, named lh-redis-XXXXXX, holding owner.pid), dies with the harness (PR_SET_PDEATHSIG),
// removed on destruction. A process-wide registry lets the CLI stop every embedded server after a signal or
// an error; the directories a killed harness could not remove are removed by the next launch.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/net/reply.hpp"

namespace lh::app {

struct EmbeddedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The redis-server binary a launch with ServerOptions::redis_server = `wanted` runs, never falling back to another
// one: empty = `redis-server` from PATH; a bare name is looked up in PATH, as a shell would; a path must be an
// executable regular file. The project's one lookup of it (the runner, the CLI's validation, LocalCluster, the
// tests).
struct RedisServerBinary {
  std::string path;  // "" when none is usable, and then
  // Why, to follow "--redis-server WANTED: " ("not found in PATH", "not executable", ...).
  std::string problem;
};
RedisServerBinary locate_redis_server(const std::string& wanted);

// A loopback port the kernel considers free right now. A server may still lose the race for it: retry then.
// Throws EmbeddedError.
int free_loopback_port();

// Removes the lh-redis-* directories under `base` that no live process owns: owner.pid names a dead process
// (or a live one started at another time: a reused pid), or, for a directory from before owner.pid existed,
// it holds only a redis.log and other plain files, none changed for an hour, and no process works in it. Only
// real directories (never a symlink, nothing followed inside) owned by this uid. Every RedisServer launch
// runs it on its temp base; returns how many were removed. Never throws.
int remove_stale_temp_dirs(const std::string& base);

// The directory under which launches create their lh-redis-* directories: $TMPDIR, else /tmp.
std::string temp_base();

struct ServerOptions {
  std::string redis_server;             // path; empty = `redis-server` from PATH
  std::vector<std::string> extra_args;  // appended to the command line, e.g. {"--requirepass", "s3cret"}
  bool cluster = false;                 // cluster-enabled node (own nodes.conf, explicit cluster bus port)
};

class RedisServer {
 public:
  // Starts the server and returns once it answers PING (NOAUTH counts); throws EmbeddedError otherwise.
  // Note: the server gets SIGKILL when the *thread* that started it exits (PR_SET_PDEATHSIG semantics), so start
  // servers from a thread that outlives them (the main thread).
  explicit RedisServer(ServerOptions options = {});
  ~RedisServer();
  RedisServer(RedisServer&&) noexcept;
  RedisServer& operator=(RedisServer&&) noexcept;
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const noexcept;
  int cluster_bus_port() const noexcept;  // 0 unless cluster
  const std::string& host() const noexcept;
  std::string address() const;  // "127.0.0.1:P"
  pid_t pid() const noexcept;
  const std::string& dir() const noexcept;
  const std::string& password() const noexcept;  // the --requirepass value from extra_args, or ""
  std::string log_tail(int lines = 1) const;     // last non-empty lines of redis.log, joined by " | "

  void kill(int sig);  // signal the server (e.g. SIGKILL a master in a failover test); no-op once reaped
  bool alive();        // false once the process has exited (reaps it)
  // SIGTERM, wait up to 5 s, SIGKILL, remove the temp dir. Idempotent; the destructor calls it.
  void stop();

  struct Process;  // shared with the registry; stable across moves

 private:
  std::unique_ptr<Process> p_;
};

// Stops every RedisServer still alive in this process (terminating them all first, then waiting). For the CLI
// on SIGINT/SIGTERM/errors, from a normal thread (it locks a mutex: not from a signal handler). The objects stay
// valid; their destructors then only unregister.
void stop_all_embedded();

// Blocking one-shot command for setup and polling (not the hot path): one connection to 127.0.0.1:port through
// the transport's admin client (the one handshake: AUTH when a password is given, PING), then argv. A
// connection that fails comes back as a transport failure (is_transport_failure()); a handshake the server
// refuses (NOAUTH, WRONGPASS) as an error whose message holds Redis's.
net::Reply sync_command(int port, const std::vector<std::string>& argv, const std::string& password = "",
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
// What a reply says, as text (a bulk or status string, an integer, an error's message); "(no reply)" for nil
// or an array.
std::string reply_text(const net::Reply& r);

}  // namespace lh::app
