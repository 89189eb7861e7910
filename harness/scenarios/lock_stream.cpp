#include "harness/scenarios/lock_stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "harness/scenarios/check_support.hpp"
#include "harness/scenarios/lock_check.hpp"

namespace lh::scenarios {

namespace {

using support::Watermark;

// The sweeps a hold passes through (Hold::done).
constexpr uint8_t kCanon = 1, kExclusion = 2, kAccepted = 4, kForeign = 8;
constexpr int64_t kBlock = 4096;

}  // namespace

LockStream::LockStream(uint32_t keys, int64_t ttl_ms)
    : keys_(keys),
      ttl_us_(static_cast<uint64_t>(std::max<int64_t>(0, ttl_ms)) * 1000),
      ttl_ms_(ttl_ms),
      res_(keys),
      tokens_(keys) {}

// "client 3 op 12 (token 7)", as check_lock names a holder.
template <class H>
std::string LockStream::desc(const H& x) {
  return support::Who{x.client, x.seq, 0}.text() + " (token " + std::to_string(x.token) + ")";
}

template <class F>
void LockStream::example(F sentence) {
  if (examples_.size() < support::kMaxExamples) examples_.push_back(sentence());
}

void LockStream::hand_off(const engine::History& holds, const LockDropped& dropped, uint64_t events,
                          uint32_t thread, uint64_t floor) {
  refused_ += dropped.refused;
  indeterminate_ += dropped.indeterminate;
  failed_ += dropped.failed;
  ignored_ += dropped.ignored;
  events_ += events;
  // Every event handed over now started at or after the watermark they were recorded under.
  const uint64_t base = mark_.now() == Watermark::kNoFloor ? 0 : mark_.now();
  for (const Event& e : holds) {
    Resource& r = res_[e.key];
    const uint64_t start = Watermark::since(base, e.start_us);
    const uint64_t acq = Watermark::since(start, static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32));
    const uint64_t rel = Watermark::since(acq, static_cast<uint32_t>(e.b));
    const Outcome o = e.result();
    ++acquired_;
    indeterminate_ += o == Outcome::indeterminate;
    failed_ += o == Outcome::failed;
    const auto held = static_cast<int64_t>(rel - acq);
    max_hold_us_ = std::max(max_hold_us_, held);
    expired_ += held > static_cast<int64_t>(ttl_us_);
    stale_ += (e.kind & 3) == kLockWriteRejected;
    accepted_ += (e.kind & 3) == kLockWriteAccepted;
    seen_in_process_ += (e.kind & kLockSawOtherHolder) != 0;
    const auto seq = static_cast<uint32_t>(e.seq);
    r.pending.push_back(Hold{start, acq, rel, e.a, seq, e.client, static_cast<uint8_t>(e.kind)});
    r.acquire_ends.push(Mark{acq, e.a, seq, e.client});
    if ((e.kind & 3) == kLockWriteAccepted) r.accepted_ends.push(Mark{rel, e.a, seq, e.client});
    r.has_holds = true;
  }
  mark_.update(thread, floor);
  for (uint32_t k = 0; k < keys_; ++k) sweep(k, res_[k], mark_.now());
}

