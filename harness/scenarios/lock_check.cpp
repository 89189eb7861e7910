// check_lock: one decoding pass over the history, then, per resource, one sweep per property.
//
// Times are bounds, never guesses: the lease starts when SET runs, somewhere inside the acquire call, so it
// is certainly valid from acq_end to acq_start + ttl, and certainly expired after acq_end + ttl. A write ran
// inside [acq_end, rel_start] (the critical section).
//
//   decode              outcomes; per acquisition its hold, its write, its lease (expired_leases, ...)
//   mutual_exclusion    two critical sections overlap while both leases are valid
//   index_tokens        a token issued twice; the resource accepting one token twice
//   tokens_in_real_time a lower token acquired after a higher one; the resource accepting a lower token
//                       after a higher one
//   final_resource      the resource ends below a token it accepted
//   foreign_releases    a release deleted a lock another holder had acquired since
//
// The sweeps run in this order per resource, and their examples are kept in that order.
#include "harness/scenarios/lock_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <tuple>

#include "harness/scenarios/check_support.hpp"
#include "harness/scenarios/lock_stream.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 17> kDetails = {{
    {"keys", "resources"},
    {"ttl_ms", "lease (ms)"},
    {"acquisitions", "acquisitions"},
    {"refused", "acquisitions refused (held)"},
    {"indeterminate", "ops indeterminate"},
    {"failed", "ops failed"},
    {"mutual_exclusion_violations", "two holders inside with valid leases"},
    {"overlaps_seen_in_process", "entries into an occupied section (seen in process)"},
    {"expired_leases", "holds past the lease"},
    {"max_hold_ms", "longest hold (ms)", DetailType::number},
    {"writes_accepted", "fenced writes accepted"},
    {"stale_writes_rejected", "stale writes rejected (fencing at work)"},
    {"tokens_out_of_order", "tokens repeated or out of real-time order"},
    {"resource_regressions", "resource regressions"},
    {"foreign_releases", "releases that deleted a lock another holder took"},
    {"violations_are", "violations are", DetailType::string},
    {"ignored_events", "events of unknown resources (ignored)"},
}};

// One acquisition, decoded from its event.
struct Hold {
  uint32_t acq_start, acq_end, rel_start, event;
  int64_t token;
  uint8_t flags;  // the event's kind bits
};

// What the decoding pass counts: outcomes, and the facts of the holds that are no violation.
struct Tally {
  int64_t acquired = 0, refused = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t seen_in_process = 0, expired = 0, stale = 0, accepted = 0, max_hold_us = 0;
};

// The violations, by kind (each sweep adds to some of them).
struct Violations {
  int64_t exclusion = 0, out_of_order = 0, regressions = 0, foreign = 0;
};

// The acquisitions grouped by resource: those of resource k are holds[begin[k] .. begin[k + 1]).
struct HoldsByKey {
  std::vector<Hold> holds;
  std::vector<uint32_t> begin;
};

// Per token: the holds that carried it.
constexpr uint32_t kNone = UINT32_MAX;
struct TokenSlot {
  uint32_t first = kNone;                  // the first hold with this token
  uint32_t accepted = kNone;               // a hold whose write with this token the resource accepted
  uint32_t min_acq_end = UINT32_MAX;       // earliest acquire end among its holds
  uint32_t min_rel_accepted = UINT32_MAX;  // earliest critical-section end among its accepted writes
};

// Indices 0..n-1 of `holds` ordered by `time(hold)`, by radix sort on (time << 32 | index).
template <class F>
void order_by(std::span<const Hold> holds, F time, std::vector<uint64_t>& out,
              std::vector<uint64_t>& scratch) {
  out.resize(holds.size());
  for (std::size_t i = 0; i < holds.size(); ++i) out[i] = static_cast<uint64_t>(time(holds[i])) << 32 | i;
  support::radix_sort(out, scratch, 4, 8);
  for (auto& x : out) x &= 0xFFFFFFFF;
}

// The example sentences, built only while more are wanted.
class Examples {
 public:
  explicit Examples(std::span<const Event> h) : h_(h) {}
  template <class F>
  void add(F sentence) {
    if (out_.size() < support::kMaxExamples) out_.push_back(sentence());
  }
  // "client 3 op 12 (token 7)"
  std::string desc(const Hold& x) const {
    return support::who(h_[x.event]) + " (token " + std::to_string(x.token) + ")";
  }
  std::vector<std::string> take() { return std::move(out_); }

