// The rate limiter's checker: per key, no window of the stated length holds more than `limit` admissions, in
// the limiter's own timebase.
#pragma once
#include <cstdint>
#include <span>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// Event: kind 0, key = limiter key index, a = the stamp the limiter used (ms since the epoch: ARGV now, or
// the server TIME the script returned), b = decision | stamped_at_us << 32 where decision is 0 limited, 1
// admitted, 2 admitted but the ZSET member collided; stamped_at_us = run clock when the client stamped
// (client clock; 0 for the server clock).
inline constexpr int64_t kRlLimited = 0, kRlAdmitted = 1, kRlCollided = 2;
constexpr int64_t rate_limit_b(int64_t decision, uint32_t stamped_at_us) {
  return decision | static_cast<int64_t>(stamped_at_us) << 32;
}
struct RateLimiterCheckInput {
  std::span<const Event> history;
  uint32_t keys = 1;
  int64_t limit = 100;
  int64_t window_ms = 1000;
  bool server_clock = false;
  bool safe_by_design = false;
};
// λ = the longest time from stamping an admitted request to its reply (+ 1 ms stamp resolution); 0 for the
// server clock, which stamps at execution. violations = admissions beyond `limit` in windows of length
// W - λ; details.reordering_overadmissions = the extra ones in full windows of length W.
reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in);
// The keys check_rate_limiter writes into correctness.details.
std::span<const DetailField> rate_limiter_details();

}  // namespace lh::scenarios
