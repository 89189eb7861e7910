// The words the checkers are written in: the radix sort they order events with, the verdict, the name of an
// op in an example sentence, and how many examples a report keeps. Pure: no I/O, no scenario state.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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
// At most this many example sentences per report.
inline constexpr std::size_t kMaxExamples = 10;

}  // namespace lh::scenarios::support
