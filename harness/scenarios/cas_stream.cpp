#include "harness/scenarios/cas_stream.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "harness/scenarios/cas_check.hpp"
#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

using support::Watermark;

// An indeterminate swap may still take effect after its client gave up on it (a server that was paused), so
// its value never closes: it stays open, and its ancestors with it, until the end.
constexpr int64_t kNeverCloses = INT64_MAX;

}  // namespace

CasStream::CasStream(std::size_t keys) : keys_(keys), key_(keys) {}

CasStream::Node& CasStream::node(Key& key, int64_t v) { return key.nodes[v]; }

void CasStream::hand_off(const engine::History& swaps, const CasDropped& dropped,
                         const std::vector<uint64_t>& max_seq, uint64_t events, uint32_t thread,
                         uint64_t floor) {
  refused_ += dropped.refused;
  failed_ += dropped.failed;
  ignored_ += dropped.ignored;
  events_ += events;
  if (max_seq_.size() < max_seq.size()) max_seq_.resize(max_seq.size(), 0);
  for (std::size_t c = 0; c < max_seq.size(); ++c) max_seq_[c] = std::max(max_seq_[c], max_seq[c]);
  // Every swap handed over now started at or after the watermark it was recorded under.
  const uint64_t base = mark_.now() == Watermark::kNoFloor ? 0 : mark_.now();
  for (const Event& e : swaps) {
    Key& key = key_[e.key];
    const bool ok = e.result() == Outcome::ok;
    (ok ? won_ : indeterminate_) += 1;
    const uint64_t start = Watermark::since(base, e.start_us), end = Watermark::since(start, e.end_us);
    Node& b = node(key, e.b);
    b.produced = true;
    b.parent = e.a;
    b.produced_end = ok ? static_cast<int64_t>(end) : kNeverCloses;
    b.len = 1;
    b.on_link = 0;
    b.last_ok = ok;
    if (ok) key.open.push(Open{b.produced_end, e.b});
    Node& a = node(key, e.a);
    a.children.push_back(e.b);
    if (!ok) continue;
    key.writes.push(Write{end, start});
    if (++a.consumers == 1) {
      a.first_client = e.client;
      a.first_seq = e.seq;
      a.first_to = e.b;
    } else if (examples_.size() < support::kMaxExamples) {
      examples_.push_back("value " + cas_value_name(e.a) + " of key " + std::to_string(e.key) +
                          " consumed twice: client " + std::to_string(a.first_client) + " op " +
                          std::to_string(a.first_seq) + " swapped it for " + cas_value_name(a.first_to) +
                          " and " + support::who(e) + " for " + cas_value_name(e.b) + ", both acknowledged");
    }
  }
  mark_.update(thread, floor);
  const uint64_t w = mark_.now();
  for (Key& key : key_) {
    while (!key.writes.empty() && key.writes.top().end < w) {
      key.latest_start = std::max(key.latest_start, static_cast<int64_t>(key.writes.top().start));
      key.writes.pop();
    }
    while (!key.open.empty() && key.open.top().produced_end < key.latest_start) {
      const Open o = key.open.top();
      key.open.pop();
      auto it = key.nodes.find(o.value);
      if (it != key.nodes.end() && it->second.produced && !it->second.closed &&
          it->second.produced_end == o.produced_end)
        close(key, o.value);
    }
  }
}

// A closed value's consumers are all known: its part of the counts is final.
void CasStream::close(Key& key, int64_t v) {
  Node& n = key.nodes.at(v);
  n.closed = true;
  const uint32_t c = std::min<uint32_t>(n.consumers, 255);  // check_cas's counts saturate there
  consumed_twice_ += c > 1 ? c - 1 : 0;
  contested_ += c > 1;
  single_source_ok_ += c == 1;
  settle(key, v);
}

