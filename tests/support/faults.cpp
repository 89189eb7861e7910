#include "support/faults.hpp"
#include "support/servers.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/app/redis_server.hpp"
#include "support/json_schema.hpp"
#include "support/process.hpp"

namespace lh::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string reply_text(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR)
             ? std::string(r->str, r->len)
             : std::string();
}

// INFO's text for `section` ("" = the default sections), or "" when the server does not answer.
std::string info_text(int port, const std::string& section, const std::string& password) {
  std::vector<std::string> argv = {"INFO"};
  if (!section.empty()) argv.push_back(section);
  auto r = lh::test::raw_command(port, argv, password, 2000ms);
  return r && r->type != REDIS_REPLY_ERROR ? reply_text(r.get()) : std::string();
}

}  // namespace

OwnedServer::OwnedServer(std::vector<std::string> extra) : extra_(std::move(extra)), dir_(temp_dir()) {
  for (int attempt = 1;; ++attempt) {
    port_ = lh::app::free_loopback_port();
    try {
      start();
      return;
    } catch (const std::exception&) {
      // Another process may have taken the port between our probe and the server's bind: try another one.
      if (attempt >= 5 || log().find("Address already in use") == std::string::npos) {
        kill_now();
        remove_tree(dir_);
        throw;
      }
    }
  }
}

OwnedServer::~OwnedServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);  // a stopped process would not even die of SIGKILL before it is continued
    kill_now();
  }
  remove_tree(dir_);
}

std::string OwnedServer::log() const { return read_text(dir_ + "/redis.log"); }

std::string OwnedServer::url(const std::string& userinfo, const std::string& path) const {
  return "redis://" + (userinfo.empty() ? "" : userinfo + "@") + "127.0.0.1:" + std::to_string(port_) + path;
}

void OwnedServer::start() {
  if (pid_ > 0 && alive()) throw std::runtime_error("OwnedServer::start: already running");
  const std::size_t log_from = log().size();
  const std::string binary = lh::app::locate_redis_server("").path;
  if (binary.empty()) throw std::runtime_error("redis-server not found in PATH");
  LaunchSpec spec;
  spec.argv = {binary, "--bind", "127.0.0.1", "--port", std::to_string(port_)};
  spec.argv.insert(spec.argv.end(),
                   {"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"});
  spec.argv.insert(spec.argv.end(), {"--dir", dir_, "--logfile", dir_ + "/redis.log"});
  spec.argv.insert(spec.argv.end(), extra_.begin(), extra_.end());
  spec.stdout_path = spec.stderr_path = dir_ + "/stdout.log";
  spec.append = true;  // every start adds to it
  spec.own_process_group = true;
  pid_ = launch(spec);
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    if (!alive()) throw std::runtime_error("redis-server exited during startup: " + log().substr(log_from));
    if (auto r = lh::test::raw_command(port_, {"PING"}, "", 250ms)) {
      const std::string text = reply_text(r.get());
      const bool answered = r->type == REDIS_REPLY_STATUS || text.starts_with("NOAUTH");
      if (answered && log().substr(log_from).find("Ready to accept connections") != std::string::npos) return;
    }
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("redis-server did not become ready on port " + std::to_string(port_));
}

void OwnedServer::signal(int sig) {
  if (pid_ > 0 && alive()) ::kill(pid_, sig);
}

void OwnedServer::terminate() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + 10s;
  while (alive() && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  if (pid_ > 0) kill_now();
}

void OwnedServer::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap_blocking();
}

void OwnedServer::reap_blocking() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

bool OwnedServer::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

bool OwnedServer::stopped() const {
  if (pid_ <= 0) return false;
  // /proc/PID/stat: "pid (comm) S ...": the state follows the last ')'.
  const std::string stat = read_text("/proc/" + std::to_string(pid_) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'T';
}

HarnessProcess::HarnessProcess(const std::vector<std::string>& args) : dir_(temp_dir()) {
  LaunchSpec spec;
  spec.argv = {harness_binary()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_path = dir_ + "/stdout";
  spec.stderr_path = dir_ + "/stderr";
  spec.default_signals = false;  // the test's own dispositions reach the binary, as with run_harness
  pid_ = launch(spec);
}

HarnessProcess::~HarnessProcess() {
  if (!ended_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }
  remove_tree(dir_);
}

bool HarnessProcess::wait_for(std::chrono::milliseconds limit) {
  if (!ended_) {
    if (auto status = wait_exit(pid_, limit, 1ms)) {
      status_ = *status;
      ended_ = true;
    }
  }
  return ended_;
}

bool HarnessProcess::killed_by_signal() const { return ended_ && WIFSIGNALED(status_); }
int HarnessProcess::signal() const { return killed_by_signal() ? WTERMSIG(status_) : 0; }
int HarnessProcess::exit_code() const { return ended_ && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
std::string HarnessProcess::out() const { return read_text(dir_ + "/stdout"); }
std::string HarnessProcess::err() const { return read_text(dir_ + "/stderr"); }

ContinueOnExit::~ContinueOnExit() { s_.signal(SIGCONT); }

std::vector<std::string> scan_keys(int port, const std::string& pattern, const std::string& password) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto r =
        lh::test::raw_command(port, {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}, password, 5000ms);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
      throw std::runtime_error("SCAN failed on port " + std::to_string(port) +
                               (r ? ": " + reply_text(r.get()) : ""));
    cursor = reply_text(r->element[0]);
    for (size_t i = 0; i < r->element[1]->elements; ++i)
      keys.push_back(reply_text(r->element[1]->element[i]));
  } while (cursor != "0");
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());  // SCAN may return a key twice
  return keys;
}

std::map<std::string, std::string> dump_keys(int port, const std::string& pattern,
                                             const std::string& password) {
  std::map<std::string, std::string> out;
  for (const auto& k : scan_keys(port, pattern, password)) {
    auto r = lh::test::raw_command(port, {"DUMP", k}, password, 5000ms);
    if (!r) throw std::runtime_error("DUMP " + k + ": no reply");
    out[k] = r->type == REDIS_REPLY_NIL ? std::string("(gone)") : reply_text(r.get());
  }
  return out;
}

int64_t info_field(int port, const std::string& field, const std::string& password) {
  const std::string info = info_text(port, "all", password);
  const auto at = info.find("\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 2));
}

int64_t command_calls(int port, const std::string& command, const std::string& password) {
  const std::string stats = info_text(port, "commandstats", password);
  if (stats.empty()) return -1;
  const std::string needle = "cmdstat_" + command + ":calls=";
  const auto at = stats.find(needle);
  return at == std::string::npos ? 0 : std::stoll(stats.substr(at + needle.size()));
}

bool catches_signal(pid_t pid, int sig) {
  const std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("\nSigCgt:");
  if (at == std::string::npos) return false;
  const unsigned long long mask = std::stoull(status.substr(at + 8), nullptr, 16);
  return (mask >> (sig - 1)) & 1ULL;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l.find_first_not_of(" \t\r") != std::string::npos) out.push_back(l);
  return out;
}

TempDir::TempDir() : path(temp_dir()) {}
TempDir::~TempDir() { remove_tree(path); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

nlohmann::json read_report(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "no report was written at " << path;
    return nlohmann::json::object();
  }
  const std::string text = read_text(path);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "the report is not JSON:\n" << text;
    return nlohmann::json::object();
  }
  EXPECT_TRUE(MatchesReportSchema(j));
  return j;
}

}  // namespace lh::test
