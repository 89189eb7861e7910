// The compare-and-swap checker: is every value consumed by at most one successful swap, and do the swaps form
// one chain from the initial value to the final one?
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "harness/engine/check_state.hpp"
#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// Values are integers; the initial value is given per key, and every op's new value is cas_value(client,
// seq), unique in the run. Event: kind kCasWon (a swap that took effect, or was attempted when indeterminate)
// or kCasRefused (ok: the value had changed), key = index, a = expected value, b = new value.
inline constexpr uint8_t kCasWon = 0, kCasRefused = 1;
constexpr int64_t cas_value(uint32_t client, uint64_t seq) {
  return static_cast<int64_t>((static_cast<uint64_t>(client & 0xFFFFFF) + 1) << 40 |
                              (seq & ((1ull << 40) - 1)));
}
// What CasState counts and drops: refused swaps, failed ops, events of unknown keys.
struct CasDropped {
  int64_t refused = 0, failed = 0, ignored = 0;
};
struct CasCheckInput {
  std::span<const Event> history;
  std::vector<int64_t> initial;  // per key; must not be a cas_value()
  std::vector<int64_t> final;
  bool safe_by_design = false;
  CasDropped dropped{};                            // counted, not in `history`
  const std::vector<uint64_t>* max_seq = nullptr;  // per client, 1 + the highest op number of a value seen
};

// The state: the swaps that took effect or may have (the chain is made of them), kept whole; the refused and
// failed ones only counted (three in four at full contention). It grows with the winning swaps.
class CasState final : public engine::CheckState {
 public:
  explicit CasState(std::size_t keys) : keys_(keys) {}
  std::string_view form() const override { return "cas"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override {
    return kept_.capacity() * sizeof(Event) + max_seq_.capacity() * sizeof(uint64_t);
  }
  uint64_t events() const override { return events_; }
  reports::Correctness finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                              bool safe_by_design) const;

 private:
  std::size_t keys_;
  History kept_;
  CasDropped dropped_;
  std::vector<uint64_t> max_seq_;
  uint64_t events_ = 0;
};
// violations = values consumed by more than one acknowledged swap (the extra ones) + chain breaks
// (the final value does not trace back to the initial one through recorded swaps; an acknowledged swap off
// that chain whose source value was consumed only once). An indeterminate swap is an optional edge.
reports::Correctness check_cas(const CasCheckInput& in);
// The keys check_cas writes into correctness.details.
std::span<const DetailField> cas_details();

}  // namespace lh::scenarios
