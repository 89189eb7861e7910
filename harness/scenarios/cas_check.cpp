#include "harness/scenarios/cas_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "harness/scenarios/cas_stream.hpp"
#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 12> kDetails = {{
    {"keys", "keys"},
    {"swaps_acknowledged", "swaps acknowledged"},
    {"swaps_refused", "swaps refused (the value had changed)"},
    {"indeterminate", "swaps indeterminate"},
    {"failed", "swaps failed"},
    {"chain_length", "swaps on the chain to the final value"},
    {"values_consumed_twice", "extra winning swaps from an already consumed value"},
    {"values_with_several_winners", "values with several winning swaps"},
    {"chain_breaks", "chain breaks"},
    {"final_unreachable", "final values no recorded swap leads to"},
    {"final", "final value (one key)", DetailType::string},
    {"ignored_events", "events of unknown keys (ignored)"},
}};

// Values are dense per client (op numbers count up), so value -> slot is an array lookup, not a hash.
class ValueIndex {
 public:
  // `known`: what note() saw of every event of the run (CasState's), when `h` holds only some of them.
  ValueIndex(std::span<const Event> h, const std::vector<uint64_t>* known) {
    std::vector<uint64_t> max_seq = known ? *known : std::vector<uint64_t>{};
    for (const Event& e : h) note(e.b, max_seq);
    base_.assign(max_seq.size() + 1, 0);
    for (std::size_t c = 0; c < max_seq.size(); ++c) base_[c + 1] = base_[c] + max_seq[c];
  }
  static constexpr uint64_t npos = UINT64_MAX;
  uint64_t size() const { return base_.back(); }
  uint64_t slot(int64_t v) const {
    if (v <= 0 || (static_cast<uint64_t>(v) >> 40) == 0) return npos;  // not a cas_value (e.g. the initial 0)
    const uint64_t c = (static_cast<uint64_t>(v) >> 40) - 1,
                   s = static_cast<uint64_t>(v) & ((1ull << 40) - 1);
    if (c + 1 >= base_.size() || s >= base_[c + 1] - base_[c]) return npos;
    return base_[c] + s;
  }
  // "c3#12": the value client 3's op 12 wrote.
  static std::string name(int64_t v) { return cas_value_name(v); }

  static void note(int64_t v, std::vector<uint64_t>& max_seq) {  // also CasState::add's
    if (v <= 0) return;
    const uint64_t c = (static_cast<uint64_t>(v) >> 40) - 1,
                   s = static_cast<uint64_t>(v) & ((1ull << 40) - 1);
    if (c >= (1u << 24) || s > (1ull << 32)) return;  // not a cas_value of a plausible run
    if (c >= max_seq.size()) max_seq.resize(c + 1, 0);
    max_seq[c] = std::max(max_seq[c], s + 1);
  }

 private:
  std::vector<uint64_t> base_;
};

}  // namespace

std::span<const DetailField> cas_details() { return kDetails; }

std::string cas_value_name(int64_t v) {
  if (!is_cas_value(v)) return std::to_string(v);
  // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict, falsely) on "c" + std::to_string(...) here.
  std::string out = "c";
  out += std::to_string((static_cast<uint64_t>(v) >> 40) - 1);
  out += '#';
  out += std::to_string(static_cast<uint64_t>(v) & ((1ull << 40) - 1));
  return out;
}

reports::Correctness cas_correctness(std::size_t keys, const CasCounts& n, const std::vector<int64_t>& final,
                                     bool safe_by_design, std::vector<std::string> examples) {
  const int64_t breaks = n.unreachable_finals + n.off_chain_breaks;
  reports::Correctness c;
  c.invariant =
      "every value is consumed by at most one successful swap, and the successful swaps form one chain from "
      "the initial value to the final value";
  c.safe_by_design = safe_by_design;
  c.details = {{"keys", keys},
               {"swaps_acknowledged", n.won},
               {"swaps_refused", n.refused},
               {"indeterminate", n.indeterminate},
               {"failed", n.failed},
               {"chain_length", n.chain_length},
               {"values_consumed_twice", n.consumed_twice},
               {"values_with_several_winners", n.values_contested},
               {"chain_breaks", breaks},
               {"final_unreachable", n.unreachable_finals}};
  if (keys == 1 && !final.empty()) c.details["final"] = cas_value_name(final[0]);
  if (n.ignored) c.details["ignored_events"] = n.ignored;
  support::set_verdict(c, n.consumed_twice + breaks);
  c.examples = std::move(examples);
  return c;
}

