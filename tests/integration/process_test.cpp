// The one launcher (harness/util/process): what a child gets (its argv exactly, the environment with the
// entries given first, /dev/null as stdin, its output files, no other descriptor), what the careful options do
// (own process group, death with the starting thread, default signals), and how it ends. Real /bin/sh children,
// no server.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "harness/util/process.hpp"
#include "support/process.hpp"

using namespace std::chrono_literals;

namespace {

// `script` run by /bin/sh -c, its stdout and stderr in files of a fresh directory; the exit code and both texts.
struct Shell {
  struct Dir {
    std::string path = lh::test::temp_dir();
    ~Dir() { lh::test::remove_tree(path); }
  } dir;
  std::string out() const { return lh::test::read_text(dir.path + "/out"); }
  std::string err() const { return lh::test::read_text(dir.path + "/err"); }

  lh::LaunchSpec spec(const std::string& script, std::vector<std::string> extra_args = {}) const {
    lh::LaunchSpec s;
    s.argv = {"/bin/sh", "-c", script, "sh"};
    s.argv.insert(s.argv.end(), extra_args.begin(), extra_args.end());
    s.stdout_path = dir.path + "/out";
    s.stderr_path = dir.path + "/err";
    return s;
  }
  int run(const lh::LaunchSpec& s) const {
    const lh::ChildEnd end = lh::wait_or_kill(lh::launch(s), 10s);
    EXPECT_FALSE(end.timed_out);
    return lh::exit_code_of(end.status);
  }
};

// Sets a signal's disposition in this process for the test's life.
class Disposition {
 public:
  Disposition(int sig, void (*handler)(int)) : sig_(sig) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, &old_);
  }
  ~Disposition() { ::sigaction(sig_, &old_, nullptr); }
  Disposition(const Disposition&) = delete;
  Disposition& operator=(const Disposition&) = delete;

 private:
  int sig_;
  struct sigaction old_ {};
};

}  // namespace

TEST(Launcher, PassesArgvExactlyAndSeparatesTheOutputs) {
  Shell sh;
  EXPECT_EQ(sh.run(sh.spec(R"(printf '[%s]' "$@"; echo oops >&2; exit 3)", {"a b", "", "$HOME"})), 3);
  EXPECT_EQ(sh.out(), "[a b][][$HOME]");
  EXPECT_EQ(sh.err(), "oops\n");
}

TEST(Launcher, OneFileForBothOutputsKeepsEveryWriteAndTruncatesUnlessAppending) {
  Shell sh;
  lh::LaunchSpec s = sh.spec("echo one; echo two >&2; echo three");
  s.stderr_path = s.stdout_path;
  lh::test::write_text(s.stdout_path, "old text that is longer than what follows\n");
  EXPECT_EQ(sh.run(s), 0);
  EXPECT_EQ(sh.out(), "one\ntwo\nthree\n");
  s.append = true;
  EXPECT_EQ(sh.run(s), 0);
  EXPECT_EQ(sh.out(), "one\ntwo\nthree\none\ntwo\nthree\n");
}

TEST(Launcher, GivenEnvironmentEntriesWinOverInheritedOnes) {
  Shell sh;
  ::setenv("LH_LAUNCH_TEST", "inherited", 1);
  ::setenv("LH_LAUNCH_OTHER", "kept", 1);
  lh::LaunchSpec s = sh.spec(R"(echo "$LH_LAUNCH_TEST $LH_LAUNCH_OTHER")");
  s.env = {"LH_LAUNCH_TEST=given"};
  EXPECT_EQ(sh.run(s), 0);
  EXPECT_EQ(sh.out(), "given kept\n");
  EXPECT_EQ(sh.run(sh.spec(R"(echo "$LH_LAUNCH_TEST")")), 0);  // without entries: the environment as it is
  EXPECT_EQ(sh.out(), "inherited\n");
  ::unsetenv("LH_LAUNCH_TEST");
  ::unsetenv("LH_LAUNCH_OTHER");
}

