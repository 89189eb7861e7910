#include "harness/util/interrupt.hpp"

#include <chrono>
#include <cstdint>

namespace lh {

std::atomic<bool> g_interrupted{false};

namespace {
// After SIGINT, how long a command may still wait (a healthy server answers a cleanup's SCAN in far less).
constexpr auto kInterruptGrace = std::chrono::milliseconds(500);

std::atomic<int64_t> g_interrupt_seen_ns{0};  // steady clock, 0: not yet

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

bool interrupt_grace_over() {
  if (!g_interrupted.load(std::memory_order_relaxed)) return false;
  int64_t expected = 0;
  g_interrupt_seen_ns.compare_exchange_strong(expected, now_ns());  // the grace starts at the first look
  return now_ns() - g_interrupt_seen_ns.load() >
         std::chrono::duration_cast<std::chrono::nanoseconds>(kInterruptGrace).count();
}

void extend_interrupt_grace(std::chrono::milliseconds window) {
  const auto shift = std::chrono::duration_cast<std::chrono::nanoseconds>(window - kInterruptGrace).count();
  g_interrupt_seen_ns.store(now_ns() + shift);
}

}  // namespace lh
