// The compact per-op history the checkers read: 32 bytes an event, recorded per thread, merged after join.
#pragma once
#include <cstdint>
#include <vector>

#include "harness/net/errors.hpp"

namespace lh::engine {

using lh::net::Outcome;

struct Event {
  int64_t a = 0;          // scenario-defined value (expected value, token, timestamp, ...)
  int64_t b = 0;          // scenario-defined value (new value, admitted flag, ...)
  uint32_t start_us = 0;  // op start on the variant's run clock (microseconds since the variant started)
  uint32_t end_us = 0;    // op end (reply received, or failure noticed)
  uint16_t client = 0;    // virtual client id
  uint16_t key = 0;       // index of the key in the scenario's key space
  uint32_t seq : 24;      // op number of this client (wraps after 16M ops: only used in examples)
  uint32_t kind : 4;      // scenario-defined event kind
  uint32_t outcome : 4;   // Outcome

  Event() : seq(0), kind(0), outcome(0) {}
  Outcome result() const { return static_cast<Outcome>(outcome); }
};
static_assert(sizeof(Event) == 32, "history must stay at 32 bytes per op");

using History = std::vector<Event>;

}  // namespace lh::engine
