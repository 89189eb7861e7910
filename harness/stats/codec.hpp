// Byte codecs the report's binary fields use: base64 (RFC 4648, with padding) and zlib (deflate).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lh::stats {

std::string base64_encode(std::span<const uint8_t> bytes);
// nullopt on anything but canonical padded base64.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
std::vector<uint8_t> zlib_compress(std::span<const uint8_t> bytes);
// nullopt when `bytes` is not a zlib stream that inflates to exactly `size` bytes.
std::optional<std::vector<uint8_t>> zlib_uncompress(std::span<const uint8_t> bytes, std::size_t size);

}  // namespace lh::stats