void CasStream::settle(Key& key, int64_t v) {
  while (true) {
    auto it = key.nodes.find(v);
    if (it == key.nodes.end() || !it->second.closed) return;
    Node& n = it->second;
    const int64_t parent = n.parent;
    auto p = key.nodes.find(parent);
    if (n.children.empty()) {  // off every chain that can still end in the final value: forgotten
      key.nodes.erase(it);
      if (p == key.nodes.end()) return;
      auto& siblings = p->second.children;
      siblings.erase(std::find(siblings.begin(), siblings.end(), v));
      v = parent;  // which may now be forgotten or folded in turn
      continue;
    }
    if (n.children.size() == 1) {  // a stretch of the chain: its one child links past it
      auto c = key.nodes.find(n.children[0]);
      if (c == key.nodes.end()) return;
      Node& x = c->second;
      x.on_link += (x.last_ok && single(n) ? 1 : 0) + n.on_link;
      x.len += n.len;
      x.last_ok = n.last_ok;
      x.parent = parent;
      if (p != key.nodes.end())
        std::replace(p->second.children.begin(), p->second.children.end(), v, c->first);
      key.nodes.erase(it);
    }
    return;
  }
}

reports::Correctness CasStream::finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                                       bool safe_by_design) const {
  if (mark_.now() != Watermark::kNoFloor)
    throw std::logic_error("CasStream::finish: a thread has not handed its last swaps over");
  if (initial.size() != keys_ || final.size() != keys_)
    throw std::invalid_argument("CasStream::finish: the initial and final values of another key count");
  CasCounts n;
  n.won = won_;
  n.refused = refused_;
  n.indeterminate = indeterminate_;
  n.failed = failed_;
  n.ignored = ignored_;
  n.consumed_twice = consumed_twice_;
  n.values_contested = contested_;
  int64_t single_source_ok = single_source_ok_;
  std::vector<std::string> examples = examples_;
  // check_cas's value index: a value it never saw written or noted counts no consumers.
  auto indexed = [this](int64_t v) {
    if (!is_cas_value(v)) return false;
    const uint64_t c = (static_cast<uint64_t>(v) >> 40) - 1,
                   s = static_cast<uint64_t>(v) & ((1ull << 40) - 1);
    return c < max_seq_.size() && s < max_seq_[c];
  };
  for (std::size_t k = 0; k < keys_; ++k) {
    const Key& key = key_[k];
    // The values still open, and the initial one: their counts are final now.
    for (const auto& [v, x] : key.nodes) {
      if (x.closed) continue;
      const bool counted = v == initial[k] || indexed(v);
      const uint32_t c = v == initial[k] ? x.consumers : std::min<uint32_t>(x.consumers, 255);
      if (!counted) {
        single_source_ok += x.consumers;
        continue;
      }
      n.consumed_twice += c > 1 ? c - 1 : 0;
      n.values_contested += c > 1;
      single_source_ok += c == 1;
    }
    auto single_source = [&](int64_t p) {
      if (p != initial[k] && !indexed(p)) return true;
      auto it = key.nodes.find(p);
      return it == key.nodes.end() || single(it->second);  // saturating at 255 changes no count <= 1
    };
    // The chain: back from the final value through the links to the initial one.
    std::unordered_set<int64_t> seen;
    int64_t v = final[k];
    while (v != initial[k]) {
      auto it = key.nodes.find(v);
      if (it == key.nodes.end() || !it->second.produced || !seen.insert(v).second) {
        ++n.unreachable_finals;
        if (examples.size() < support::kMaxExamples && (it == key.nodes.end() || !it->second.produced))
          examples.push_back("key " + std::to_string(k) + ": the chain from final value " +
                             cas_value_name(final[k]) + " breaks at " + cas_value_name(v) +
                             ", which no recorded swap wrote");
        break;
      }
      const Node& x = it->second;
      n.chain_length += static_cast<int64_t>(x.len);
      single_source_ok -= static_cast<int64_t>(x.on_link) + (x.last_ok && single_source(x.parent) ? 1 : 0);
      v = x.parent;
    }
  }
  n.off_chain_breaks = single_source_ok;
  return cas_correctness(keys_, n, final, safe_by_design, std::move(examples));
}

std::size_t CasStream::bytes() const {
  std::size_t b = key_.capacity() * sizeof(Key) + max_seq_.capacity() * sizeof(uint64_t);
  for (const Key& k : key_) {
    b += k.nodes.size() * (sizeof(Node) + 32) + k.nodes.bucket_count() * sizeof(void*);
    for (const auto& [v, x] : k.nodes) b += x.children.capacity() * sizeof(int64_t);
    b += k.writes.size() * sizeof(Write) + k.open.size() * sizeof(Open);
  }
  return b;
}

}  // namespace lh::scenarios
