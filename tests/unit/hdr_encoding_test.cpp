// HdrHistogram's V2 (compressed) encoding of a Histogram (stats/hdr_encoding.hpp), read back here by a decoder
// written from the published format: zlib inflate, the big-endian header, ZigZag LEB128 counts with negative
// zero runs. The npm decoder (hdr-histogram-js) reads the same strings in tests/consumers.
#include "harness/stats/hdr_encoding.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <vector>

using lh::stats::Histogram;

namespace {

uint64_t be(const std::vector<uint8_t>& b, std::size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | b[at + static_cast<std::size_t>(i)];
  return v;
}

// The counts the payload holds, expanded (zero runs written out).
std::vector<uint64_t> decode_counts(const std::vector<uint8_t>& b, std::size_t from, std::size_t to) {
  std::vector<uint64_t> counts;
  for (std::size_t i = from; i < to;) {
    uint64_t z = 0;
    int shift = 0;
    for (int n = 0;; ++n) {
      const uint8_t byte = b[i++];
      if (n == 8) {
        z |= static_cast<uint64_t>(byte) << 56;
        break;
      }
      z |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    if (v < 0) counts.insert(counts.end(), static_cast<std::size_t>(-v), 0);
    else counts.push_back(static_cast<uint64_t>(v));
  }
  return counts;
}

}  // namespace

TEST(HdrEncoding, TheV2HeaderAndCountsReadBackExactly) {
  Histogram h;
  for (int64_t v : std::vector<int64_t>{1, 1, 2, 500, 2047, 2048, 100'000, 3'599'999'999}) h.record(v);
  h.record_n(7, 1'000'000'000'000);  // a count that needs six varint bytes
  const auto b = lh::stats::hdr_encode_v2(h);
  ASSERT_GE(b.size(), 40u);
  EXPECT_EQ(be(b, 0, 4), 0x1c849313u);
  EXPECT_EQ(be(b, 4, 4), b.size() - 40);  // payload length
  EXPECT_EQ(be(b, 8, 4), 0u);             // normalizing index offset
  EXPECT_EQ(be(b, 12, 4), 3u);            // significant digits
  EXPECT_EQ(be(b, 16, 8), 1u);            // lowest discernible value
  EXPECT_EQ(be(b, 24, 8), 3'600'000'000u);
  EXPECT_EQ(be(b, 32, 8), 0x3ff0000000000000u);  // 1.0
  const auto counts = decode_counts(b, 40, b.size());
  ASSERT_EQ(counts.size(), h.counts_index(h.max()) + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) ASSERT_EQ(counts[i], h.counts()[i]) << "index " << i;
  uint64_t total = 0;
  for (auto c : counts) total += c;
  EXPECT_EQ(total, h.count());
}

TEST(HdrEncoding, TheCompressedFormIsZlibOfTheV2FormAndItsBase64StartsHISTF) {
  Histogram h;
  for (int64_t v = 1; v < 5000; v += 3) h.record(v);
  const auto plain = lh::stats::hdr_encode_v2(h);
  const auto c = lh::stats::hdr_encode_v2_compressed(h);
  EXPECT_EQ(be(c, 0, 4), 0x1c849314u);
  ASSERT_EQ(be(c, 4, 4), c.size() - 8);
  std::vector<uint8_t> inflated(plain.size());
  uLongf n = static_cast<uLongf>(inflated.size());
  ASSERT_EQ(uncompress(inflated.data(), &n, c.data() + 8, static_cast<uLong>(c.size() - 8)), Z_OK);
  inflated.resize(n);
  EXPECT_EQ(inflated, plain);
  const std::string b64 = lh::stats::hdr_base64(h);
  EXPECT_EQ(b64.substr(0, 5), "HISTF");
  EXPECT_EQ(b64.size(), (c.size() + 2) / 3 * 4);
}

TEST(HdrEncoding, AnEmptyHistogramHasAHeaderAndNoCounts) {
  Histogram h;
  const auto b = lh::stats::hdr_encode_v2(h);
  EXPECT_EQ(b.size(), 40u);
  EXPECT_EQ(be(b, 4, 4), 0u);
}
