#include "support/process.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lh::test {

std::string harness_binary() { return LH_BINARY; }

std::string temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "lh-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

bool poll_until(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

ProcResult run_harness(const std::vector<std::string>& args, std::chrono::seconds timeout,
                       const std::function<void(pid_t)>& during) {
  const std::string dir = temp_dir();
  LaunchSpec spec;
  spec.argv = {harness_binary()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_path = dir + "/stdout";
  spec.stderr_path = dir + "/stderr";
  spec.default_signals = false;  // what the test set up (an ignored SIGHUP: nohup) reaches the binary
  const pid_t pid = launch(spec);
  if (during) during(pid);
  const ChildEnd end = wait_or_kill(pid, timeout);
  ProcResult r;
  r.timed_out = end.timed_out;
  r.exit_code = exit_code_of(end.status);
  r.out = read_text(spec.stdout_path);
  r.err = read_text(spec.stderr_path);
  remove_tree(dir);
  return r;
}

PrivateTmpdir::PrivateTmpdir() : dir_(temp_dir()) {
  if (const char* old = std::getenv("TMPDIR")) old_ = old;
  ::setenv("TMPDIR", dir_.c_str(), 1);
}

PrivateTmpdir::~PrivateTmpdir() {
  if (old_) ::setenv("TMPDIR", old_->c_str(), 1);
  else ::unsetenv("TMPDIR");
  remove_tree(dir_);
}

}  // namespace lh::test
