#include "harness/scenarios/check_support.hpp"

#include <algorithm>
#include <array>

namespace lh::scenarios::support {

void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& scratch, int lo_byte, int hi_byte) {
  const std::size_t n = v.size();
  if (n < 2) return;
  // Large inputs: 16-bit digits (half the passes; the counts still fit in L2). Small ones: 8-bit digits.
  const int digit_bits = n >= (1u << 16) ? 16 : 8;
  const std::size_t radix = std::size_t(1) << digit_bits;
  const int lo = 8 * lo_byte, hi = 8 * hi_byte;
  const int digits = (hi - lo + digit_bits - 1) / digit_bits;
  std::array<uint64_t, 8> mask{};
  for (int d = 0; d < digits; ++d) {
    const int width = std::min(digit_bits, hi - (lo + d * digit_bits));
    mask[d] = (uint64_t(1) << width) - 1;
  }
  // All digits' counts in one read pass.
  std::vector<std::size_t> count(static_cast<std::size_t>(digits) * radix, 0);
  for (uint64_t x : v)
    for (int d = 0; d < digits; ++d) ++count[d * radix + ((x >> (lo + d * digit_bits)) & mask[d])];
  scratch.resize(n);
  for (int d = 0; d < digits; ++d) {
    const int shift = lo + d * digit_bits;
    std::size_t* c = count.data() + d * radix;
    if (c[(v[0] >> shift) & mask[d]] == n) continue;  // this digit is the same everywhere
    std::size_t sum = 0;
    for (std::size_t i = 0; i < radix; ++i) {
      const std::size_t k = c[i];
      c[i] = sum;
      sum += k;
    }
    for (uint64_t x : v) scratch[c[(x >> shift) & mask[d]]++] = x;
    v.swap(scratch);
  }
}

void set_verdict(reports::Correctness& c, int64_t violations) {
  c.checked = true;
  c.violations = violations;
  c.verdict = violations == 0 ? "pass" : "violated";
}

std::string who(const Event& e) {
  return "client " + std::to_string(e.client) + " op " + std::to_string(static_cast<uint32_t>(e.seq));
}

}  // namespace lh::scenarios::support
