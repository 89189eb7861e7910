#include "harness/scenarios/counter_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 11> kDetails = {{
    {"keys", "counters"},
    {"acknowledged", "increments acknowledged"},
    {"indeterminate", "increments indeterminate"},
    {"failed", "increments failed"},
    {"initial", "initial value (all counters)"},
    {"final", "final value (all counters)"},
    {"rise_lower_bound", "rise expected at least"},
    {"rise_upper_bound", "rise explained at most"},
    {"lost_updates", "lost updates"},
    {"unexplained_increments", "unexplained increments"},
    {"ignored_events", "events of unknown keys (ignored)"},
}};

}  // namespace

std::span<const DetailField> counter_details() { return kDetails; }

namespace {
uint64_t value_id(uint16_t key, int64_t value) {
  return static_cast<uint64_t>(key) << 48 | (static_cast<uint64_t>(value) & ((uint64_t(1) << 48) - 1));
}
}  // namespace

void CounterState::add(const Event& e) {
  ++events_;
  if (e.key >= ok_.size()) {
    ++ignored_;
    return;
  }
  switch (e.result()) {
    case Outcome::ok:
      ++ok_[e.key];
      if (e.b >= 0) written_.add(value_id(e.key, e.b), support::Who::of(e, e.a));
      break;
    case Outcome::failed:
      ++failed_[e.key];
      break;
    default:
      ++indeterminate_[e.key];
      break;
  }
}

void CounterState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<CounterState>(*this, other);
  support::add_tally(ok_, o.ok_);
  support::add_tally(indeterminate_, o.indeterminate_);
  support::add_tally(failed_, o.failed_);
  ignored_ += o.ignored_;
  events_ += o.events_;
  written_.merge(o.written_);
}

nlohmann::json CounterState::save() const {
  return {{"form", "counter"},
          {"keys", ok_.size()},
          {"events", events_},
          {"ok", ok_},
          {"indeterminate", indeterminate_},
          {"failed", failed_},
          {"ignored", ignored_},
          {"sample", written_.save()}};
}

void CounterState::load(const nlohmann::json& j) {
  engine::expect_form(j, "counter");
  const std::size_t n = ok_.size();
  support::expect_keys(j, n);
  ok_ = support::load_tally(j, "ok", n);
  indeterminate_ = support::load_tally(j, "indeterminate", n);
  failed_ = support::load_tally(j, "failed", n);
  ignored_ = support::load_int(j, "ignored");
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
  written_.load(engine::state_field(j, "sample"));
}

std::size_t CounterState::bytes() const { return 3 * ok_.capacity() * sizeof(int64_t) + written_.bytes(); }

reports::Correctness CounterState::finish(const std::vector<int64_t>& initial,
                                          const std::vector<int64_t>& final, bool safe_by_design) const {
  const std::size_t n = std::min({initial.size(), final.size(), ok_.size()});
  int64_t lost = 0, unexplained = 0, sum_ok = 0, sum_ind = 0, sum_failed = 0, sum_initial = 0, sum_final = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const int64_t rise = final[k] - initial[k];
    lost += std::max<int64_t>(0, ok_[k] - rise);
    unexplained += std::max<int64_t>(0, rise - ok_[k] - indeterminate_[k]);
    sum_ok += ok_[k];
    sum_ind += indeterminate_[k];
    sum_failed += failed_[k];
    sum_initial += initial[k];
    sum_final += final[k];
  }

  reports::Correctness c;
  c.invariant =
      "the counter rises by exactly the acknowledged increments: final - initial in [ok, ok + indeterminate]";
  c.safe_by_design = safe_by_design;
  c.details = {{"keys", n},
               {"acknowledged", sum_ok},
               {"indeterminate", sum_ind},
               {"failed", sum_failed},
               {"initial", sum_initial},
               {"final", sum_final},
               {"rise_lower_bound", sum_ok},
               {"rise_upper_bound", sum_ok + sum_ind},
               {"lost_updates", lost},
               {"unexplained_increments", unexplained}};
  if (ignored_) c.details["ignored_events"] = ignored_;
  support::set_verdict(c, lost + unexplained);
  if (c.violations == 0) return c;

  // Evidence: values written by two acknowledged increments (both read the same value), from the sample.
  if (lost > 0) {
    for (const auto& p : written_.pairs()) {
      if (c.examples.size() >= support::kMaxExamples) break;
      const uint64_t key = p.id >> 48, value = p.id & ((uint64_t(1) << 48) - 1);
      c.examples.push_back("value " + std::to_string(value) + " of key " + std::to_string(key) +
                           " written by " + p.first.text() + " and " + p.second.text() + ": both read " +
                           std::to_string(p.second.aux) + ", both acknowledged, one increment lost");
    }
  }
  for (std::size_t k = 0; k < n && c.examples.size() < support::kMaxExamples; ++k) {
    const int64_t rise = final[k] - initial[k];
    if (rise < ok_[k] || rise > ok_[k] + indeterminate_[k])
      c.examples.push_back("key " + std::to_string(k) + ": " + std::to_string(ok_[k]) +
                           " increments acknowledged (+" + std::to_string(indeterminate_[k]) +
                           " indeterminate), but the counter rose by " + std::to_string(rise));
  }
  return c;
}

reports::Correctness check_counter(const CounterCheckInput& in) {
  CounterState s(std::min(in.initial.size(), in.final.size()));
  for (const Event& e : in.history) s.add(e);
  return s.finish(in.initial, in.final, in.safe_by_design);
}

}  // namespace lh::scenarios
