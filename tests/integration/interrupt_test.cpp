// SIGINT wins within a second, through the engine against a real redis-server: clients blocked on a reply
// from a hung (SIGSTOP'd) server, clients connecting to one, and an open-loop client asleep until a slot
// seconds ahead all stop at once; the ops in flight come out indeterminate.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <thread>

#include "harness/util/interrupt.hpp"
#include "integration/load_fixture.hpp"

using namespace lh;
using namespace std::chrono_literals;
using engine::Clock;
using test::ProbeScript;

namespace {

const scripts::Script kOne = scripts::make_script("one", "return 1");

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  while (!cond()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The state letter of /proc/PID/stat ('T' once SIGSTOP took effect).
char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

// Established TCP connections whose local port is `port`: the server's side, accepted or still in the accept
// queue (the kernel completes the handshake while the server is stopped).
int established_to(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  int n = 0;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string slot, local, remote, state;
    s >> slot >> local >> remote >> state;
    const auto colon = local.rfind(':');
    if (colon != std::string::npos && std::stoi(local.substr(colon + 1), nullptr, 16) == port &&
        state == "01")
      ++n;
  }
  return n;
}

// Bytes that connections to `port` (the clients' side) have received and not yet read: the replies a server
// wrote just before it was stopped and that its clients have not read yet.
long unread_from(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  long n = 0;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string slot, local, remote, state, queues;
    s >> slot >> local >> remote >> state >> queues;  // queues: tx_queue:rx_queue, in hex
    const auto colon = remote.rfind(':'), q = queues.find(':');
    if (colon != std::string::npos && q != std::string::npos &&
        std::stoi(remote.substr(colon + 1), nullptr, 16) == port && state == "01")
      n += std::stol(queues.substr(q + 1), nullptr, 16);
  }
  return n;
}

// run_load on a thread, as the CLI's main thread runs it while a signal handler sets g_interrupted. Whatever
// the test's outcome, the server runs again, the run is stopped and awaited, and the flag is cleared.
class BackgroundRun {
 public:
  BackgroundRun(app::RedisServer& server, const engine::LoadConfig& cfg, engine::VariantRun& variant)
      : server_(server) {
    run_ = std::async(std::launch::async, [&server, cfg, &variant] {
      return engine::run_load(cfg, variant, test::standalone_factory(server));
    });
  }
  ~BackgroundRun() {
    server_.kill(SIGCONT);
    lh::g_interrupted = true;
    if (run_.valid()) run_.wait();
    lh::g_interrupted = false;
  }
  // Sets g_interrupted; true when run_load returned within `within` (the time taken in `took`).
  bool interrupt_and_wait(std::chrono::milliseconds within, double& took) {
    const auto t0 = Clock::now();
    lh::g_interrupted = true;
    const bool done = run_.wait_for(within) == std::future_status::ready;
    took = std::chrono::duration<double>(Clock::now() - t0).count();
    return done;
  }
  engine::LoadResult result() { return run_.get(); }

 private:
  app::RedisServer& server_;
  std::future<engine::LoadResult> run_;
};

}  // namespace