void LockStream::sweep(uint32_t k, Resource& r, uint64_t w) {
  if (r.pending.empty()) return;
  const std::string prefix = "resource " + std::to_string(k) + ": ";
  auto canonical = [](const Hold* x) {
    return std::make_tuple(x->acq_start, x->acq_end, x->rel_start, x->token, x->client, x->seq);
  };
  std::vector<Hold*> batch;
  auto take = [&](auto want) {
    batch.clear();
    for (Hold& x : r.pending)
      if (want(x)) batch.push_back(&x);
  };

  // Tokens, in check_lock's hold order, for the holds that started before w: every hold whose acquire
  // ended before one of them started is known, and so is every hold before it in that order.
  take([w](const Hold& x) { return !(x.done & kCanon) && x.acq_start < w; });
  std::sort(batch.begin(), batch.end(),
            [&](const Hold* a, const Hold* b) { return canonical(a) < canonical(b); });
  for (Hold* x : batch) {
    while (!r.acquire_ends.empty() && r.acquire_ends.top().t < x->acq_start) {
      if (r.acquire_ends.top().token > r.highest_acquired.token) r.highest_acquired = r.acquire_ends.top();
      r.acquire_ends.pop();
    }
    TokenBlock& block = tokens_.at(k, x->token);
    const auto bit = static_cast<std::size_t>(x->token % kBlock);
    if (block.issued[bit]) {
      ++out_of_order_;
      example([&] { return prefix + desc(*x) + " got a token already issued to another holder"; });
    } else {
      block.issued.set(bit);
      if (r.highest_acquired.token > x->token) {
        ++out_of_order_;
        example([&] {
          return prefix + desc(*x) + " acquired after " + desc(r.highest_acquired) + " but got a lower token";
        });
      }
    }
    if ((x->flags & 3) == kLockWriteAccepted) {
      r.max_accepted = std::max(r.max_accepted, x->token);
      if (block.accepted[bit]) {
        ++regressions_;
        example([&] { return prefix + "accepted " + desc(*x) + " again"; });
      } else {
        block.accepted.set(bit);
        x->first_accepted = true;
      }
    }
    r.started.emplace_back(x->acq_start, x->acq_end);
    x->done |= kCanon;
  }

  // Mutual exclusion, in acq_end order (ties in hold order), for the holds that entered before w.
  take([w](const Hold& x) { return !(x.done & kExclusion) && x.acq_end < w; });
  std::sort(batch.begin(), batch.end(), [&](const Hold* a, const Hold* b) {
    return std::make_tuple(a->acq_end, canonical(a)) < std::make_tuple(b->acq_end, canonical(b));
  });
  for (Hold* x : batch) {
    x->done |= kExclusion;
    const uint64_t valid_until = std::min(x->rel_start, x->acq_start + ttl_us_);
    if (valid_until <= x->acq_end) continue;  // its lease could have expired before it entered
    if (x->acq_end < r.busy_until) {
      ++exclusion_;
      example([&] {
        return prefix + desc(*x) + " entered the critical section at " + support::at_ms(x->acq_end) +
               " while " + desc(r.busy_by) + " was inside with a valid lease until " +
               support::at_ms(r.busy_until);
      });
    }
    if (valid_until > r.busy_until) {
      r.busy_until = valid_until;
      r.busy_by = Mark{valid_until, x->token, x->seq, x->client};
    }
  }

  // The resource never goes backwards: no higher token's accepted write may end before the first accepted
  // write of a token began (entered), once that entry is before w.
  take([w](const Hold& x) { return x.first_accepted && !(x.done & kAccepted) && x.acq_end < w; });
  std::sort(batch.begin(), batch.end(), [](const Hold* a, const Hold* b) { return a->acq_end < b->acq_end; });
  for (Hold* x : batch) {
    while (!r.accepted_ends.empty() && r.accepted_ends.top().t < x->acq_end) {
      if (r.accepted_ends.top().token > r.highest_accepted.token) r.highest_accepted = r.accepted_ends.top();
      r.accepted_ends.pop();
    }
    if (r.highest_accepted.token > x->token) {
      ++regressions_;
      example([&] {
        return prefix + "accepted " + desc(*x) + " after it had accepted " + desc(r.highest_accepted);
      });
    }
    x->done |= kAccepted;
  }

  // Foreign releases, for the releases that left before w: every acquisition that began before then is in
  // `started` (acq_start order).
  for (Hold& x : r.pending) {
    if (!(x.flags & kLockReleasedKey) || (x.done & kForeign) || x.rel_start >= w) continue;
    x.done |= kForeign;
    auto it =
        std::upper_bound(r.started.begin(), r.started.end(), x.acq_end,
                         [](uint64_t t, const std::pair<uint64_t, uint64_t>& y) { return t < y.first; });
    bool since = false;
    for (; it != r.started.end() && it->first < x.rel_start && !since; ++it) since = it->second < x.rel_start;
    if (!since) continue;
    ++foreign_;
    example([&] {
      return prefix + desc(x) + " released at " + support::at_ms(x.rel_start) +
             " and deleted a lock that another holder had acquired since its own";
    });
  }

  // Forget the holds every sweep has judged, and the acquisitions no undecided release can need.
  uint64_t needed_after = w;
  for (const Hold& x : r.pending)
    if ((x.flags & kLockReleasedKey) && !(x.done & kForeign))
      needed_after = std::min(needed_after, x.acq_end);
  std::erase_if(r.pending, [](const Hold& x) {
    const uint8_t all = kCanon | kExclusion | (x.first_accepted ? kAccepted : 0) |
                        ((x.flags & kLockReleasedKey) ? kForeign : 0);
    return (x.done & all) == all;
  });
  auto keep =
      std::upper_bound(r.started.begin(), r.started.end(), needed_after,
                       [](uint64_t t, const std::pair<uint64_t, uint64_t>& y) { return t < y.first; });
  r.started.erase(r.started.begin(), keep);
}