TEST(Launcher, StdinIsDevNullAndNoOtherDescriptorLeaks) {
  Shell sh;
  const int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: exec alone would pass it on
  ASSERT_GE(leaky, 3);
  const std::string fd = std::to_string(leaky);
  EXPECT_EQ(sh.run(sh.spec("cat; test -e /proc/$$/fd/" + fd + " && echo leaked; echo done")), 0);
  EXPECT_EQ(sh.out(), "done\n");
  ::close(leaky);
}

TEST(Launcher, AProgramThatCannotBeExecutedEndsWith127AndAnUnopenableOutputThrows) {
  Shell sh;
  lh::LaunchSpec s = sh.spec("");
  s.argv = {"/nonexistent/program"};
  EXPECT_EQ(sh.run(s), 127);
  s.stdout_path = sh.dir.path + "/no/such/dir/out";
  try {
    lh::launch(s);
    FAIL() << "expected LaunchError";
  } catch (const lh::LaunchError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open " + s.stdout_path + ": No such file or directory");
  }
}

TEST(Launcher, OwnProcessGroupIsSetBeforeLaunchReturns) {
  Shell sh;
  lh::LaunchSpec s = sh.spec("exec sleep 30");
  s.own_process_group = true;
  const pid_t pid = lh::launch(s);
  EXPECT_EQ(::getpgid(pid), pid);  // at once: set from the parent's side too
  ::kill(-pid, SIGKILL);           // the whole group
  const lh::ChildEnd end = lh::wait_or_kill(pid, 5s);
  EXPECT_FALSE(end.timed_out);
  EXPECT_EQ(lh::exit_code_of(end.status), 128 + SIGKILL);

  lh::LaunchSpec same = sh.spec("exit 0");
  const pid_t child = lh::launch(same);
  EXPECT_EQ(::getpgid(child), ::getpgid(0));  // without it: the parent's group
  lh::wait_or_kill(child, 5s);
}

TEST(Launcher, TheChildDiesWithTheThreadThatStartedIt) {
  Shell sh;
  pid_t pid = -1;
  std::thread([&] {
    pid = lh::launch(sh.spec("echo started; exec sleep 30"));
    // Past its prctl for sure before this thread ends (PR_SET_PDEATHSIG fires at the thread's end).
    lh::test::poll_until([&] { return sh.out() == "started\n"; }, 5000ms);
  }).join();
  ASSERT_GT(pid, 0);
  const lh::ChildEnd end = lh::wait_or_kill(pid, 5s);
  EXPECT_FALSE(end.timed_out) << "the child outlived the thread that started it";
  EXPECT_TRUE(WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGKILL);
}

TEST(Launcher, SignalsAreResetUnlessInheritanceIsAskedFor) {
  Shell sh;
  Disposition ignored(SIGHUP, SIG_IGN);  // what nohup does
  const std::string script = "kill -HUP $$; echo survived";
  EXPECT_EQ(sh.run(sh.spec(script)), 128 + SIGHUP);  // default_signals: SIGHUP kills again
  lh::LaunchSpec inherit = sh.spec(script);
  inherit.default_signals = false;
  EXPECT_EQ(sh.run(inherit), 0);
  EXPECT_EQ(sh.out(), "survived\n");
}

TEST(Launcher, WaitOrKillEndsAChildThatOutlivesItsTimeout) {
  Shell sh;
  const pid_t pid = lh::launch(sh.spec("exec sleep 30"));
  EXPECT_EQ(lh::wait_exit(pid, 50ms), std::nullopt);  // still running
  const auto t0 = std::chrono::steady_clock::now();
  const lh::ChildEnd end = lh::wait_or_kill(pid, 100ms);
  EXPECT_TRUE(end.timed_out);
  EXPECT_EQ(lh::exit_code_of(end.status), 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(Launcher, FindsProgramsInPath) {
  EXPECT_TRUE(lh::is_executable_file(lh::find_in_path("sh")));
  EXPECT_EQ(lh::find_in_path("no-such-program-lh-test"), "");
  EXPECT_FALSE(lh::is_executable_file("/"));
  EXPECT_FALSE(lh::is_executable_file(""));
}
