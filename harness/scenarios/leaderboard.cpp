// leaderboard: update if higher. Clients submit random scores (drifting upwards) for random members.
//
// Keys: one sorted set <prefix>leaderboard:{lb}, members m0 .. m<N-1> where N = --keys (default 100):
// the key space of this scenario is its members. Empty before the load. Variants:
//   atomic       EVALSHA leaderboard_update.lua: ZSCORE, compare, ZADD inside the script.
//   gt           ZADD key GT CH score member: Redis 6.2+ does "update if higher" natively, no Lua needed
//                (docs/seed.md's advice: don't use Lua where a command suffices).
//   naive        ZSCORE, compare in the client, think, ZADD: a lower score can land after a higher one.
//   transaction  WATCH key, ZSCORE, compare, think, MULTI ZADD EXEC; nil EXEC = conflict, retried and
//                counted. (WATCH covers the whole set, so any member's update conflicts: the price of one
//                key.)
// Checker (leaderboard_check.hpp): each member's final score is its highest acknowledged submission (or an
// indeterminate one above).
#include <array>
#include <charconv>
#include <string>

#include "harness/scenarios/leaderboard_check.hpp"
#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

namespace {

using net::Reply;
using support::Num;
using support::ScriptArgs;

// Scores are random with an upward drift, like a game's: elapsed ms * 1000 + uniform(1, 100000), so a
// submission competes with those of the surrounding ~100 ms. (Uniform scores over a fixed range would make
// updates rare once a member's best is high, and with them every race: the variants would not be exercised.)
constexpr int64_t kScoreSpread = 100'000;
int64_t random_score(ClientCtx& ctx) {
  return static_cast<int64_t>(ctx.now_us() / 1000) * 1000 + ctx.rng.uniform(1, kScoreSpread);
}

Outcome record(ClientCtx& ctx, uint16_t m, Outcome o, int64_t score, int64_t updated) {
  return support::record(ctx, m, 0, o, score, updated);
}

// The reply of an "update if higher" done by the server in one step (the script, or ZADD GT CH): 1 updated,
// 0 not higher.
Outcome judge_update(ClientCtx& ctx, uint16_t m, int64_t score, const Reply& r) {
  const Outcome o = support::script_outcome(r);
  if (o != Outcome::ok) return record(ctx, m, o, score, 0);
  return record(ctx, m, o, score, r.integer() == 1 ? 1 : 0);
}

// What every leaderboard variant shares: the set and its members (none scored before the load), and the check.
template <class Shape>
class LeaderboardRun : public Shape {
 public:
  LeaderboardRun(const Params& p, bool safe_by_design)
      : key_(support::key_names(p.key_prefix, "leaderboard:", "lb", 1)[0]), safe_by_design_(safe_by_design) {
    // The tag is "{lb0}": one key, one slot.
    const uint64_t n = support::key_count(p, 100, "leaderboard");
    for (uint64_t i = 0; i < n; ++i) {
      char buf[24] = {'m'};
      members_.emplace_back(buf, std::to_chars(buf + 1, buf + sizeof buf, i).ptr);
    }
  }

  void setup(SyncClient& s) override { s.command({"DEL", key_}, key_); }

  std::unique_ptr<engine::CheckState> new_state() const override {
    return std::make_unique<LeaderboardState>(members_.size());
  }

  reports::Correctness check(SyncClient& s, const engine::CheckState& state) override {
    LeaderboardCheckInput in;
    in.final_score.assign(members_.size(), std::nullopt);
    Reply all = s.command({"ZRANGE", key_, "0", "-1", "WITHSCORES"}, key_);
    for (std::size_t i = 0; i + 1 < all.elements(); i += 2) {
      const redisReply* m = all.element(i);
      const redisReply* sc = all.element(i + 1);
      uint64_t idx = 0;
      if (m->len < 2 || m->str[0] != 'm') continue;
      auto [p, ec] = std::from_chars(m->str + 1, m->str + m->len, idx);
      double score = 0;
      auto [p2, ec2] = std::from_chars(sc->str, sc->str + sc->len, score);
      if (ec != std::errc() || ec2 != std::errc() || idx >= members_.size()) continue;
      in.final_score[idx] = static_cast<int64_t>(score);
    }
    in.safe_by_design = safe_by_design_;
    return static_cast<const LeaderboardState&>(state).finish(in.final_score, in.safe_by_design);
  }

 protected:
  const std::string key_;
  std::vector<std::string> members_;
  const bool safe_by_design_;
};

// ---- atomic: one script call, pipelineable ----
class LeaderboardAtomic final : public LeaderboardRun<SingleCallRun> {
 public:
  using LeaderboardRun::LeaderboardRun;