reports::Correctness LockStream::finish(const std::vector<int64_t>& final_resource,
                                        bool safe_by_design) const {
  if (mark_.now() != Watermark::kNoFloor)
    throw std::logic_error("LockStream::finish: a thread has not handed its last events over");
  LockCounts n{acquired_, refused_,  indeterminate_, failed_,    ignored_,      seen_in_process_, expired_,
               stale_,    accepted_, max_hold_us_,   exclusion_, out_of_order_, regressions_,     foreign_};
  std::vector<std::string> examples = examples_;
  // The resource read back must hold at least the highest token it accepted (check_lock's final_resource).
  for (uint32_t k = 0; k < keys_; ++k) {
    const Resource& r = res_[k];
    if (!r.has_holds) continue;
    const int64_t final_res = k < final_resource.size() ? final_resource[k] : r.max_accepted;
    if (final_res >= r.max_accepted) continue;
    ++n.regressions;
    if (examples.size() < support::kMaxExamples)
      examples.push_back("resource " + std::to_string(k) + ": holds token " + std::to_string(final_res) +
                         " but accepted token " + std::to_string(r.max_accepted));
  }
  return lock_correctness(keys_, ttl_ms_, n, safe_by_design, std::move(examples));
}

std::size_t LockStream::bytes() const {
  std::size_t b = res_.capacity() * sizeof(Resource);
  for (const Resource& r : res_) {
    b += r.pending.capacity() * sizeof(Hold) + r.started.capacity() * sizeof(r.started[0]);
    b += (r.acquire_ends.size() + r.accepted_ends.size()) * sizeof(Mark);
  }
  return b + tokens_.bytes();
}

LockStream::TokenBits::~TokenBits() {
  if (file_) std::fclose(file_);
}

// A block's slot in the file: blocks of all resources interleaved, 1 KiB each (a sparse file: never written
// slots read as zeros, an empty block). False past a terabyte (a token no INCR reaches): kept in memory.
bool LockStream::TokenBits::slot(uint32_t k, int64_t block, int64_t& offset) const {
  constexpr int64_t kMaxOffset = int64_t{1} << 40;
  if (block > kMaxOffset / static_cast<int64_t>(sizeof(TokenBlock)) / keys_) return false;
  offset = (block * keys_ + k) * static_cast<int64_t>(sizeof(TokenBlock));
  return true;
}

LockStream::TokenBlock& LockStream::TokenBits::at(uint32_t k, int64_t token) {
  const int64_t id = token / kBlock;
  auto& hot = hot_[k];
  if (auto it = hot.find(id); it != hot.end()) return it->second;
  if (!file_ && !no_file_ && hot.size() >= kHot) {
    file_ = std::tmpfile();
    no_file_ = file_ == nullptr;
  }
  int64_t offset = 0;
  // Spill the lowest blocks (the oldest tokens) while kHot or more are in memory.
  while (file_ && hot.size() >= kHot) {
    auto low = hot.begin();
    if (!slot(k, low->first, offset) || pwrite(fileno(file_), &low->second, sizeof(TokenBlock), offset) !=
                                            static_cast<ssize_t>(sizeof(TokenBlock)))
      break;  // kept: a slot out of reach, or a full disk
    ++spilled_;
    hot.erase(low);
  }
  TokenBlock& b = hot[id];
  if (file_ && slot(k, id, offset)) {
    TokenBlock stored{};
    if (pread(fileno(file_), &stored, sizeof(TokenBlock), offset) == static_cast<ssize_t>(sizeof(TokenBlock)))
      b = stored;
  }
  return b;
}

std::size_t LockStream::TokenBits::bytes() const {
  std::size_t b = hot_.capacity() * sizeof(hot_[0]);
  for (const auto& h : hot_) b += h.size() * (sizeof(TokenBlock) + 48);
  return b;
}

}  // namespace lh::scenarios
