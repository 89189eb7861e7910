// The lock's checker: mutual exclusion while leases are valid, fencing tokens unique and increasing in real
// time, a resource that never goes backwards, and no release of another holder's lock.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/engine/check_state.hpp"
#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// One event per op, key = resource index, a = fencing token (-1: not acquired, or unknown), start_us =
// acquire sent, end_us = release answered, b = acquired_us << 32 | released_us (entered / left the critical
// section, run clock). kind = write state (bits 0-1: 0 none or unknown, 1 accepted, 2 rejected stale)
// | 4 if the release deleted a key | 8 if the in-process holder count saw another holder on entry.
inline constexpr uint8_t kLockWriteAccepted = 1, kLockWriteRejected = 2, kLockReleasedKey = 4,
                         kLockSawOtherHolder = 8;
constexpr int64_t lock_b(uint32_t acquired_us, uint32_t released_us) {
  return static_cast<int64_t>(static_cast<uint64_t>(acquired_us) << 32 | released_us);
}
// What LockState counts and drops: ops that acquired nothing (refused, failed or unknown before a token), and
// events of unknown resources.
struct LockDropped {
  int64_t refused = 0, indeterminate = 0, failed = 0, ignored = 0;
};
struct LockCheckInput {
  std::span<const Event> history;
  uint32_t keys = 1;
  int64_t ttl_ms = 2000;
  std::vector<int64_t> final_resource;  // per key: the highest token the resource accepted (0: none)
  bool safe_by_design = false;
  LockDropped dropped{};  // counted, not in `history`
};

// The state: every hold (an op that got a token) kept whole, the ops that got none only counted (most of them
// under contention). It grows with the acquisitions.
class LockStream;

// Streamed (engine/check_state.hpp), the state is the run's one LockStream instead: flat.
class LockState final : public engine::CheckState {
 public:
  explicit LockState(uint32_t keys, int64_t ttl_ms = 2000);
  ~LockState() override;
  std::string_view form() const override { return "lock"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override;
  uint64_t events() const override;
  bool streams() const override { return true; }
  // Token blocks (4096 tokens, 1 KiB) a streamed state keeps in memory per resource; the rest go to a file.
  static constexpr std::size_t kHotTokenBlocks = 4;
  void start_stream(uint32_t threads) override;
  void hand_off(engine::CheckState& shared, uint32_t thread, uint64_t floor_us) override;
  reports::Correctness finish(int64_t ttl_ms, const std::vector<int64_t>& final_resource,
                              bool safe_by_design) const;

 private:
  uint32_t keys_;
  int64_t ttl_ms_;
  std::unique_ptr<LockStream> stream_;  // the shared state of a streamed run
  History kept_;
  LockDropped dropped_;
  uint64_t events_ = 0;
};

// check_lock's counts, however they were found (the whole history, or the stream: lock_stream.hpp).
struct LockCounts {
  int64_t acquired = 0, refused = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t seen_in_process = 0, expired = 0, stale = 0, accepted = 0, max_hold_us = 0;
  int64_t exclusion = 0, out_of_order = 0, regressions = 0, foreign = 0;
};
// The lock's Correctness from its counts and examples.
reports::Correctness lock_correctness(uint32_t keys, int64_t ttl_ms, const LockCounts& n, bool safe_by_design,
                                      std::vector<std::string> examples);

// violations = mutual_exclusion_violations + tokens_out_of_order + resource_regressions + foreign_releases.
// details also: expired_leases (held past the TTL), stale_writes_rejected (fencing working, not a violation).
reports::Correctness check_lock(const LockCheckInput& in);
// The keys check_lock writes into correctness.details.
std::span<const DetailField> lock_details();

}  // namespace lh::scenarios
