// Redis Cluster key -> slot mapping: CRC16 (XMODEM) of the key's hash tag, mod 16384.
#pragma once
#include <cstdint>
#include <string_view>

namespace lh::transport {

inline constexpr uint16_t kSlotCount = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the variant Redis uses.
uint16_t crc16_xmodem(std::string_view data) noexcept;

// The part of the key that is hashed: the text inside the first `{...}` when it is non-empty, else the whole key.
std::string_view hash_tag_part(std::string_view key) noexcept;

// The cluster slot (0..16383) of a key.
uint16_t key_slot(std::string_view key) noexcept;

}  // namespace lh::transport
