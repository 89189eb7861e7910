// The lh-redis-* temp directories a killed harness leaves behind are removed by the next embedded launch, and
// nothing else is: not a live run's, not a symlink's target, not a look-alike of the user's, not another
// uid's.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "support/process.hpp"
#include "support/servers.hpp"

using namespace lh::app;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using lh::test::PrivateTmpdir;

namespace {

// Field 22 of /proc/PID/stat, as the launcher records it next to the pid.
unsigned long long start_time_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 1));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) return std::stoull(f);
  return 0;
}

// A pid that certainly belonged to a process and now does not: a child, started and reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// A directory as a launch makes it: owner.pid ("PID STARTTIME") and a redis.log.
void make_run_dir(const std::string& dir, pid_t owner, unsigned long long start) {
  fs::create_directory(dir);
  lh::test::write_text(dir + "/owner.pid", std::to_string(owner) + " " + std::to_string(start) + "\n");
  lh::test::write_text(dir + "/redis.log",
                       "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp\n");
}

void age(const std::string& path, std::chrono::hours by) {
  const auto t = fs::file_time_type::clock::now() - by;
  fs::last_write_time(path, t);
}

}  // namespace

TEST(StaleDirs, AnEmbeddedLaunchRemovesADeadRunsDirectoryAndKeepsALiveOnes) {
  PrivateTmpdir tmp;
  const std::string stale = tmp / "lh-redis-dead01", live = tmp / "lh-redis-live01";
  make_run_dir(stale, dead_pid(), 12345);
  make_run_dir(live, ::getpid(), start_time_of(::getpid()));
  std::string own_dir;
  {
    RedisServer s = start_server();
    own_dir = s.dir();
    EXPECT_EQ(fs::path(own_dir).parent_path(), fs::path(tmp.path()));
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(live + "/owner.pid"));
    // The launch records its own owner, which a later sweep sees as alive.
    std::istringstream owner(lh::test::read_text(own_dir + "/owner.pid"));
    long long pid = 0;
    unsigned long long start = 0;
    owner >> pid >> start;
    EXPECT_EQ(pid, ::getpid());
    EXPECT_EQ(start, start_time_of(::getpid()));
    EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 0);
    EXPECT_TRUE(fs::exists(own_dir));
    EXPECT_EQ(redis_cmd(s.port(), {"PING"}), "PONG");
  }
  EXPECT_FALSE(fs::exists(own_dir));
  EXPECT_TRUE(fs::exists(live));
}

TEST(StaleDirs, AReusedPidWithAnotherStartTimeCountsAsDead) {
  PrivateTmpdir tmp;
  const std::string reused = tmp / "lh-redis-reuse1";
  make_run_dir(reused, ::getpid(), start_time_of(::getpid()) + 1);
  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 1);
  EXPECT_FALSE(fs::exists(reused));
}

TEST(StaleDirs, NoSymlinkIsFollowedNeitherToTheDirectoryNorInsideIt) {
  PrivateTmpdir tmp;
  // A symlink named like a run directory, pointing at a dead run's directory elsewhere: neither goes.
  const std::string elsewhere = lh::test::temp_dir();
  make_run_dir(elsewhere + "/target", dead_pid(), 1);
  fs::create_directory_symlink(elsewhere + "/target", tmp / "lh-redis-link01");
  // A dead run's directory holding symlinks to a file and a directory outside: the links go, their targets
  // stay.
  const std::string stale = tmp / "lh-redis-dead02";
  make_run_dir(stale, dead_pid(), 1);
  lh::test::write_text(elsewhere + "/precious.txt", "keep me");
  fs::create_directory(elsewhere + "/precious-dir");
  lh::test::write_text(elsewhere + "/precious-dir/inside.txt", "keep me too");
  fs::create_symlink(elsewhere + "/precious.txt", stale + "/file-link");
  fs::create_directory_symlink(elsewhere + "/precious-dir", stale + "/dir-link");

  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 1);
  EXPECT_FALSE(fs::exists(fs::symlink_status(stale)));
  EXPECT_TRUE(fs::is_symlink(tmp / "lh-redis-link01"));
  EXPECT_TRUE(fs::exists(elsewhere + "/target/owner.pid"));
  EXPECT_EQ(lh::test::read_text(elsewhere + "/precious.txt"), "keep me");
  EXPECT_EQ(lh::test::read_text(elsewhere + "/precious-dir/inside.txt"), "keep me too");
  lh::test::remove_tree(elsewhere);
}

