// leaderboard: update if higher. Clients submit random scores (drifting upwards) for random members.
//
// Keys: one sorted set <prefix>leaderboard:{lb}, members m0 .. m<N-1> where N = --keys (default 100):
// the key space of this scenario is its members. Empty before the load. Variants:
//   atomic       EVALSHA leaderboard_update.lua: ZSCORE, compare, ZADD inside the script.
//   gt           ZADD key GT CH score member: Redis 6.2+ does "update if higher" natively, no Lua needed (the
//                seed's advice: don't use Lua where a command suffices).
//   naive        ZSCORE, compare in the client, think, ZADD: a lower score can land after a higher one.
//   transaction  WATCH key, ZSCORE, compare, think, MULTI ZADD EXEC; nil EXEC = conflict, retried and
//   counted.
//                (WATCH covers the whole set, so any member's update conflicts: the price of one key.)
// Checker: each member's final score is its highest acknowledged submission (or an indeterminate one above).
#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "harness/scenarios/checkers.hpp"
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
enum class Variant { atomic, gt, naive, transaction };

class LeaderboardRun final : public support::ScriptedRun<LeaderboardRun, Variant> {
 public:
  LeaderboardRun(Variant v, const Params& p)
      : ScriptedRun(v), key_(support::key_names(p.key_prefix, "leaderboard:", "lb", 1)[0]) {
    // The tag is "{lb0}": one key, one slot.
    const uint64_t n = support::key_count(p, 100, "leaderboard");
    for (uint64_t i = 0; i < n; ++i) {
      char buf[24] = {'m'};
      members_.emplace_back(buf, std::to_chars(buf + 1, buf + sizeof buf, i).ptr);
    }
  }

  void setup(SyncClient& s) override { s.command({"DEL", key_}, key_); }

  reports::Correctness check(SyncClient& s, const History& h) override {
    LeaderboardCheckInput in;
    in.history = h;
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
    in.safe_by_design = variant_ != Variant::naive;
    return check_leaderboard(in);
  }

 private:
  friend ScriptedRun;
  static Outcome record(ClientCtx& ctx, uint16_t m, Outcome o, int64_t score, int64_t updated) {
    return support::record(ctx, m, 0, o, score, updated);
  }

  // ---- atomic: one script call, pipelineable ----
  static const scripts::Script& script() { return scripts::builtin_script("leaderboard_update"); }
  // user[0] = the score submitted.
  void prepare(ClientCtx& ctx, ScriptArgs& a) const {
    a.key_index = support::pick(ctx, members_.size());
    a.user[0] = random_score(ctx);
    a.key(key_);
    a.arg(members_[a.key_index]);
    a.arg(a.user[0]);
  }
  static Outcome judge(ClientCtx& ctx, uint16_t m, const int64_t* user, const Reply& r) {
    const Outcome o = support::script_outcome(r);
    if (o != Outcome::ok) return record(ctx, m, o, user[0], 0);
    return record(ctx, m, o, user[0], r.integer() == 1 ? 1 : 0);
  }

  asio::awaitable<Outcome> multi_step(ClientCtx& ctx) const {
    if (variant_ == Variant::gt) return gt(ctx);
    if (variant_ == Variant::naive) return naive(ctx);
    return transaction(ctx);
  }

  // ---- gt: one native command (the atomic variant's judge: same reply, same event) ----
  asio::awaitable<Outcome> gt(ClientCtx& ctx) const {
    const uint16_t m = support::pick(ctx, members_.size());
    const int64_t score = random_score(ctx);
    Num text(score);
    Reply r = co_await support::cmd(ctx, key_, "ZADD", key_, "GT", "CH", text.view(), members_[m]);
    co_return judge(ctx, m, &score, r);
  }

