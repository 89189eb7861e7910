// The checkers: pure functions from a merged history (plus the final state read back) to a verdict. Each is
// implemented in its scenario's .cpp, next to the variants whose events it reads; the event encodings below
// are the contract between the two. Indeterminate ops widen the bounds; they never hide a violation.
// Every checker streams over the history (or sorts it by radix), at well over 5 million events per second.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "harness/model/report.hpp"
#include "harness/engine/history.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// ---- counter -----------------------------------------------------------------------------------------
// Event: kind 0 (increment), key = counter index, a = value read (-1 if unknown), b = value written (a + 1).
struct CounterCheckInput {
  std::span<const Event> history;
  std::vector<int64_t> initial;  // per key, before the load
  std::vector<int64_t> final;    // per key, read back after it
  bool safe_by_design = false;
};
// final - initial must lie in [ok, ok + indeterminate]. violations = lost updates (ok - rise, when positive)
// + unexplained increments (rise - ok - indeterminate, when positive).
reports::Correctness check_counter(const CounterCheckInput& in);

// ---- cas ---------------------------------------------------------------------------------------------
// Values are integers; the initial value is given per key, and every op's new value is cas_value(client,
// seq), unique in the run. Event: kind kCasWon (a swap that took effect, or was attempted when indeterminate)
// or kCasRefused (ok: the value had changed), key = index, a = expected value, b = new value.
inline constexpr uint8_t kCasWon = 0, kCasRefused = 1;
constexpr int64_t cas_value(uint32_t client, uint64_t seq) {
  return static_cast<int64_t>((static_cast<uint64_t>(client & 0xFFFFFF) + 1) << 40 |
                              (seq & ((1ull << 40) - 1)));
}
struct CasCheckInput {
  std::span<const Event> history;
  std::vector<int64_t> initial;  // per key; must not be a cas_value()
  std::vector<int64_t> final;
  bool safe_by_design = false;
};
// violations = values consumed by more than one acknowledged swap (the extra ones) + chain breaks
// (the final value does not trace back to the initial one through recorded swaps; an acknowledged swap off
// that chain whose source value was consumed only once). An indeterminate swap is an optional edge.
reports::Correctness check_cas(const CasCheckInput& in);

// ---- rate-limiter ------------------------------------------------------------------------------------
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

// ---- lock --------------------------------------------------------------------------------------------
// One event per op, key = resource index, a = fencing token (-1: not acquired, or unknown), start_us =
// acquire sent, end_us = release answered, b = acquired_us << 32 | released_us (entered / left the critical
// section, run clock). kind = write state (bits 0-1: 0 none or unknown, 1 accepted, 2 rejected stale)
// | 4 if the release deleted a key | 8 if the in-process holder count saw another holder on entry.
inline constexpr uint8_t kLockWriteAccepted = 1, kLockWriteRejected = 2, kLockReleasedKey = 4,
                         kLockSawOtherHolder = 8;
constexpr int64_t lock_b(uint32_t acquired_us, uint32_t released_us) {
  return static_cast<int64_t>(static_cast<uint64_t>(acquired_us) << 32 | released_us);
}
struct LockCheckInput {
  std::span<const Event> history;
  uint32_t keys = 1;
  int64_t ttl_ms = 2000;
  std::vector<int64_t> final_resource;  // per key: the highest token the resource accepted (0: none)
  bool safe_by_design = false;
};
// violations = mutual_exclusion_violations + tokens_out_of_order + resource_regressions + foreign_releases.
// details also: expired_leases (held past the TTL), stale_writes_rejected (fencing working, not a violation).
reports::Correctness check_lock(const LockCheckInput& in);

// ---- inventory ---------------------------------------------------------------------------------------
// Event: kind 0, key = item index, b = 1 bought / 0 sold out, a = the stock after the op when known (a
// purchase: DECR's reply, below 0 when it oversold; a refusal: the stock read), else kStockUnknown.
inline constexpr int64_t kStockUnknown = INT64_MIN;
struct InventoryCheckInput {
  std::span<const Event> history;
  int64_t stock = 1000;              // initial stock of every item
  std::vector<int64_t> final_stock;  // per item
  bool safe_by_design = false;
};
// Per item: oversold = max(0, purchases - stock, -final); unaccounted = stock - final outside
// [purchases, purchases + indeterminate]. violations = sum over items of max(oversold, unaccounted).
reports::Correctness check_inventory(const InventoryCheckInput& in);

// ---- leaderboard -------------------------------------------------------------------------------------
// Event: kind 0, key = member index, a = submitted score, b = 1 updated / 0 not higher (unknown if not ok).
struct LeaderboardCheckInput {
  std::span<const Event> history;
  std::vector<std::optional<int64_t>> final_score;  // per member; nullopt = not in the set
  bool safe_by_design = false;
};
// violations = members whose final score is below their highest acknowledged submission, + members whose
// final score is no submission at all (neither acknowledged as the highest, nor an indeterminate one above).
reports::Correctness check_leaderboard(const LeaderboardCheckInput& in);

}  // namespace lh::scenarios
