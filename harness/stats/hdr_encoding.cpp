#include "harness/stats/hdr_encoding.hpp"

#include <zlib.h>

#include "harness/stats/codec.hpp"

#include <cstring>
#include <stdexcept>

namespace lh::stats {

namespace {

constexpr uint32_t kV2Cookie = 0x1c849313;
constexpr uint32_t kV2CompressedCookie = 0x1c849314;

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void put64(std::vector<uint8_t>& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void set32(std::vector<uint8_t>& out, std::size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// HdrHistogram's ZigZagEncoding.putLong: LEB128 of the zigzagged value, the ninth byte holding 8 bits.
void put_zigzag(std::vector<uint8_t>& out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if (v < 0x80) {
      out.push_back(static_cast<uint8_t>(v));
      return;
    }
    out.push_back(static_cast<uint8_t>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));  // the ninth byte: the top 8 bits
}

}  // namespace

std::vector<uint8_t> hdr_encode_v2(const Histogram& h) {
  std::vector<uint8_t> out;
  put32(out, kV2Cookie);
  put32(out, 0);  // payload length, set below
  put32(out, 0);  // normalizing index offset
  put32(out, static_cast<uint32_t>(h.significant_digits()));
  put64(out, 1);  // lowest discernible value: the harness records microseconds from 1
  put64(out, static_cast<uint64_t>(h.highest_trackable()));
  const double ratio = 1.0;
  uint64_t bits = 0;
  std::memcpy(&bits, &ratio, sizeof bits);
  put64(out, bits);
  const std::size_t payload_start = out.size();
  if (h.count() > 0) {
    const auto& counts = h.counts();
    const std::size_t limit = h.counts_index(h.max()) + 1;
    for (std::size_t i = 0; i < limit;) {
      const uint64_t c = counts[i++];
      if (c == 0) {
        int64_t zeros = 1;
        while (i < limit && counts[i] == 0) {
          ++zeros;
          ++i;
        }
        put_zigzag(out, zeros > 1 ? -zeros : 0);
      } else {
        put_zigzag(out, static_cast<int64_t>(c));
      }
    }
  }
  set32(out, 4, static_cast<uint32_t>(out.size() - payload_start));
  return out;
}

std::vector<uint8_t> hdr_encode_v2_compressed(const Histogram& h) {
  const std::vector<uint8_t> plain = hdr_encode_v2(h);
  uLongf size = compressBound(static_cast<uLong>(plain.size()));
  std::vector<uint8_t> out(8 + size);
  if (compress2(out.data() + 8, &size, plain.data(), static_cast<uLong>(plain.size()),
                Z_DEFAULT_COMPRESSION) != Z_OK)
    throw std::runtime_error("zlib could not compress a histogram");
  out.resize(8 + size);
  set32(out, 0, kV2CompressedCookie);
  set32(out, 4, static_cast<uint32_t>(size));
  return out;
}

std::string hdr_base64(const Histogram& h) { return base64_encode(hdr_encode_v2_compressed(h)); }

}  // namespace lh::stats
