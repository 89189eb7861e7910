// The rate limiter's checker: per key, no window of the stated length holds more than `limit` admissions, in
// the limiter's own timebase.
#pragma once
#include <cstdint>
#include <span>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/check_support.hpp"
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
// The state: the tallies, λ's basis (the longest stamp-to-reply time), and per key the admitted stamps as
// (stamp, admissions, first admitted op) runs, sorted and folded as they grow. The windows' length W - λ is
// known only at the end, so the stamps stay: memory grows with the admissions (at most limit per W per key
// for a limiter that works, 24 bytes a distinct millisecond), not with the requests.
class RateLimiterState final : public engine::CheckState {
 public:
  struct Run {
    int64_t stamp = 0;
    uint32_t count = 0;
    uint16_t client = 0;
    uint32_t seq = 0;
  };
  explicit RateLimiterState(uint32_t keys) : runs_(keys), folded_(keys, 0) {}
  std::string_view form() const override { return "rate-limiter"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override;
  uint64_t events() const override { return events_; }
  reports::Correctness finish(int64_t limit, int64_t window_ms, bool server_clock, bool safe_by_design) const;

 private:
  void fold(std::size_t key) const;
  mutable std::vector<std::vector<Run>> runs_;
  mutable std::vector<std::size_t> folded_;  // runs_[k][0, folded_[k]) are sorted and distinct
  int64_t admitted_ = 0, limited_ = 0, collided_ = 0, indeterminate_ = 0, failed_ = 0, ignored_ = 0;
  int64_t max_lat_us_ = 0, min_stamp_ = INT64_MAX, max_stamp_ = INT64_MIN;
  uint64_t events_ = 0;
};

// check_rate_limiter on a whole history: a RateLimiterState fed with it, then finish().
// λ = the longest time from stamping an admitted request to its reply (+ 1 ms stamp resolution); 0 for the
// server clock, which stamps at execution. violations = admissions beyond `limit` in windows of length
// W - λ; details.reordering_overadmissions = the extra ones in full windows of length W.
reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in);
// The keys check_rate_limiter writes into correctness.details.
std::span<const DetailField> rate_limiter_details();

}  // namespace lh::scenarios
