// The compare-and-swap checker: is every value consumed by at most one successful swap, and do the swaps form
// one chain from the initial value to the final one?
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
class CasStream;

// Streamed (engine/check_state.hpp), the state is the run's one CasStream instead: flat.
class CasState final : public engine::CheckState {
 public:
  explicit CasState(std::size_t keys);
  ~CasState() override;
  std::string_view form() const override { return "cas"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override;
  uint64_t events() const override;
  bool streams() const override { return true; }
  void start_stream(uint32_t threads) override;
  void hand_off(engine::CheckState& shared, uint32_t thread, uint64_t floor_us) override;
  reports::Correctness finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                              bool safe_by_design) const;

 private:
  std::size_t keys_;
  History kept_;
  CasDropped dropped_;
  std::vector<uint64_t> max_seq_;
  uint64_t events_ = 0;
  std::unique_ptr<CasStream> stream_;  // the shared state of a streamed run
};
// check_cas's counts, however they were found (the whole history, or the stream: cas_stream.hpp).
struct CasCounts {
  int64_t won = 0, refused = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t chain_length = 0, consumed_twice = 0, values_contested = 0, unreachable_finals = 0,
          off_chain_breaks = 0;
};
// The cas Correctness from its counts and examples (`final`: the keys' final values).
reports::Correctness cas_correctness(std::size_t keys, const CasCounts& n, const std::vector<int64_t>& final,
                                     bool safe_by_design, std::vector<std::string> examples);
// "c3#12": the value client 3's op 12 wrote (a number as it is when it is no cas_value).
std::string cas_value_name(int64_t v);
constexpr bool is_cas_value(int64_t v) { return v > 0 && (static_cast<uint64_t>(v) >> 40) != 0; }

// violations = values consumed by more than one acknowledged swap (the extra ones) + chain breaks
// (the final value does not trace back to the initial one through recorded swaps; an acknowledged swap off
// that chain whose source value was consumed only once). An indeterminate swap is an optional edge.
reports::Correctness check_cas(const CasCheckInput& in);
// The keys check_cas writes into correctness.details.
std::span<const DetailField> cas_details();

}  // namespace lh::scenarios