TEST(Interrupt, HungServerCannotHoldTheRunPastASecond) {
  auto server = start_server();
  constexpr uint32_t kClients = 8;
  ProbeScript probe(test::loaded(server, kOne), kClients);
  engine::LoadConfig cfg;
  cfg.clients = kClients;
  cfg.threads = 2;
  cfg.duration = 60s;
  BackgroundRun run(server, cfg, probe);
  ASSERT_TRUE(eventually([&] { return probe.answered.load() >= 1000; }, 10s));

  server.kill(SIGSTOP);
  ASSERT_TRUE(eventually([&] { return process_state(server.pid()) == 'T'; }, 5s));
  // Every client has sent an op the stopped server will not answer (the reply timeout is 5 s): the replies
  // the server wrote before it stopped have all been read (on 2 busy cores they can sit unread for a while,
  // and a client that reads one after the interrupt ends with it, ok, sending nothing more).
  ASSERT_TRUE(eventually(
      [&] {
        return unread_from(server.port()) == 0 && probe.sent.load() - probe.answered.load() == kClients;
      },
      5s));

  const uint64_t at_stop_sent = probe.sent.load(), at_stop_answered = probe.answered.load();
  double took = 0;
  ASSERT_TRUE(run.interrupt_and_wait(1s, took)) << "run_load still running 1 s after the interrupt";
  const auto r = run.result();
  EXPECT_LT(took, 1.0);
  EXPECT_TRUE(r.interrupted);
  // The ops in flight were woken by the closed connections: unknown, not failed, and said why. (One whose
  // reply the server wrote just before it stopped may still have been read in the grace period: ok.)
  EXPECT_GE(r.merged.indeterminate, 1u)
      << "ok " << r.merged.ok << " failed " << r.merged.failed << " sent " << probe.sent.load()
      << " answered " << probe.answered.load() << " took " << took << " at stop: " << at_stop_sent << "/"
      << at_stop_answered;
  EXPECT_LE(r.merged.indeterminate, kClients);
  EXPECT_EQ(r.merged.failed, 0u);
  const auto conn = static_cast<std::size_t>(net::ErrorClass::connection);
  EXPECT_EQ(r.merged.errors[conn], r.merged.indeterminate);
  EXPECT_NE(r.merged.first_error[conn].find("interrupted"), std::string::npos) << r.merged.first_error[conn];
  EXPECT_EQ(probe.answered.load(), probe.sent.load());  // every op sent was recorded
}

TEST(Interrupt, ConnectsToAHungServerEndWithoutRetrying) {
  auto server = start_server();
  constexpr uint32_t kClients = 4;
  ProbeScript probe(test::loaded(server, kOne), kClients);
  server.kill(SIGSTOP);
  ASSERT_TRUE(eventually([&] { return process_state(server.pid()) == 'T'; }, 5s));
  engine::LoadConfig cfg;
  cfg.clients = kClients;
  cfg.threads = 1;
  cfg.duration = 60s;
  BackgroundRun run(server, cfg, probe);
  // Each client's TCP connect completed in the kernel; its PING waits for the stopped server (2 s timeout).
  ASSERT_TRUE(eventually([&] { return established_to(server.port()) == static_cast<int>(kClients); }, 5s));

  double took = 0;
  ASSERT_TRUE(run.interrupt_and_wait(1s, took)) << "run_load still running 1 s after the interrupt";
  const auto r = run.result();
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.connect_failures, kClients);  // one aborted connect each, no retry after it
  EXPECT_NE(r.last_connect_error.find("interrupted"), std::string::npos) << r.last_connect_error;
  EXPECT_EQ(test::ops_total(r), 0u);
}

TEST(Interrupt, CutsAnOpenLoopSleepToTheNextSlotShort) {
  auto server = start_server();
  constexpr uint32_t kClients = 2;
  ProbeScript probe(test::loaded(server, kOne), kClients);
  engine::LoadConfig cfg;
  cfg.clients = kClients;
  cfg.threads = 1;
  cfg.rate = 0.5;  // each client's interval is 4 s; client 1's first slot is 2 s in
  cfg.duration = 60s;
  BackgroundRun run(server, cfg, probe);
  ASSERT_TRUE(eventually([&] { return probe.answered.load() >= 1; }, 5s));  // client 0's first op, at 0 s

  double took = 0;
  ASSERT_TRUE(run.interrupt_and_wait(1s, took)) << "run_load still asleep 1 s after the interrupt";
  const auto r = run.result();
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.merged.ok, 1u);
  // The schedule ends at the interrupt: the one slot due by then ran; the slots still ahead were never due.
  EXPECT_EQ(r.scheduled, 1u);
  EXPECT_EQ(r.dropped, 0u);
}
