#include "harness/transport/slot.hpp"

#include <array>

namespace lh::transport {
namespace {

// One table lookup per byte instead of eight shift/xor steps: key_slot is on the hot path of every cluster op.
constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kTable = make_table();

}  // namespace

uint16_t crc16_xmodem(std::string_view data) noexcept {
  uint16_t crc = 0;
  for (unsigned char c : data) crc = static_cast<uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

std::string_view hash_tag_part(std::string_view key) noexcept {
  // Same rule as Redis's keyHashSlot: only the first '{' counts, and the first '}' after it closes the tag;
  // an empty tag "{}" means the whole key is hashed.
  const auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  const auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint16_t key_slot(std::string_view key) noexcept {
  return static_cast<uint16_t>(crc16_xmodem(hash_tag_part(key)) & (kSlotCount - 1));
}

}  // namespace lh::transport