 private:
  std::span<const Event> h_;
  std::vector<std::string> out_;
};

// One resource's acquisitions, and the orders the sweeps walk them in.
struct Resource {
  uint32_t key = 0;
  std::span<const Hold> holds;
  std::string prefix;              // "resource 3: ", for the examples
  std::vector<uint64_t> by_start;  // indices into holds, by acquire start
  std::vector<uint64_t> by_end;    // by acquire end (entry into the critical section)
};

// Decodes every event once: counts the outcomes, and for each acquisition (a token) how long it held and
// what its write met (expired_leases, writes_accepted, stale_writes_rejected, overlaps_seen_in_process),
// grouping the acquisitions by resource (counting sort). Refused acquisitions (no token) hold nothing.
HoldsByKey decode(const LockCheckInput& in, uint64_t ttl_us, Tally& t) {
  const auto& h = in.history;
  HoldsByKey out;
  std::vector<uint32_t>& count = out.begin;
  count.assign(in.keys + 1, 0);
  for (const Event& e : h) {
    if (e.key >= in.keys) continue;
    if (e.a >= 0) ++count[e.key + 1];
  }
  for (uint32_t k = 0; k < in.keys; ++k) count[k + 1] += count[k];
  out.holds.resize(count[in.keys]);
  std::vector<uint32_t> fill(count.begin(), count.end() - 1);
  for (uint32_t i = 0; i < h.size(); ++i) {
    const Event& e = h[i];
    if (e.key >= in.keys) {
      ++t.ignored;
      continue;
    }
    const Outcome o = e.result();
    t.indeterminate += o == Outcome::indeterminate;
    t.failed += o == Outcome::failed;
    if (e.a < 0) {
      t.refused += o == Outcome::ok;
      continue;
    }
    ++t.acquired;
    const uint32_t acq_end = static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32);
    const uint32_t rel_start = static_cast<uint32_t>(e.b);
    out.holds[fill[e.key]++] = Hold{e.start_us, acq_end, rel_start, i, e.a, static_cast<uint8_t>(e.kind)};
    const int64_t held = static_cast<int64_t>(rel_start) - acq_end;
    t.max_hold_us = std::max(t.max_hold_us, held);
    t.expired += held > static_cast<int64_t>(ttl_us);
    t.stale += (e.kind & 3) == kLockWriteRejected;
    t.accepted += (e.kind & 3) == kLockWriteAccepted;
    t.seen_in_process += (e.kind & kLockSawOtherHolder) != 0;
  }
  // Each resource's holds in one order whatever order the events came in (threads, shards): a repeated
  // token's "first" holder, and so the real-time checks, must not depend on how the history was merged.
  auto order = [&h](const Hold& x) {
    const Event& e = h[x.event];
    return std::make_tuple(x.acq_start, x.acq_end, x.rel_start, x.token, e.client,
                           static_cast<uint32_t>(e.seq));
  };
  auto before = [&order](const Hold& x, const Hold& y) { return order(x) < order(y); };
  for (uint32_t k = 0; k < in.keys; ++k)
    std::sort(out.holds.begin() + count[k], out.holds.begin() + count[k + 1], before);
  return out;
}

// Mutual exclusion: critical sections, each cut to the time its lease was certainly valid, must not overlap.
// Sweeps in entry order, remembering the latest such exit so far. Returns the entries into an occupied one.
int64_t mutual_exclusion(const Resource& r, uint64_t ttl_us, Examples& ex) {
  const auto& H = r.holds;
  int64_t overlaps = 0;
  uint64_t busy_until = 0;
  uint32_t busy_by = 0;
  for (uint64_t j : r.by_end) {
    const Hold& x = H[j];
    const uint64_t valid_until = std::min<uint64_t>(x.rel_start, uint64_t(x.acq_start) + ttl_us);
    if (valid_until <= x.acq_end) continue;  // its lease could have expired before it entered
    if (x.acq_end < busy_until) {
      ++overlaps;
      ex.add([&] {
        return r.prefix + ex.desc(x) + " entered the critical section at " + support::at_ms(x.acq_end) +
               " while " + ex.desc(H[busy_by]) + " was inside with a valid lease until " +
               support::at_ms(busy_until);
      });
    }
    if (valid_until > busy_until) {
      busy_until = valid_until;
      busy_by = static_cast<uint32_t>(j);
    }
  }
  return overlaps;
}

