// A Histogram in HdrHistogram's own serialised form, so HdrHistogram's tools and libraries read it (the report's
// latency_hdr: docs/report-schema.json). The V2 encoding (HdrHistogram's AbstractHistogram.encodeIntoByteBuffer),
// all integers big-endian:
//   int32 cookie 0x1c849313, int32 payload length, int32 normalizing index offset (0), int32 significant
//   digits, int64 lowest discernible value (1), int64 highest trackable value, double integer-to-double
//   conversion ratio (1.0), then the counts from index 0 to the index of the maximum value, each a ZigZag
//   LEB128 varint, a run of two or more zero counts written as one negative count (-run length).
// Compressed (what is stored): int32 cookie 0x1c849314, int32 length of what follows, then the V2 encoding
// deflated with zlib. Base64 of that starts "HISTF".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/stats/histogram.hpp"

namespace lh::stats {

std::vector<uint8_t> hdr_encode_v2(const Histogram& h);
std::vector<uint8_t> hdr_encode_v2_compressed(const Histogram& h);
std::string hdr_base64(const Histogram& h);  // base64 of hdr_encode_v2_compressed: "HISTF..."

}  // namespace lh::stats
