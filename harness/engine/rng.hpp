// A small, fast, seedable PRNG (xoshiro256**), one per virtual client: no shared state on the hot path.
#pragma once
#include <cstdint>

namespace lh::engine {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0x9E3779B97F4A7C15ull) noexcept {
    uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x);
  }
  uint64_t next() noexcept {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform integer in [lo, hi] (inclusive); lo <= hi.
  int64_t uniform(int64_t lo, int64_t hi) noexcept {
    // In unsigned arithmetic (wraps, defined): hi - lo and lo + offset overflow int64_t for wide ranges
    // (UBSan found it with ${rand:-9223372036854775808-9223372036854775807}). Same instructions.
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (span == 0) return static_cast<int64_t>(next());  // full 64-bit range
    // Lemire's multiply-shift: unbiased enough for load generation, no division.
    const unsigned __int128 m = static_cast<unsigned __int128>(next()) * span;
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + static_cast<uint64_t>(m >> 64));
  }
  static uint64_t splitmix64(uint64_t& x) noexcept {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace lh::engine
