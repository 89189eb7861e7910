// Child programs: the project's one fork/exec (the embedded redis-servers, `redis-cli --cluster create`, and the
// tests' lua-harness and redis-server children), the waits for their end, and the PATH lookup of a program.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lh {

struct LaunchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LaunchSpec {
  // argv[0] is the program's path, executed as given: never looked up in PATH (find_in_path does that).
  std::vector<std::string> argv;
  // NAME=value entries added to the inherited environment, replacing inherited ones of the same name. A password
  // goes here, never on a command line that `ps` shows.
  std::vector<std::string> env;
  // Where stdout and stderr go: a file, created when missing (0644) and truncated unless `append`; "" =
  // /dev/null. The same path for both shares one descriptor. stdin is always /dev/null.
  std::string stdout_path, stderr_path;
  bool append = false;
  // The child leads its own process group (set on both sides of the fork, so that a signal to the group cannot
  // race the child's own setpgid): a signal to -pid also reaches the program's own children, and the terminal's
  // Ctrl-C reaches only the parent, which can then stop the child in order.
  bool own_process_group = false;
  // PR_SET_PDEATHSIG SIGKILL: the child dies with the *thread* that started it (so start children that must
  // outlive a worker from the main thread). A parent that died before that was set is noticed: the child exits.
  bool die_with_parent = true;
  // An empty signal mask and SIGINT, SIGTERM, SIGHUP and SIGPIPE back to their default action: a parent that
  // blocks or ignores them (the harness ignores SIGPIPE) does not pass that on. Off: both inherited as they are
  // (a test playing nohup needs its ignored SIGHUP to reach the child).
  bool default_signals = true;
};

// Starts the program and returns its pid. Everything is prepared before the fork: between fork and exec the
// child makes async-signal-safe calls only (the parent may be multi-threaded). Every descriptor but 0, 1 and 2
// is closed in the child, so no socket or file of the parent leaks into it. An exec that fails ends the child
// with exit status 127 (as a shell reports "command not found"). Throws LaunchError naming what failed
// ("cannot open PATH: reason", "fork(): reason").
pid_t launch(const LaunchSpec& spec);

// Waits up to `timeout` for child `pid` to end, polling every `poll`; its wait status, or nullopt while it still
// runs. A child already reaped elsewhere (ECHILD) counts as ended with status 0.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout,
                             std::chrono::milliseconds poll = std::chrono::milliseconds(5));

// As wait_exit; a child still running at the timeout is killed (SIGKILL) and reaped. `timed_out` says which.
struct ChildEnd {
  int status = 0;  // the wait status
  bool timed_out = false;
};
ChildEnd wait_or_kill(pid_t pid, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(5));

// The exit code of a wait status, or 128 + the signal that ended the process (as a shell reports it).
int exit_code_of(int wait_status);

// An executable regular file.
bool is_executable_file(const std::string& path);

// The first executable regular file `name` in $PATH, as a shell would find it (an empty entry is the current
// directory; without PATH: /usr/local/bin:/usr/bin:/bin), or "".
std::string find_in_path(const std::string& name);

}  // namespace lh
