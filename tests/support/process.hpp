// Runs the lua-harness binary as a child process for end-to-end tests: captured stdout/stderr, exit code,
// a hard timeout (the child is killed and the test fails rather than hangs), and an optional action run while
// the child is alive (e.g. SCRIPT FLUSH or SIGINT once a polled condition holds).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/util/process.hpp"

namespace lh::test {

// The lua-harness binary under test (the build's LH_BINARY). Only the tests that run it need it built first: the
// cli tests (tests/CMakeLists.txt).
std::string harness_binary();

struct ProcResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
  bool timed_out = false;
};

// `during(pid)` runs on the calling thread while the child runs (it may signal it); the result is collected
// after it returns.
ProcResult run_harness(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(60),
                       const std::function<void(pid_t)>& during = nullptr);

// Polls `cond` every 10 ms until it holds or `limit` passes. Returns whether it held.
bool poll_until(const std::function<bool()>& cond, std::chrono::milliseconds limit);

// A fresh temporary directory (removed by the caller with remove_tree) and file helpers.
std::string temp_dir();
void remove_tree(const std::string& dir);
std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

// Points $TMPDIR (where embedded launches create their lh-redis-* directories) at a fresh private directory for
// the test's life, and restores it after.
class PrivateTmpdir {
 public:
  PrivateTmpdir();
  ~PrivateTmpdir();
  PrivateTmpdir(const PrivateTmpdir&) = delete;
  PrivateTmpdir& operator=(const PrivateTmpdir&) = delete;
  const std::string& path() const { return dir_; }
  std::string operator/(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  std::optional<std::string> old_;
};

}  // namespace lh::test
