// The compare-and-swap checker as a stream (engine/check_state.hpp, "Streaming"): check_cas's numbers from a
// tree of values that keeps only what the final chain may still run through, never the run's history.
//
// The values of a key form a tree: each swap that took effect, or may have (indeterminate), links its new
// value to the value it consumed. check_cas counts, per value, its acknowledged consumers (two or more: a
// value consumed twice), walks back from the final value to the initial one (the chain), and counts every
// acknowledged swap off that chain whose source had one consumer (a lost swap: a chain break).
//
// What lets it forget: a value v is *closed* once an acknowledged swap X that started after v's writer ended
// has itself ended before the watermark W. X's write came after v's, so v was no longer current when X ended;
// whoever consumed v read it before, so started before W, and is known. A closed value has all its consumers
// (its count is final) and is not the final value. So:
//   - a closed value with no kept child is forgotten (the swaps off the chain are counted from the consumer
//     counts alone: breaks = acknowledged swaps with a single-consumer source - those on the chain);
//   - a closed value with one kept child is folded into it: the child links straight to the grandparent,
//     carrying the length and the on-chain count of the stretch between;
//   - what stays is the values still open, the branch points between them, and the initial value.
// This rests on the history being one a real server gave (a value is read only while it is current), which
// the harness's runs are; check_cas, which needs no such premise, still judges the shards' events (merge).
// tests/unit/checker_stream_test.cpp replays simulated runs (atomic, naive, indeterminate swaps) through both.
#pragma once
#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"
#include "harness/scenarios/watermark.hpp"

namespace lh::scenarios {

struct CasDropped;

class CasStream {
 public:
  explicit CasStream(std::size_t keys);
  void start(uint32_t threads) { mark_.start(threads); }
  // A thread's winning (or maybe winning) swaps, what it counted of its other events, the highest op number
  // of a value it saw per client, how many events it had, and its new floor.
  void hand_off(const engine::History& swaps, const CasDropped& dropped, const std::vector<uint64_t>& max_seq,
                uint64_t events, uint32_t thread, uint64_t floor);
  reports::Correctness finish(const std::vector<int64_t>& initial, const std::vector<int64_t>& final,
                              bool safe_by_design) const;
  std::size_t bytes() const;
  uint64_t events() const { return events_; }

 private:
  struct Node {
    int64_t parent = 0;         // produced: the value the link leads back to
    int64_t produced_end = -1;  // produced: its writer's end (run clock us); -1 for a value of no writer
    uint64_t len = 0;           // swaps on the link (more than 1 once closed values between were folded)
    uint64_t on_link = 0;       // acknowledged swaps on the link, but its last, whose source had one consumer
    uint32_t consumers = 0;     // acknowledged swaps from this value
    bool last_ok = false;       // the link's last swap (from `parent`) was acknowledged
    bool produced = false, closed = false;
    uint32_t first_client = 0, first_seq = 0;  // its first acknowledged consumer, for an example
    int64_t first_to = 0;
    std::vector<int64_t> children;  // kept values linked to this one
  };
  struct Write {  // an acknowledged swap, until the watermark passes its end
    uint64_t end, start;
    bool operator>(const Write& o) const { return end > o.end; }
  };
  struct Open {  // a produced value not yet closed, by its writer's end
    int64_t produced_end, value;
    bool operator>(const Open& o) const { return produced_end > o.produced_end; }
  };
  struct Key {
    std::unordered_map<int64_t, Node> nodes;
    std::priority_queue<Write, std::vector<Write>, std::greater<Write>> writes;
    std::priority_queue<Open, std::vector<Open>, std::greater<Open>> open;
    int64_t latest_start = -1;  // the latest start of an acknowledged swap that ended before the watermark
  };

  Node& node(Key& key, int64_t v);
  void close(Key& key, int64_t v);
  void settle(Key& key, int64_t v);  // forgets or folds a closed value when it can
  static bool single(const Node& n) { return n.consumers <= 1; }

  std::size_t keys_;
  support::Watermark mark_;
  std::vector<Key> key_;
  std::vector<uint64_t> max_seq_;
  uint64_t events_ = 0;
  int64_t won_ = 0, refused_ = 0, indeterminate_ = 0, failed_ = 0, ignored_ = 0;
  // From the closed (settled) values: extra winners, contested values, acknowledged swaps whose source had
  // a single consumer.
  int64_t consumed_twice_ = 0, contested_ = 0, single_source_ok_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace lh::scenarios
