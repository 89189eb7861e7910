// The words the checkers are written in: the radix sort they order events with, the verdict, the name of an
// op in an example sentence, how many examples a report keeps, the bounded sample of evidence a streaming
// state keeps, and the JSON of a state's tallies. Pure: no I/O, no scenario state.
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/engine/check_state.hpp"
#include "harness/engine/history.hpp"
#include "harness/model/report.hpp"

namespace lh::scenarios {
using engine::Event;
using engine::History;
using net::Outcome;
}  // namespace lh::scenarios

namespace lh::scenarios::support {

// Stable LSD radix sort of `v` by bytes [lo_byte, hi_byte) (byte 0 = least significant), 16-bit digits for
// large inputs; passes whose digit is the same in every element are skipped. `scratch` is reused.
void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& scratch, int lo_byte, int hi_byte);

// Fills the verdict fields of a Correctness from its violation count.
void set_verdict(reports::Correctness& c, int64_t violations);
// "client 3 op 12"
std::string who(const Event& e);
// A run-clock time in an example: "12.345 ms".
std::string at_ms(uint64_t us);
// At most this many example sentences per report.
inline constexpr std::size_t kMaxExamples = 10;

// An op, as an example names it ("client 3 op 12"), with one value of its own (what it read, say).
struct Who {
  uint32_t client = 0, seq = 0;
  int64_t aux = 0;
  static Who of(const Event& e, int64_t aux = 0) { return {e.client, e.seq, aux}; }
  std::string text() const;
};

// Evidence of "two ops wrote the same id" (an id: a key and a value), from a bounded sample: an id is kept
// when the top `level` bits of its hash are zero, and past kCap kept ids the level rises and half of them
// go. The choice depends on the id alone, so every thread (and every shard) keeps the same ids and a
// duplicate across two of them is found when they merge. The tallies count the violations exactly; this
// only finds examples of them, in memory independent of the run's length.
class WriterSample {
 public:
  static constexpr std::size_t kCap = 4096;
  struct Pair {
    uint64_t id = 0;
    Who first, second;
  };
  void add(uint64_t id, const Who& w);
  void merge(const WriterSample& o);
  const std::vector<Pair>& pairs() const { return pairs_; }
  nlohmann::json save() const;
  void load(const nlohmann::json& j);
  std::size_t bytes() const;

 private:
  bool keeps(uint64_t id) const;
  void note_pair(uint64_t id, const Who& a, const Who& b);
  void tighten();
  unsigned level_ = 0;
  std::unordered_map<uint64_t, Who> first_;
  std::vector<Pair> pairs_;
};

// A few events kept as examples: the first kMaxExamples added (merged ones after), nothing more.
struct EventSample {
  std::vector<Event> events;
  void add(const Event& e) {
    if (events.size() < kMaxExamples) events.push_back(e);
  }
  void merge(const EventSample& o);
  nlohmann::json save() const;
  void load(const nlohmann::json& j, std::string_view field);
};

// Per-key tallies in a state's JSON: an array of integers of the state's key count.
nlohmann::json save_tally(const std::vector<int64_t>& v);
std::vector<int64_t> load_tally(const nlohmann::json& j, std::string_view field, std::size_t n);
int64_t load_int(const nlohmann::json& j, std::string_view field);
// The state's "keys" is `n`, or std::invalid_argument "check_state.keys: 3, expected 2".
void expect_keys(const nlohmann::json& j, std::size_t n);
// Element-wise sum; std::invalid_argument when the sizes differ (states of different key counts).
void add_tally(std::vector<int64_t>& into, const std::vector<int64_t>& from);

}  // namespace lh::scenarios::support