TEST(StaleDirs, ADirectoryWithoutOwnerFileGoesOnlyWhenItLooksLikeOursAndIsAnHourIdle) {
  PrivateTmpdir tmp;
  auto legacy = [&](const std::string& name) {  // as launches made them before owner.pid
    const std::string d = tmp / name;
    fs::create_directory(d);
    lh::test::write_text(d + "/redis.log", "old log\n");
    lh::test::write_text(d + "/nodes.conf", "vars currentEpoch 0\n");
    return d;
  };
  const std::string old_dir = legacy("lh-redis-old001");
  age(old_dir + "/redis.log", 2h);
  age(old_dir + "/nodes.conf", 2h);
  age(old_dir, 2h);
  const std::string fresh = legacy("lh-redis-new001");  // an old binary's run, still going
  const std::string recent_log = legacy("lh-redis-log001");
  age(recent_log + "/nodes.conf", 2h);
  age(recent_log, 2h);  // redis.log itself changed recently
  // The user's own directory that happens to match the pattern: a subdirectory, no redis.log.
  const std::string users = tmp / "lh-redis-backup";
  fs::create_directories(users + "/data");
  lh::test::write_text(users + "/data/dump.rdb", "mine");
  age(users, 2h);

  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 1);
  EXPECT_FALSE(fs::exists(old_dir));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(fs::exists(recent_log));
  EXPECT_EQ(lh::test::read_text(users + "/data/dump.rdb"), "mine");
}

TEST(StaleDirs, AnIdleDirectoryWithoutOwnerFileStaysWhileAProcessWorksInIt) {
  PrivateTmpdir tmp;
  const std::string d = tmp / "lh-redis-cwd001";
  fs::create_directory(d);
  lh::test::write_text(d + "/redis.log", "old log\n");
  age(d + "/redis.log", 2h);
  age(d, 2h);
  // What an old harness's redis-server looks like from outside: a process whose working directory it is.
  const pid_t child = ::fork();
  if (child == 0) {
    if (::chdir(d.c_str()) != 0) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(child, 0);
  const std::string cwd_link = "/proc/" + std::to_string(child) + "/cwd";
  ASSERT_TRUE(lh::test::poll_until(
      [&] {
        std::error_code ec;
        return fs::read_symlink(cwd_link, ec) == fs::canonical(d);
      },
      5000ms));
  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 0);
  EXPECT_TRUE(fs::exists(d));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 1);
  EXPECT_FALSE(fs::exists(d));
}

TEST(StaleDirs, ADirectoryOfAnotherUserIsNeverTouched) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a directory owned by another uid";
  PrivateTmpdir tmp;
  const std::string theirs = tmp / "lh-redis-other1";
  make_run_dir(theirs, dead_pid(), 1);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 0);
  EXPECT_TRUE(fs::exists(theirs + "/owner.pid"));
}

TEST(StaleDirs, AnOwnerFileNotWrittenByALaunchKeepsTheDirectory) {
  PrivateTmpdir tmp;
  const std::string odd = tmp / "lh-redis-odd001";
  fs::create_directory(odd);
  lh::test::write_text(odd + "/owner.pid", "not a pid\n");
  age(odd, 2h);
  EXPECT_EQ(remove_stale_temp_dirs(tmp.path()), 0);
  EXPECT_TRUE(fs::exists(odd));
}