  std::vector<const scripts::Script*> scripts() const override { return {&script_}; }

  // user[0] = the score submitted.
  void make_call(ClientCtx& ctx, ScriptCall& call) override {
    ScriptArgs a;
    a.key_index = support::pick(ctx, members_.size());
    a.user[0] = random_score(ctx);
    a.key(key_);
    a.arg(members_[a.key_index]);
    a.arg(a.user[0]);
    support::fill_slot(script_, a, call);
  }

  Outcome on_reply(ClientCtx& ctx, ScriptCall& call, const Reply& r) override {
    return judge_update(ctx, call.key_index, call.user[0], r);
  }

 private:
  const scripts::Script& script_ = scripts::builtin_script("leaderboard_update");
};

// ---- gt: one native command (the atomic variant's judgement: same reply, same event) ----
class LeaderboardGt final : public LeaderboardRun<MultiStepRun> {
 public:
  using LeaderboardRun::LeaderboardRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t m = support::pick(ctx, members_.size());
    const int64_t score = random_score(ctx);
    Num text(score);
    Reply r = co_await support::cmd(ctx, key_, "ZADD", key_, "GT", "CH", text.view(), members_[m]);
    co_return judge_update(ctx, m, score, r);
  }
};

// ---- naive: ZSCORE, compare in the client, think, ZADD ----
class LeaderboardNaive final : public LeaderboardRun<MultiStepRun> {
 public:
  using LeaderboardRun::LeaderboardRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t m = support::pick(ctx, members_.size());
    const int64_t score = random_score(ctx);
    Reply cur = co_await support::cmd(ctx, key_, "ZSCORE", key_, members_[m]);
    if (cur.is_error()) co_return record(ctx, m, support::failure_outcome(cur, false), score, 0);
    if (!cur.is_nil() && score <= support::reply_int(cur, 0)) co_return record(ctx, m, Outcome::ok, score, 0);
    co_await ctx.think();
    Num text(score);
    Reply add = co_await support::cmd(ctx, key_, "ZADD", key_, text.view(), members_[m]);
    co_return record(ctx, m, support::write_outcome(add), score, 1);
  }
};

// ---- transaction: WATCH, ZSCORE, compare, think, MULTI ZADD EXEC ----
class LeaderboardTransaction final : public LeaderboardRun<MultiStepRun> {
 public:
  using LeaderboardRun::LeaderboardRun;

  asio::awaitable<Outcome> op(ClientCtx& ctx) override {
    const uint16_t m = support::pick(ctx, members_.size());
    const int64_t score = random_score(ctx);
    Num text(score);
    for (int attempt = 0; attempt < support::kMaxTxAttempts; ++attempt) {
      Reply cur = co_await support::watch_read(ctx, key_, "ZSCORE", key_, members_[m]);
      if (cur.is_error()) co_return record(ctx, m, Outcome::failed, score, 0);
      if (!cur.is_nil() && score <= support::reply_int(cur, 0)) {
        co_await support::unwatch(ctx, key_);
        co_return record(ctx, m, Outcome::ok, score, 0);
      }
      co_await ctx.think();
      const std::array<std::string_view, 4> add = {"ZADD", key_, text.view(), members_[m]};
      const std::array<std::span<const std::string_view>, 1> cmds = {add};
      support::TxResult t = co_await support::multi_exec(ctx, key_, cmds);
      if (support::retry_on_conflict(ctx, t)) continue;
      co_return record(ctx, m, support::outcome_of(t), score, 1);
    }
    co_return record(ctx, m, Outcome::failed, score, 0);
  }
};

class LeaderboardScenario final : public support::BuiltinScenario {
 public:
  LeaderboardScenario()
      : BuiltinScenario({
            .name = "leaderboard",
            .summary = "update if higher: submit random scores for members of a sorted set",
            .violation_noun = "lost high scores",
            .variants = {{"atomic", true, support::make_run<LeaderboardAtomic>},
                         {"gt", true, support::make_run<LeaderboardGt>},
                         {"naive", false, support::make_run<LeaderboardNaive>},
                         {"transaction", true, support::make_run<LeaderboardTransaction>}},
            .details = leaderboard_details(),
        }) {}

  // "naive leaderboard lost the best score of 4 members"
  std::string explain(const reports::Result& r) const override {
    return r.variant + " " + r.scenario + " lost the best score of " +
           support::thousands(r.correctness.violations) + " members";
  }
};

}  // namespace

const Scenario& leaderboard_scenario() {
  static const LeaderboardScenario s;
  return s;
}

}  // namespace lh::scenarios
