#include "harness/util/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

extern char** environ;

namespace lh {

namespace {

// Descriptors the child gets as 0, 1 and 2, opened by the parent (close-on-exec, so no other child started
// meanwhile inherits them) and closed by it once the child has its copies.
class ChildStdio {
 public:
  explicit ChildStdio(const LaunchSpec& spec) {
    try {
      in_ = open_above_stdio("/dev/null", O_RDONLY);
      out_ = open_output(spec.stdout_path, spec.append);
      err_ = spec.stderr_path == spec.stdout_path ? out_ : open_output(spec.stderr_path, spec.append);
    } catch (...) {
      close_all();
      throw;
    }
  }
  ~ChildStdio() { close_all(); }
  ChildStdio(const ChildStdio&) = delete;
  ChildStdio& operator=(const ChildStdio&) = delete;

  // In the child: async-signal-safe. dup2 clears close-on-exec on the copies; the originals are all above 2
  // (see open_above_stdio), so no dup2 overwrites a descriptor still to be copied.
  void install() const {
    ::dup2(in_, 0);
    ::dup2(out_, 1);
    ::dup2(err_, 2);
  }

 private:
  // O_APPEND: the program's own writes to the same file (redis-server's --logfile is its stdout's file too)
  // never overwrite each other.
  static int open_output(const std::string& path, bool append) {
    if (path.empty()) return open_above_stdio("/dev/null", O_WRONLY);
    return open_above_stdio(path, O_WRONLY | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC));
  }

  // A parent whose own 0, 1 or 2 is closed gets such a number from open(): moved above 2.
  static int open_above_stdio(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd >= 0 && fd < 3) {
      const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      const int err = errno;
      ::close(fd);
      errno = err;
      fd = moved;
    }
    if (fd < 0) throw LaunchError("cannot open " + path + ": " + std::strerror(errno));
    return fd;
  }

  void close_all() {
    if (err_ >= 0 && err_ != out_) ::close(err_);
    if (out_ >= 0) ::close(out_);
    if (in_ >= 0) ::close(in_);
    in_ = out_ = err_ = -1;
  }

  int in_ = -1, out_ = -1, err_ = -1;
};

// The fallback of close_range (Linux before 5.9): every possible descriptor above 2, one by one.
void close_from_3(long max_fd) {
  if (::close_range(3, ~0U, 0) == 0) return;
  for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

pid_t launch(const LaunchSpec& spec) {
  if (spec.argv.empty()) throw LaunchError("launch: no program given");
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv = pointers(args);
  std::vector<std::string> env_store;
  std::vector<char*> envp;
  if (!spec.env.empty()) {
    env_store = spec.env;
    // An inherited entry of a name given is dropped, not merely put after: programs differ in which of two
    // entries of one name they take (getenv the first, a shell the last).
    auto given = [&](std::string_view entry) {
      const std::string_view name = entry.substr(0, entry.find('=') + 1);
      for (const auto& e : spec.env)
        if (std::string_view(e).substr(0, e.find('=') + 1) == name) return true;
      return false;
    };
    for (char** e = environ; *e; ++e)
      if (!given(*e)) env_store.emplace_back(*e);
    envp = pointers(env_store);
  }
  const long max_fd = std::min(::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024L, 1L << 20);
  ChildStdio stdio(spec);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) throw LaunchError(std::string("fork(): ") + std::strerror(errno));
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    if (spec.own_process_group) ::setpgid(0, 0);
    if (spec.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the parent died before prctl
    }
    if (spec.default_signals) {
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);  // a parent that blocks SIGTERM must not pass that on
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::sigaction(sig, &dfl, nullptr);
    }
    stdio.install();
    close_from_3(max_fd);  // no socket or file of the parent leaks into the program
    if (envp.empty()) ::execv(argv[0], argv.data());
    else ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  // Also from this side, so that a signal to the group cannot race the child's own setpgid (EACCES once the child
  // has exec'd: it has done it itself by then).
  if (spec.own_process_group) ::setpgid(pid, pid);
  return pid;
}

std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return 0;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(poll);
  }
}

ChildEnd wait_or_kill(pid_t pid, std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
  if (auto status = wait_exit(pid, timeout, poll)) return {*status, false};
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {status, true};
}

int exit_code_of(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    // An empty PATH entry means the current directory.
    std::string candidate(colon == 0 ? std::string_view(".") : rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    candidate += "/";
    candidate += name;
    if (is_executable_file(candidate)) return candidate;
  }
  return "";
}

}  // namespace lh
