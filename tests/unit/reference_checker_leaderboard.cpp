// The leaderboard checker as it was before it streamed (7cfaa44), kept verbatim as the reference the
// streaming state must agree with (checker_state_test.cpp).
#include "reference_checkers.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios::reference {

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

}  // namespace lh::scenarios::reference