  // ---- naive: ZSCORE, compare in the client, think, ZADD ----
  asio::awaitable<Outcome> naive(ClientCtx& ctx) const {
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

  // ---- transaction: WATCH, ZSCORE, compare, think, MULTI ZADD EXEC ----
  asio::awaitable<Outcome> transaction(ClientCtx& ctx) const {
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

  std::string key_;
  std::vector<std::string> members_;
};

}  // namespace

const Scenario& leaderboard_scenario() {
  static const support::VariantScenario<LeaderboardRun, Variant> s(
      "leaderboard", "update if higher: submit random scores for members of a sorted set",
      {{"atomic", Variant::atomic},
       {"gt", Variant::gt},
       {"naive", Variant::naive},
       {"transaction", Variant::transaction}});
  return s;
}

// ---- checker ---------------------------------------------------------------------------------------------

reports::Correctness check_leaderboard(const LeaderboardCheckInput& in) {
  const std::size_t n = in.final_score.size();
  constexpr uint32_t none = UINT32_MAX;
  std::vector<int64_t> best(n, INT64_MIN);  // highest acknowledged submission per member
  std::vector<uint32_t> best_by(n, none);
  std::vector<uint64_t> maybe;  // indeterminate submissions: member << 32 | event index
  int64_t acknowledged = 0, updated = 0, indeterminate = 0, failed = 0, ignored = 0;
  for (uint32_t i = 0; i < in.history.size(); ++i) {
    const Event& e = in.history[i];
    if (e.key >= n) {
      ++ignored;
      continue;
    }
    switch (e.result()) {
      case Outcome::ok:
        ++acknowledged;
        updated += e.b == 1;
        if (e.a > best[e.key]) {
          best[e.key] = e.a;
          best_by[e.key] = i;
        }
        break;
      case Outcome::failed:
        ++failed;
        break;
      default:
        ++indeterminate;
        maybe.push_back(static_cast<uint64_t>(e.key) << 32 | i);
        break;
    }
  }
  std::sort(maybe.begin(), maybe.end());

  // A final score above the best acknowledged one must be an indeterminate submission of that member.
  auto explained = [&](std::size_t m, int64_t score) {
    auto it = std::lower_bound(maybe.begin(), maybe.end(), static_cast<uint64_t>(m) << 32);
    for (; it != maybe.end() && (*it >> 32) == m; ++it)
      if (in.history[*it & 0xFFFFFFFF].a == score) return true;
    return false;
  };
  int64_t below = 0, unexplained = 0, members_scored = 0;
  std::vector<std::size_t> bad;
  for (std::size_t m = 0; m < n; ++m) {
    const auto& fin = in.final_score[m];
    members_scored += fin.has_value();
    const bool has_best = best_by[m] != none;
    if (has_best && (!fin || *fin < best[m])) {
      ++below;
      bad.push_back(m);
    } else if (fin && (!has_best || *fin > best[m]) && !explained(m, *fin)) {
      ++unexplained;
      bad.push_back(m);
    }
  }

  reports::Correctness c;
  c.invariant =
      "each member's final score is its highest acknowledged submission (or an indeterminate one above it)";
  c.safe_by_design = in.safe_by_design;
  c.details = {{"members", n},
               {"members_scored", members_scored},
               {"submissions_acknowledged", acknowledged},
               {"updates_acknowledged", updated},
               {"indeterminate", indeterminate},
               {"failed", failed},
               {"members_below_best", below},
               {"members_with_unexplained_score", unexplained}};
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, below + unexplained);

  // Evidence: the first few bad members, with who wrote the score they ended with (one pass for all).
  if (bad.size() > support::kMaxExamples) bad.resize(support::kMaxExamples);
  std::vector<const Event*> writer(bad.size(), nullptr);
  for (const Event& e : in.history) {
    if (e.result() == Outcome::failed) continue;
    for (std::size_t i = 0; i < bad.size(); ++i)
      if (!writer[i] && e.key == bad[i] && in.final_score[bad[i]] == e.a) writer[i] = &e;
  }
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const std::size_t m = bad[i];
    const auto& fin = in.final_score[m];
    const std::string final_text = fin ? std::to_string(*fin) : std::string("absent");
    if (best_by[m] == none || (fin && *fin > best[m])) {
      c.examples.push_back("member m" + std::to_string(m) + ": final score " + final_text +
                           " was never submitted");
      continue;
    }
    std::string s = "member m" + std::to_string(m) + ": final score " + final_text + ", below " +
                    std::to_string(best[m]) + " submitted by " + support::who(in.history[best_by[m]]) +
                    " (acknowledged)";
    if (writer[i]) s += "; overwritten by " + support::who(*writer[i]) + "'s " + std::to_string(writer[i]->a);
    c.examples.push_back(std::move(s));
  }
  return c;
}

}  // namespace lh::scenarios
