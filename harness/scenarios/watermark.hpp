// How far a whole run has got, for the streaming checker states (engine/check_state.hpp, "Streaming"): each
// thread's latest floor (no event it hands over later starts before it), their least (the watermark), and
// the events' 32-bit run-clock times, which wrap after 71.6 minutes, widened to 64 bits from a floor.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "harness/engine/check_state.hpp"

namespace lh::scenarios::support {

class Watermark {
 public:
  static constexpr uint64_t kNoFloor = engine::CheckState::kNoFloor;
  void start(uint32_t threads) { floors_.assign(threads, 0); }
  // Every event of the run still to come starts at or after now(): kNoFloor once every thread is done.
  uint64_t now() const { return w_; }
  // Thread `t` will hand over no event that starts before `floor` (floors only rise).
  void update(uint32_t t, uint64_t floor) {
    if (t >= floors_.size()) floors_.resize(t + 1, 0);
    floors_[t] = std::max(floors_[t], floor);
    w_ = *std::min_element(floors_.begin(), floors_.end());
  }
  // The 64-bit time at or after `from` whose low 32 bits are `t`: an event's start widened from the
  // watermark it arrived under (it starts at or after it, and within 71 minutes), or a later time of the
  // same event widened from its start.
  static uint64_t since(uint64_t from, uint32_t t) {
    return from + static_cast<uint32_t>(t - static_cast<uint32_t>(from));
  }

 private:
  std::vector<uint64_t> floors_;
  uint64_t w_ = 0;
};

}  // namespace lh::scenarios::support
