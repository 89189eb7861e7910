// Signals through the binary: SIGHUP stops a run like SIGINT/SIGTERM (report, cleanup, 130), a second signal
// ends it at once, nohup's ignored SIGHUP stays ignored, and the temp directory a SIGKILLed run leaves is
// removed by the next embedded launch.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::poll_until;
using lh::test::run_harness;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using lh::test::PrivateTmpdir;

namespace {

const std::string kRateLimit = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";

std::vector<std::string> rate_limit_args(const std::string& target, const std::string& duration,
                                         const std::string& report) {
  std::vector<std::string> a = {"run"};
  if (!target.empty()) a.insert(a.end(), {"--target", target});
  a.insert(a.end(),
           {"--script", kRateLimit, "--key", "ratelimit:user:${rand:1-50}", "--arg", "60", "--arg", "100",
            "--arg", "${now_ms}", "--clients", "8", "--duration", duration, "--report", report, "--quiet"});
  return a;
}

std::string url(int port) { return "redis://127.0.0.1:" + std::to_string(port); }

uint64_t evalsha_calls(int port) {
  const std::string stats = redis_cmd(port, {"INFO", "commandstats"});
  const auto at = stats.find("cmdstat_evalsha:calls=");
  return at == std::string::npos ? 0 : std::stoull(stats.substr(at + 22));
}

// A signal mask line of /proc/PID/status ("SigCgt", "SigIgn"), as bits.
uint64_t signal_mask(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  return 0;
}
bool has(uint64_t mask, int sig) { return (mask >> (sig - 1)) & 1; }

// Sets a signal's disposition in this process (the binary inherits SIG_IGN across exec) for the test's life.
class Disposition {
 public:
  Disposition(int sig, void (*handler)(int)) : sig_(sig) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &old_);
  }
  ~Disposition() { sigaction(sig_, &old_, nullptr); }

 private:
  int sig_;
  struct sigaction old_ {};
};

std::vector<std::string> run_dirs(const std::string& base) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(base))
    if (e.path().filename().string().rfind("lh-redis-", 0) == 0) out.push_back(e.path().string());
  return out;
}

}  // namespace

TEST(SignalsCli, SighupMidRunWritesTheInterruptedReportCleansKeysAndExits130WithinASecond) {
  // Whatever the test runner inherited, the binary must start with SIGHUP at its default to catch it.
  Disposition default_hup(SIGHUP, SIG_DFL);
  auto server = start_server();
  const int port = server.port();
  const std::string dir = lh::test::temp_dir();
  const std::string report = dir + "/run.json";
  Clock::time_point signalled;
  auto r = run_harness(rate_limit_args(url(port), "10s", report), std::chrono::seconds(60), [&](pid_t pid) {
    ASSERT_TRUE(poll_until([&] { return evalsha_calls(port) > 100; }, std::chrono::seconds(20)));
    EXPECT_TRUE(has(signal_mask(pid, "SigCgt"), SIGHUP));
    signalled = Clock::now();
    ::kill(pid, SIGHUP);
  });
  const double after = std::chrono::duration<double>(Clock::now() - signalled).count();
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_LT(after, 1.5) << "the run took " << after << " s to stop after SIGHUP";
  json j = json::parse(lh::test::read_text(report), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << lh::test::read_text(report);
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_EQ(j["exit_code"], 130);
  EXPECT_GT(j["results"][0]["ops"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(redis_cmd(port, {"DBSIZE"}), "0");
  lh::test::remove_tree(dir);
}

TEST(SignalsCli, ASecondSignalEndsTheRunAtOnce) {
  Disposition default_hup(SIGHUP, SIG_DFL);
  auto server = start_server();
  const int port = server.port();
  Clock::time_point signalled;
  auto r = run_harness(rate_limit_args(url(port), "60s", "-"), std::chrono::seconds(60), [&](pid_t pid) {
    ASSERT_TRUE(poll_until([&] { return evalsha_calls(port) > 100; }, std::chrono::seconds(20)));
    signalled = Clock::now();
    // The first asks for an orderly stop (which takes a while: the load winds down, keys are deleted, the
    // report written); the second, of another kind, arrives long before that is done and must end the
    // process.
    ::kill(pid, SIGHUP);
    ::kill(pid, SIGTERM);
  });
  const double after = std::chrono::duration<double>(Clock::now() - signalled).count();
  // Killed by whichever of the two the kernel delivered second (their order is not fixed), not an orderly 130.
  EXPECT_TRUE(r.exit_code == 128 + SIGTERM || r.exit_code == 128 + SIGHUP) << r.exit_code << "\n" << r.err;
  EXPECT_LT(after, 1.0);
}

TEST(SignalsCli, SighupIgnoredAtStartStaysIgnoredAsNohupAsks) {
  Disposition ignored(SIGHUP, SIG_IGN);  // what nohup does before exec
  auto server = start_server();
  const int port = server.port();
  auto r = run_harness(rate_limit_args(url(port), "60s", "-"), std::chrono::seconds(60), [&](pid_t pid) {
    ASSERT_TRUE(poll_until([&] { return evalsha_calls(port) > 100; }, std::chrono::seconds(20)));
    EXPECT_TRUE(has(signal_mask(pid, "SigIgn"), SIGHUP));
    EXPECT_FALSE(has(signal_mask(pid, "SigCgt"), SIGHUP));
    EXPECT_TRUE(has(signal_mask(pid, "SigCgt"), SIGINT));
    EXPECT_TRUE(has(signal_mask(pid, "SigCgt"), SIGTERM));
    ::kill(pid, SIGHUP);
    const uint64_t at_hup = evalsha_calls(port);
    EXPECT_TRUE(poll_until([&] { return evalsha_calls(port) > at_hup + 1000; }, std::chrono::seconds(10)))
        << "the load stopped after an ignored SIGHUP";
    ::kill(pid, SIGINT);
  });
  EXPECT_EQ(r.exit_code, 130) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["interrupted"], true);
}

TEST(SignalsCli, TheTempDirOfASigkilledRunIsRemovedByTheNextEmbeddedLaunch) {
  PrivateTmpdir tmp;
  std::string stale;
  auto killed = run_harness(rate_limit_args("", "60s", "-"), std::chrono::seconds(60), [&](pid_t pid) {
    // The embedded server is up once its directory records the harness as owner and its log says ready.
    ASSERT_TRUE(poll_until(
        [&] {
          for (const auto& d : run_dirs(tmp.path())) {
            std::istringstream owner(lh::test::read_text(d + "/owner.pid"));
            pid_t p = 0;
            if (owner >> p && p == pid &&
                lh::test::read_text(d + "/redis.log").find("Ready to accept") != std::string::npos) {
              stale = d;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(20)));
    ::kill(pid, SIGKILL);
  });
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  ASSERT_FALSE(stale.empty());
  ASSERT_TRUE(fs::exists(stale + "/owner.pid"))
      << "a SIGKILLed run cannot clean up: the directory should be left";

  auto next = run_harness({"run", "--scenario", "counter", "--variant", "atomic", "--requests", "50",
                           "--clients", "2", "--quiet"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(run_dirs(tmp.path()).empty());  // and the new run removed its own
}
