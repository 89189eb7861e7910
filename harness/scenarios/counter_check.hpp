// The counter's checker: did the counter rise by exactly the acknowledged increments?
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/check_support.hpp"
#include "harness/scenarios/details.hpp"

namespace lh::scenarios {

using engine::Event;
using engine::History;

// Event: kind 0 (increment), key = counter index, a = value read (-1 if unknown), b = value written (a + 1).
struct CounterCheckInput {
  std::span<const Event> history;
  std::vector<int64_t> initial;  // per key, before the load
  std::vector<int64_t> final;    // per key, read back after it
  bool safe_by_design = false;
};
// The streaming state: per key, the increments acknowledged, indeterminate and failed, and a sample of the
// values acknowledged writes wrote (two writers of one value: a lost update's evidence).
class CounterState final : public engine::CheckState {
 public:
  explicit CounterState(std::size_t keys) : ok_(keys), indeterminate_(keys), failed_(keys) {}
  std::string_view form() const override { return "counter"; }
  void add(const Event& e) override;
  void merge(const engine::CheckState& o) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override;
  uint64_t events() const override { return events_; }
  std::size_t keys() const { return ok_.size(); }
  reports::Correctness finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                              bool safe_by_design) const;

 private:
  std::vector<int64_t> ok_, indeterminate_, failed_;
  int64_t ignored_ = 0;
  uint64_t events_ = 0;
  support::WriterSample written_;  // id: key << 48 | value written; aux: value read
};

// check_counter on a whole history: a CounterState fed with it, then finish(). final - initial must lie in
// [ok, ok + indeterminate]. violations = lost updates (ok - rise, when positive)
// + unexplained increments (rise - ok - indeterminate, when positive).
reports::Correctness check_counter(const CounterCheckInput& in);
// The keys check_counter writes into correctness.details.
std::span<const DetailField> counter_details();

}  // namespace lh::scenarios