reports::Correctness check_cas(const CasCheckInput& in) {
  const std::size_t nkeys = std::min(in.initial.size(), in.final.size());
  const auto& h = in.history;
  const ValueIndex idx(h, in.max_seq);
  constexpr uint32_t none = UINT32_MAX;
  std::vector<uint32_t> producer(idx.size(), none);  // the swap that wrote each value (ok or indeterminate)
  std::vector<uint8_t> consumers(idx.size(), 0);     // acknowledged swaps from each value (saturating)
  std::vector<uint32_t> initial_consumers(nkeys, 0);
  int64_t won = 0, refused = in.dropped.refused, indeterminate = 0, failed = in.dropped.failed,
          ignored = in.dropped.ignored;

  for (uint32_t i = 0; i < h.size(); ++i) {
    const Event& e = h[i];
    if (e.key >= nkeys) {
      ++ignored;
      continue;
    }
    const Outcome o = e.result();
    if (o == Outcome::failed) {
      ++failed;
    } else if (e.kind == kCasRefused) {
      ++refused;
    } else {
      (o == Outcome::ok ? won : indeterminate) += 1;
      const uint64_t p = idx.slot(e.b);
      if (p != ValueIndex::npos) producer[p] = i;
      if (o != Outcome::ok) continue;
      if (e.a == in.initial[e.key]) {
        ++initial_consumers[e.key];
      } else if (uint64_t s = idx.slot(e.a); s != ValueIndex::npos && consumers[s] < 255) {
        ++consumers[s];
      }
    }
  }

  // consumed_twice counts the extra winners (a value won by 3 swaps adds 2); values_contested the values.
  int64_t consumed_twice = 0, values_contested = 0;
  for (uint8_t c : consumers) {
    consumed_twice += c > 1 ? c - 1 : 0;
    values_contested += c > 1;
  }
  for (uint32_t c : initial_consumers) {
    consumed_twice += c > 1 ? c - 1 : 0;
    values_contested += c > 1;
  }

  // The chain: walk back from each key's final value through the swaps that produced it.
  std::vector<uint8_t> on_chain(idx.size(), 0);
  int64_t unreachable_finals = 0, chain_length = 0;
  for (std::size_t k = 0; k < nkeys; ++k) {
    int64_t v = in.final[k];
    while (v != in.initial[k]) {
      const uint64_t s = idx.slot(v);
      if (s == ValueIndex::npos || producer[s] == none || on_chain[s]) {
        ++unreachable_finals;  // a value nobody recorded writing (or a cycle): the chain is broken
        break;
      }
      on_chain[s] = 1;
      ++chain_length;
      v = h[producer[s]].a;
    }
  }
  // An acknowledged swap off the chain was lost. If its source value had another acknowledged consumer,
  // consumed_twice already counts it; otherwise it is a break of its own.
  int64_t off_chain_breaks = 0;
  auto single_consumer = [&](const Event& e) {
    if (e.a == in.initial[e.key]) return initial_consumers[e.key] <= 1;
    const uint64_t s = idx.slot(e.a);
    return s == ValueIndex::npos || consumers[s] <= 1;
  };
  for (const Event& e : h) {
    if (e.key >= nkeys || e.result() != Outcome::ok || e.kind != kCasWon) continue;
    const uint64_t s = idx.slot(e.b);
    if ((s == ValueIndex::npos || !on_chain[s]) && single_consumer(e)) ++off_chain_breaks;
  }
  const CasCounts n{won,
                    refused,
                    indeterminate,
                    failed,
                    ignored,
                    chain_length,
                    consumed_twice,
                    values_contested,
                    unreachable_finals,
                    off_chain_breaks};
  reports::Correctness c = cas_correctness(nkeys, n, in.final, in.safe_by_design, {});
  if (c.violations == 0) return c;

  // Evidence: the first acknowledged consumer of each value, then every later one.
  std::vector<uint32_t> first_consumer(idx.size(), none), first_initial(nkeys, none);
  for (uint32_t i = 0; i < h.size() && c.examples.size() < support::kMaxExamples; ++i) {
    const Event& e = h[i];
    if (e.key >= nkeys || e.result() != Outcome::ok || e.kind != kCasWon) continue;
    uint32_t* f = nullptr;
    if (e.a == in.initial[e.key]) f = &first_initial[e.key];
    else if (uint64_t s = idx.slot(e.a); s != ValueIndex::npos) f = &first_consumer[s];
    if (!f) continue;
    if (*f == none) {
      *f = i;
      continue;
    }
    const Event& o = h[*f];
    c.examples.push_back("value " + ValueIndex::name(e.a) + " of key " + std::to_string(e.key) +
                         " consumed twice: " + support::who(o) + " swapped it for " + ValueIndex::name(o.b) +
                         " and " + support::who(e) + " for " + ValueIndex::name(e.b) + ", both acknowledged");
  }
  for (std::size_t k = 0; k < nkeys && unreachable_finals && c.examples.size() < support::kMaxExamples; ++k) {
    int64_t v = in.final[k];
    std::vector<uint8_t> seen;
    while (v != in.initial[k]) {
      const uint64_t s = idx.slot(v);
      if (s == ValueIndex::npos || producer[s] == none) {
        c.examples.push_back("key " + std::to_string(k) + ": the chain from final value " +
                             ValueIndex::name(in.final[k]) + " breaks at " + ValueIndex::name(v) +
                             ", which no recorded swap wrote");
        break;
      }
      if (seen.size() <= s) seen.resize(s + 1, 0);
      if (seen[s]) break;
      seen[s] = 1;
      v = h[producer[s]].a;
    }
  }
  return c;
}