// The resource's tokens in token order: slots[rank] for each token carried by a hold, where rank = token -
// min when the tokens are dense (the usual case: one INCR counter), else the token's position among the
// distinct tokens. While filling it, in hold order: a token issued to two holds is out of order, and the
// resource accepting the same token twice did not go forward (a regression). Returns the highest token the
// resource accepted (0: none).
int64_t index_tokens(const Resource& r, std::vector<TokenSlot>& slots, Violations& v, Examples& ex) {
  const auto& H = r.holds;
  int64_t min_tok = INT64_MAX, max_tok = INT64_MIN;
  for (const Hold& x : H) {
    min_tok = std::min(min_tok, x.token);
    max_tok = std::max(max_tok, x.token);
  }
  const bool dense = static_cast<uint64_t>(max_tok - min_tok) <= 4 * H.size() + 1024;
  std::vector<int64_t> distinct;
  if (!dense) {
    for (const Hold& x : H) distinct.push_back(x.token);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  }
  auto rank = [&](int64_t t) {
    return dense ? static_cast<std::size_t>(t - min_tok)
                 : static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), t) -
                                            distinct.begin());
  };
  slots.assign(dense ? static_cast<std::size_t>(max_tok - min_tok) + 1 : distinct.size(), TokenSlot{});
  int64_t max_accepted = 0;
  for (uint32_t j = 0; j < H.size(); ++j) {
    const Hold& x = H[j];
    TokenSlot& t = slots[rank(x.token)];
    if (t.first == kNone) {
      t.first = j;
    } else {  // issued twice
      ++v.out_of_order;
      ex.add([&] { return r.prefix + ex.desc(x) + " got a token already issued to " + ex.desc(H[t.first]); });
    }
    t.min_acq_end = std::min(t.min_acq_end, x.acq_end);
    if ((x.flags & 3) != kLockWriteAccepted) continue;
    max_accepted = std::max(max_accepted, x.token);
    if (t.accepted != kNone) {  // the resource accepted the same token twice: it did not go forward
      ++v.regressions;
      ex.add([&] { return r.prefix + "accepted " + ex.desc(x) + " again"; });
    } else {
      t.accepted = j;
    }
    t.min_rel_accepted = std::min(t.min_rel_accepted, x.rel_start);
  }
  return max_accepted;
}

// Tokens against real time, from the highest token down, remembering the earliest acquire end (and
// accepted-write end) among higher tokens. Tokens increase in real time: no higher token's acquire may end
// before this one's began (else out of order). The resource never goes backwards: no higher token's accepted
// write may end before this one's began (else a regression).
void tokens_in_real_time(const Resource& r, const std::vector<TokenSlot>& slots, Violations& v,
                         Examples& ex) {
  const auto& H = r.holds;
  uint32_t higher_acq_end = UINT32_MAX, higher_rel = UINT32_MAX, higher_acq_by = 0, higher_rel_by = 0;
  for (std::size_t i = slots.size(); i-- > 0;) {
    const TokenSlot& t = slots[i];
    if (t.first == kNone) continue;
    const Hold& x = H[t.first];
    if (higher_acq_end < x.acq_start) {
      ++v.out_of_order;
      ex.add([&] {
        return r.prefix + ex.desc(x) + " acquired after " + ex.desc(H[higher_acq_by]) +
               " but got a lower token";
      });
    }
    if (t.accepted != kNone && higher_rel < H[t.accepted].acq_end) {
      ++v.regressions;
      ex.add([&] {
        return r.prefix + "accepted " + ex.desc(H[t.accepted]) + " after it had accepted " +
               ex.desc(H[higher_rel_by]);
      });
    }
    if (t.min_acq_end < higher_acq_end) {
      higher_acq_end = t.min_acq_end;
      higher_acq_by = t.first;
    }
    if (t.min_rel_accepted < higher_rel) {
      higher_rel = t.min_rel_accepted;
      higher_rel_by = t.accepted;
    }
  }
}

