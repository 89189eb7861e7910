// The lock's checker as a stream (engine/check_state.hpp, "Streaming"): the same properties check_lock judges
// on a whole history, judged as the run's watermark passes each hold, so a run keeps only the holds some
// later event could still matter to (those in flight, about), never the run's history.
//
// Why it can: every event handed over later starts at or after the watermark W, and a hold's times all lie
// inside its op (acq_start <= acq_end <= rel_start). So once W passes a time, every hold that starts (or
// enters, or leaves) before it is known:
//   tokens, duplicates     in acq_start order (check_lock's hold order), for the holds that started before W:
//                          a token issued twice, the resource accepting a token twice, and a token lower than
//                          one whose acquire had ended before it began (a min-heap of acquire ends);
//   mutual exclusion       in acq_end order, for the holds that entered before W: the same sweep;
//   accepted in real time  the first accepted hold of each token, once it entered before W, against the
//                          accepted writes that ended before it entered (a min-heap of write ends);
//   foreign releases       a hold that deleted the key, once it left before W, against the holds that began
//                          after it entered (kept while an undecided release may still need them).
// The numbers are check_lock's on the same history (tests/unit/checker_stream_test.cpp replays simulated
// runs through both). What it keeps for ever is two bits per token (issued, accepted: a token issued twice an
// hour apart is still found), in blocks of 4096 tokens, the older blocks in a temporary file (TokenBits); the examples are the first ten found, in the order
// found, so they can differ from check_lock's.
#pragma once
#include <bitset>
#include <cstdint>
#include <cstdio>
#include <map>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/lock_check.hpp"
#include "harness/scenarios/watermark.hpp"

namespace lh::scenarios {

class LockStream {
 public:
  LockStream(uint32_t keys, int64_t ttl_ms);
  void start(uint32_t threads) { mark_.start(threads); }
  // A thread's holds, what it counted of its other events, how many events it had in all, and its new
  // floor; judges what the new watermark settles.
  void hand_off(const engine::History& holds, const LockDropped& dropped, uint64_t events, uint32_t thread,
                uint64_t floor);
  reports::Correctness finish(const std::vector<int64_t>& final_resource, bool safe_by_design) const;
  std::size_t bytes() const;
  uint64_t events() const { return events_; }

 private:
  struct Hold {
    uint64_t acq_start, acq_end, rel_start;
    int64_t token;
    uint32_t seq;
    uint16_t client;
    uint8_t flags;     // the event's kind bits
    uint8_t done = 0;  // the sweeps that judged it (kCanon, kExclusion, kAccepted, kForeign)
    bool first_accepted = false;
  };
  struct Mark {  // a hold as a heap keeps it: a time, its token, who
    uint64_t t;
    int64_t token;
    uint32_t seq;
    uint16_t client;
    bool operator>(const Mark& o) const { return t > o.t; }
  };
  using MinHeap = std::priority_queue<Mark, std::vector<Mark>, std::greater<Mark>>;
  struct TokenBlock {
    std::bitset<4096> issued, accepted;
  };
  // Every resource's token bits: the kHot blocks of each with the highest numbers in memory (tokens rise),
  // the others in a temporary file (unlinked; a sparse slot per block and resource), read back when a token
  // of theirs comes again (a duplicate, or one far out of order). Without a file, all stay in memory.
  class TokenBits {
   public:
    static constexpr std::size_t kHot = LockState::kHotTokenBlocks;
    explicit TokenBits(uint32_t keys) : keys_(keys), hot_(keys) {}
    ~TokenBits();
    TokenBits(const TokenBits&) = delete;
    TokenBits& operator=(const TokenBits&) = delete;
    // The block of `token` (>= 0) of resource k, loaded or made; valid until the next call.
    TokenBlock& at(uint32_t k, int64_t token);
    std::size_t bytes() const;
    uint64_t spilled() const { return spilled_; }

   private:
    bool slot(uint32_t k, int64_t block, int64_t& offset) const;
    uint32_t keys_;
    std::vector<std::map<int64_t, TokenBlock>> hot_;
    std::FILE* file_ = nullptr;
    bool no_file_ = false;  // tmpfile() failed once: keep everything in memory
    uint64_t spilled_ = 0;  // blocks written out (again) so far
  };
  struct Resource {
    std::vector<Hold> pending;                  // holds some sweep has still to judge
    MinHeap acquire_ends, accepted_ends;        // not yet passed by the sweeps that read them
    Mark highest_acquired{0, INT64_MIN, 0, 0};  // the highest token whose acquire ended so far
    Mark highest_accepted{0, INT64_MIN, 0, 0};  // ... whose accepted write ended so far
    uint64_t busy_until = 0;                    // mutual exclusion: the latest valid exit so far
    Mark busy_by{0, 0, 0, 0};
    std::vector<std::pair<uint64_t, uint64_t>> started;  // (acq_start, acq_end) in acq_start order
    int64_t max_accepted = 0;
    bool has_holds = false;
  };

  void sweep(uint32_t k, Resource& r, uint64_t w);
  template <class F>
  void example(F sentence);
  template <class H>
  static std::string desc(const H& x);  // a Hold or a Mark

  uint32_t keys_;
  uint64_t ttl_us_;
  int64_t ttl_ms_;
  support::Watermark mark_;
  std::vector<Resource> res_;
  TokenBits tokens_;
  uint64_t events_ = 0;
  // check_lock's tallies and violations, as they stand.
  int64_t acquired_ = 0, refused_ = 0, indeterminate_ = 0, failed_ = 0, ignored_ = 0;
  int64_t seen_in_process_ = 0, expired_ = 0, stale_ = 0, accepted_ = 0, max_hold_us_ = 0;
  int64_t exclusion_ = 0, out_of_order_ = 0, regressions_ = 0, foreign_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace lh::scenarios
