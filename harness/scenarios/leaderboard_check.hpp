// The leaderboard's checker: does each member end with its highest acknowledged score?
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/check_support.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// Event: kind 0, key = member index, a = submitted score, b = 1 updated / 0 not higher (unknown if not ok).
struct LeaderboardCheckInput {
  std::span<const Event> history;
  std::vector<std::optional<int64_t>> final_score;  // per member; nullopt = not in the set
  bool safe_by_design = false;
};
// The streaming state: per member, the highest acknowledged submission (and who made it), the indeterminate
// submissions above it (the only ones that can explain a final score above it), and the last few
// acknowledged submissions (the likely writers of a final score below the best: evidence).
class LeaderboardState final : public engine::CheckState {
 public:
  explicit LeaderboardState(std::size_t members) : m_(members) {}
  std::string_view form() const override { return "leaderboard"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override;
  uint64_t events() const override { return events_; }
  reports::Correctness finish(const std::vector<std::optional<int64_t>>& final_score,
                              bool safe_by_design) const;

  static constexpr std::size_t kRecent = 3;
  struct Sub {
    int64_t score = 0;
    support::Who who;
  };
  struct Member {
    bool has_best = false;
    Sub best;
    std::vector<int64_t> maybe;  // indeterminate scores, pruned to those above best
    std::vector<Sub> recent;     // ring of the last kRecent acknowledged ones
    std::size_t next = 0;
    void raise(const Sub& s);
    void note(const Sub& s);
    void prune();
  };

 private:
  std::vector<Member> m_;
  int64_t acknowledged_ = 0, updated_ = 0, indeterminate_ = 0, failed_ = 0, ignored_ = 0;
  uint64_t events_ = 0;
};

// check_leaderboard on a whole history: a LeaderboardState fed with it, then finish().
// violations = members whose final score is below their highest acknowledged submission, + members whose
// final score is no submission at all (neither acknowledged as the highest, nor an indeterminate one above).
reports::Correctness check_leaderboard(const LeaderboardCheckInput& in);
// The keys check_leaderboard writes into correctness.details.
std::span<const DetailField> leaderboard_details();

}  // namespace lh::scenarios