// The resource read back after the load must hold at least the highest token it accepted (when it was
// read: without a final value the resource is taken at its word). Returns 1 when it went backwards.
int64_t final_resource(const Resource& r, const LockCheckInput& in, int64_t max_accepted, Examples& ex) {
  const int64_t final_res = r.key < in.final_resource.size() ? in.final_resource[r.key] : max_accepted;
  if (final_res >= max_accepted) return 0;
  ex.add([&] {
    return r.prefix + "holds token " + std::to_string(final_res) + " but accepted token " +
           std::to_string(max_accepted);
  });
  return 1;
}

// Foreign releases: X's release deleted a key, but another acquisition Y ran entirely between X's acquire
// and X's release: the key X deleted was not X's. Suffix minimum of acq_end over the acq_start order; taking
// X in acq_end order, the first acquisition that started after X's acquire ended only moves on.
int64_t foreign_releases(const Resource& r, Examples& ex) {
  const auto& H = r.holds;
  std::vector<uint32_t> suffix_min(r.by_start.size() + 1, UINT32_MAX);
  for (std::size_t i = r.by_start.size(); i-- > 0;)
    suffix_min[i] = std::min(suffix_min[i + 1], H[r.by_start[i]].acq_end);
  int64_t foreign = 0;
  std::size_t first_after = 0;
  for (uint64_t j : r.by_end) {
    const Hold& x = H[j];
    while (first_after < r.by_start.size() && H[r.by_start[first_after]].acq_start <= x.acq_end)
      ++first_after;
    if (!(x.flags & kLockReleasedKey)) continue;
    if (suffix_min[first_after] < x.rel_start) {
      ++foreign;
      ex.add([&] {
        return r.prefix + ex.desc(x) + " released at " + support::at_ms(x.rel_start) +
               " and deleted a lock that another holder had acquired since its own";
      });
    }
  }
  return foreign;
}

}  // namespace

std::span<const DetailField> lock_details() { return kDetails; }

reports::Correctness check_lock(const LockCheckInput& in) {
  const uint64_t ttl_us = static_cast<uint64_t>(std::max<int64_t>(0, in.ttl_ms)) * 1000;
  Tally t;
  t.refused = in.dropped.refused;
  t.indeterminate = in.dropped.indeterminate;
  t.failed = in.dropped.failed;
  t.ignored = in.dropped.ignored;
  const HoldsByKey grouped = decode(in, ttl_us, t);

  Violations v;
  Examples ex(in.history);
  Resource r;
  std::vector<uint64_t> scratch;
  std::vector<TokenSlot> slots;
  for (uint32_t k = 0; k < in.keys; ++k) {
    r.key = k;
    r.holds = std::span<const Hold>(grouped.holds.data() + grouped.begin[k],
                                    grouped.begin[k + 1] - grouped.begin[k]);
    if (r.holds.empty()) continue;
    r.prefix = "resource " + std::to_string(k) + ": ";
    order_by(
        r.holds, [](const Hold& x) { return x.acq_start; }, r.by_start, scratch);
    order_by(
        r.holds, [](const Hold& x) { return x.acq_end; }, r.by_end, scratch);

    v.exclusion += mutual_exclusion(r, ttl_us, ex);
    const int64_t max_accepted = index_tokens(r, slots, v, ex);
    tokens_in_real_time(r, slots, v, ex);
    v.regressions += final_resource(r, in, max_accepted, ex);
    v.foreign += foreign_releases(r, ex);
  }

  const LockCounts n{t.acquired,        t.refused,      t.indeterminate, t.failed,   t.ignored,
                     t.seen_in_process, t.expired,      t.stale,         t.accepted, t.max_hold_us,
                     v.exclusion,       v.out_of_order, v.regressions,   v.foreign};
  return lock_correctness(in.keys, in.ttl_ms, n, in.safe_by_design, ex.take());
}

