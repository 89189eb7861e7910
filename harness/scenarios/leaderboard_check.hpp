// The leaderboard's checker: does each member end with its highest acknowledged score?
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
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
// violations = members whose final score is below their highest acknowledged submission, + members whose
// final score is no submission at all (neither acknowledged as the highest, nor an indeterminate one above).
reports::Correctness check_leaderboard(const LeaderboardCheckInput& in);
// The keys check_leaderboard writes into correctness.details.
std::span<const DetailField> leaderboard_details();

}  // namespace lh::scenarios