CasState::CasState(std::size_t keys) : keys_(keys) {}
CasState::~CasState() = default;

std::size_t CasState::bytes() const {
  return kept_.capacity() * sizeof(Event) + max_seq_.capacity() * sizeof(uint64_t) +
         (stream_ ? stream_->bytes() : 0);
}
uint64_t CasState::events() const { return events_ + (stream_ ? stream_->events() : 0); }

void CasState::start_stream(uint32_t threads) {
  stream_ = std::make_unique<CasStream>(keys_);
  stream_->start(threads);
}

void CasState::hand_off(engine::CheckState& shared, uint32_t thread, uint64_t floor_us) {
  engine::same_form<CasState>(*this, shared);
  auto& to = static_cast<CasState&>(shared);
  if (!to.stream_) throw std::logic_error("CasState::hand_off: the shared state does not stream");
  to.stream_->hand_off(kept_, dropped_, max_seq_, events_, thread, floor_us);
  kept_.clear();
  dropped_ = {};
  events_ = 0;
}

void CasState::add(const Event& e) {
  ++events_;
  ValueIndex::note(e.b, max_seq_);
  if (e.key >= keys_) {
    ++dropped_.ignored;
  } else if (e.result() == Outcome::failed) {
    ++dropped_.failed;
  } else if (e.kind == kCasRefused) {
    ++dropped_.refused;
  } else {
    kept_.push_back(e);
  }
}

void CasState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<CasState>(*this, other);
  if (stream_ || o.stream_)
    throw std::logic_error("a streamed cas state does not merge: it is the run's one");
  if (o.keys_ != keys_)
    throw std::invalid_argument("cannot merge cas states of " + std::to_string(o.keys_) + " and " +
                                std::to_string(keys_) + " keys");
  kept_.insert(kept_.end(), o.kept_.begin(), o.kept_.end());
  if (max_seq_.size() < o.max_seq_.size()) max_seq_.resize(o.max_seq_.size(), 0);
  for (std::size_t c = 0; c < o.max_seq_.size(); ++c) max_seq_[c] = std::max(max_seq_[c], o.max_seq_[c]);
  dropped_.refused += o.dropped_.refused;
  dropped_.failed += o.dropped_.failed;
  dropped_.ignored += o.dropped_.ignored;
  events_ += o.events_;
}

nlohmann::json CasState::save() const {
  if (stream_)
    throw std::logic_error("a streamed cas state is judged in process: a shard's keeps its events");
  return {{"form", "cas"},
          {"keys", keys_},
          {"events", events_},
          {"refused", dropped_.refused},
          {"failed", dropped_.failed},
          {"ignored", dropped_.ignored},
          {"max_seq", max_seq_},
          {"kept", engine::save_events(kept_)}};
}

void CasState::load(const nlohmann::json& j) {
  engine::expect_form(j, "cas");
  support::expect_keys(j, keys_);
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
  dropped_ = {support::load_int(j, "refused"), support::load_int(j, "failed"),
              support::load_int(j, "ignored")};
  max_seq_.clear();
  for (const auto& x : engine::state_field(j, "max_seq")) {
    if (!x.is_number_unsigned()) throw std::invalid_argument("check_state.max_seq: not counts");
    max_seq_.push_back(x.get<uint64_t>());
  }
  kept_ = engine::load_events(engine::state_field(j, "kept"), "kept");
}

reports::Correctness CasState::finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                                      bool safe_by_design) const {
  if (stream_) return stream_->finish(initial, final, safe_by_design);
  CasCheckInput in{kept_, initial, final, safe_by_design, dropped_, &max_seq_};
  return check_cas(in);
}

}  // namespace lh::scenarios
