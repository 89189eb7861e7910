#include "harness/stats/codec.hpp"

#include <zlib.h>

#include <array>
#include <stdexcept>

namespace lh::stats {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::span<const uint8_t> b) {
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < b.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(b[i]) << 16 | (i + 1 < b.size() ? b[i + 1] << 8 : 0) |
                       (i + 2 < b.size() ? b[i + 2] : 0);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += i + 1 < b.size() ? kAlphabet[n >> 6 & 63] : '=';
    out += i + 2 < b.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view t) {
  if (t.size() % 4) return std::nullopt;
  std::array<int8_t, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  std::vector<uint8_t> out;
  out.reserve(t.size() / 4 * 3);
  for (std::size_t i = 0; i < t.size(); i += 4) {
    const bool last = i + 4 == t.size();
    const int pad = last ? (t[i + 3] == '=') + (t[i + 2] == '=') : 0;
    if (pad == 1 && t[i + 2] == '=') return std::nullopt;  // "x=y="
    uint32_t n = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = t[i + static_cast<std::size_t>(k)];
      const int v = k >= 4 - pad ? 0 : value[static_cast<uint8_t>(c)];
      if (v < 0) return std::nullopt;
      n = n << 6 | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(n));
  }
  return out;
}

std::vector<uint8_t> zlib_compress(std::span<const uint8_t> b) {
  uLongf size = compressBound(static_cast<uLong>(b.size()));
  std::vector<uint8_t> out(size);
  if (compress2(out.data(), &size, b.data(), static_cast<uLong>(b.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
    throw std::runtime_error("zlib could not compress");
  out.resize(size);
  return out;
}

std::optional<std::vector<uint8_t>> zlib_uncompress(std::span<const uint8_t> b, std::size_t size) {
  std::vector<uint8_t> out(size);
  uLongf n = static_cast<uLongf>(size);
  if (uncompress(out.data(), &n, b.data(), static_cast<uLong>(b.size())) != Z_OK || n != size)
    return std::nullopt;
  return out;
}

}  // namespace lh::stats
