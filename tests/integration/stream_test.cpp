// The streamed cas and lock checkers through the real engine against a real redis-server: the engine hands
// every thread's events over to one shared state with the thread's floor (engine/check_state.hpp), and a tee
// keeps the whole history beside it, so one run is judged both ways: by the stream, and by check_cas /
// check_lock on everything. They must agree to the last detail, naive races included, and the stream must
// hold a fraction of what the history does.
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/scenarios/scenario.hpp"
#include "harness/transport/node_client.hpp"
#include "integration/load_fixture.hpp"

using namespace lh;

namespace {

// Streams like the variant's own state, and keeps the whole history in a second state of the variant that
// never streams.
class Tee final : public engine::CheckState {
 public:
  explicit Tee(const engine::VariantRun& v) : v_(v), streamed_(v.new_state()), whole_(v.new_state()) {}
  std::string_view form() const override { return streamed_->form(); }
  void add(const engine::Event& e) override {
    streamed_->add(e);
    whole_->add(e);
  }
  void merge(const CheckState&) override { throw std::logic_error("Tee: a streamed state is not merged"); }
  nlohmann::json save() const override { throw std::logic_error("Tee: not saved"); }
  void load(const nlohmann::json&) override { throw std::logic_error("Tee: not loaded"); }
  std::size_t bytes() const override { return streamed_->bytes(); }
  uint64_t events() const override { return streamed_->events(); }
  bool streams() const override { return streamed_->streams(); }
  void start_stream(uint32_t threads) override { streamed_->start_stream(threads); }
  void hand_off(CheckState& shared, uint32_t thread, uint64_t floor_us) override {
    auto& to = static_cast<Tee&>(shared);
    streamed_->hand_off(*to.streamed_, thread, floor_us);
    to.whole_->merge(*whole_);
    whole_ = v_.new_state();
    ++to.hand_offs;
  }
  const CheckState& streamed() const { return *streamed_; }
  const CheckState& whole() const { return *whole_; }
  uint64_t hand_offs = 0;

 private:
  const engine::VariantRun& v_;
  std::unique_ptr<CheckState> streamed_, whole_;
};

class TeeRun final : public engine::MultiStepRun {
 public:
  explicit TeeRun(std::unique_ptr<engine::VariantRun> inner) : inner_(std::move(inner)) {}
  void setup(engine::SyncClient& s) override { inner_->setup(s); }
  std::unique_ptr<engine::CheckState> new_state() const override { return std::make_unique<Tee>(*inner_); }
  reports::Correctness check(engine::SyncClient&, const engine::CheckState&) override {
    throw std::logic_error("TeeRun: judged by the test");
  }
  std::vector<const scripts::Script*> scripts() const override { return inner_->scripts(); }
  boost::asio::awaitable<engine::Outcome> op(engine::ClientCtx& ctx) override {
    return engine::as_multi_step(*inner_)->op(ctx);
  }
  engine::VariantRun& inner() { return *inner_; }

 private:
  std::unique_ptr<engine::VariantRun> inner_;
};

struct Judged {
  reports::Correctness streamed, whole;
  std::size_t streamed_bytes = 0, whole_bytes = 0;
  uint64_t events = 0, hand_offs = 0;
};

Judged run_both(const app::RedisServer& server, std::string_view scenario, std::string_view variant,
                uint32_t threads, std::optional<double> rate = std::nullopt) {
  scenarios::Params p;
  p.key_prefix = "lh:test:stream:";
  p.keys = 2;
  TeeRun run(scenarios::find_scenario(scenario)->make(variant, p));
  net::RedisUrl url;
  url.host = server.host();
  url.port = server.port();
  transport::StandaloneSync sync(url, net::Timeouts{});
  run.setup(sync);
  for (const auto* s : run.scripts()) test::loaded(server, *s);
  engine::LoadConfig cfg;
  cfg.threads = threads;
  cfg.clients = 16;
  cfg.duration = std::chrono::milliseconds(1500);
  cfg.rate = rate;
  cfg.seed = 7;
  const auto r = engine::run_load(cfg, run, test::standalone_factory(server));
  const auto& tee = static_cast<const Tee&>(*r.merged.check);
  Judged j;
  j.streamed = run.inner().check(sync, tee.streamed());
  j.whole = run.inner().check(sync, tee.whole());
  j.streamed_bytes = tee.streamed().bytes();
  j.whole_bytes = tee.whole().bytes();
  j.events = tee.whole().events();
  j.hand_offs = tee.hand_offs;
  EXPECT_EQ(tee.streamed().events(), j.events);
  return j;
}

void expect_agree(const Judged& j, const std::string& what) {
  EXPECT_EQ(j.streamed.verdict, j.whole.verdict) << what;
  EXPECT_EQ(j.streamed.violations, j.whole.violations) << what;
  EXPECT_EQ(j.streamed.details, j.whole.details) << what;
  EXPECT_GT(j.events, 1000u) << what;
  EXPECT_GT(j.hand_offs, 10u) << what;  // handed over during the run, not only at its end
}

}  // namespace

TEST(StreamedCheckers, CasJudgesARealRunAsCheckCasDoes) {
  auto server = start_server();
  for (const char* v : {"atomic", "naive", "transaction"}) {
    const Judged j = run_both(server, "cas", v, 2);
    expect_agree(j, std::string("cas ") + v);
    EXPECT_LT(j.streamed_bytes * 4, j.whole_bytes) << v;
    if (std::string_view(v) == "naive") EXPECT_GT(j.streamed.violations, 0) << "naive cas loses swaps";
    else EXPECT_EQ(j.streamed.verdict, "pass") << v;
  }
}

TEST(StreamedCheckers, LockJudgesARealRunAsCheckLockDoes) {
  auto server = start_server();
  for (const char* v : {"atomic", "naive", "transaction"}) {
    const Judged j = run_both(server, "lock", v, 2);
    expect_agree(j, std::string("lock ") + v);
    if (std::string_view(v) == "naive") EXPECT_GT(j.streamed.violations, 0) << "naive locks overlap";
    else EXPECT_EQ(j.streamed.verdict, "pass") << v;
  }
}

// Open loop: an op's start is its slot, which can lie before its send; the floors must still hold.
TEST(StreamedCheckers, OpenLoopAndOneThreadAgreeToo) {
  auto server = start_server();
  expect_agree(run_both(server, "cas", "naive", 1, 4000.0), "cas naive, open loop, 1 thread");
  expect_agree(run_both(server, "lock", "naive", 2, 4000.0), "lock naive, open loop");
}