reports::Correctness lock_correctness(uint32_t keys, int64_t ttl_ms, const LockCounts& n, bool safe_by_design,
                                      std::vector<std::string> examples) {
  reports::Correctness c;
  c.invariant =
      "no two holders inside the critical section while both leases are valid; tokens unique and increasing in "
      "real time; the resource never accepts a token below one it accepted; no release deletes another "
      "holder's lock";
  c.safe_by_design = safe_by_design;
  c.details = {
      {"keys", keys},
      {"ttl_ms", ttl_ms},
      {"acquisitions", n.acquired},
      {"refused", n.refused},
      {"indeterminate", n.indeterminate},
      {"failed", n.failed},
      {"mutual_exclusion_violations", n.exclusion},
      {"overlaps_seen_in_process", n.seen_in_process},
      {"expired_leases", n.expired},
      {"max_hold_ms", static_cast<double>(n.max_hold_us) / 1000.0},
      {"writes_accepted", n.accepted},
      {"stale_writes_rejected", n.stale},
      {"tokens_out_of_order", n.out_of_order},
      {"resource_regressions", n.regressions},
      {"foreign_releases", n.foreign},
      {"violations_are",
       "mutual_exclusion_violations + tokens_out_of_order + resource_regressions + foreign_releases"}};
  if (n.ignored) c.details["ignored_events"] = n.ignored;
  support::set_verdict(c, n.exclusion + n.out_of_order + n.regressions + n.foreign);
  c.examples = std::move(examples);
  return c;
}

LockState::LockState(uint32_t keys, int64_t ttl_ms) : keys_(keys), ttl_ms_(ttl_ms) {}
LockState::~LockState() = default;

std::size_t LockState::bytes() const {
  return kept_.capacity() * sizeof(Event) + (stream_ ? stream_->bytes() : 0);
}
uint64_t LockState::events() const { return events_ + (stream_ ? stream_->events() : 0); }

void LockState::start_stream(uint32_t threads) {
  stream_ = std::make_unique<LockStream>(keys_, ttl_ms_);
  stream_->start(threads);
}

void LockState::hand_off(engine::CheckState& shared, uint32_t thread, uint64_t floor_us) {
  engine::same_form<LockState>(*this, shared);
  auto& to = static_cast<LockState&>(shared);
  if (!to.stream_) throw std::logic_error("LockState::hand_off: the shared state does not stream");
  to.stream_->hand_off(kept_, dropped_, events_, thread, floor_us);
  kept_.clear();
  dropped_ = {};
  events_ = 0;
}

void LockState::add(const Event& e) {
  ++events_;
  if (e.key >= keys_) {
    ++dropped_.ignored;
    return;
  }
  if (e.a >= 0) {
    kept_.push_back(e);
    return;
  }
  const Outcome o = e.result();
  dropped_.indeterminate += o == Outcome::indeterminate;
  dropped_.failed += o == Outcome::failed;
  dropped_.refused += o == Outcome::ok;
}

void LockState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<LockState>(*this, other);
  if (stream_ || o.stream_)
    throw std::logic_error("a streamed lock state does not merge: it is the run's one");
  if (o.keys_ != keys_)
    throw std::invalid_argument("cannot merge lock states of " + std::to_string(o.keys_) + " and " +
                                std::to_string(keys_) + " resources");
  kept_.insert(kept_.end(), o.kept_.begin(), o.kept_.end());
  dropped_.refused += o.dropped_.refused;
  dropped_.indeterminate += o.dropped_.indeterminate;
  dropped_.failed += o.dropped_.failed;
  dropped_.ignored += o.dropped_.ignored;
  events_ += o.events_;
}

nlohmann::json LockState::save() const {
  if (stream_)
    throw std::logic_error("a streamed lock state is judged in process: a shard's keeps its events");
  return {{"form", "lock"},
          {"keys", keys_},
          {"events", events_},
          {"refused", dropped_.refused},
          {"indeterminate", dropped_.indeterminate},
          {"failed", dropped_.failed},
          {"ignored", dropped_.ignored},
          {"kept", engine::save_events(kept_)}};
}

void LockState::load(const nlohmann::json& j) {
  engine::expect_form(j, "lock");
  support::expect_keys(j, keys_);
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
  dropped_ = {support::load_int(j, "refused"), support::load_int(j, "indeterminate"),
              support::load_int(j, "failed"), support::load_int(j, "ignored")};
  kept_ = engine::load_events(engine::state_field(j, "kept"), "kept");
}

reports::Correctness LockState::finish(int64_t ttl_ms, const std::vector<int64_t>& final_resource,
                                       bool safe_by_design) const {
  if (stream_) {
    if (ttl_ms != ttl_ms_) throw std::logic_error("LockState::finish: the stream judged another lease");
    return stream_->finish(final_resource, safe_by_design);
  }
  LockCheckInput in{kept_, keys_, ttl_ms, final_resource, safe_by_design, dropped_};
  return check_lock(in);
}

}  // namespace lh::scenarios
