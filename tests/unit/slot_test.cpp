#include "harness/transport/slot.hpp"

#include <gtest/gtest.h>

using namespace lh::transport;

TEST(Slot, Crc16CheckValue) {
  EXPECT_EQ(crc16_xmodem("123456789"), 0x31C3);  // the XMODEM check value
  EXPECT_EQ(crc16_xmodem(""), 0);
}

TEST(Slot, KnownSlots) {
  // Values from `CLUSTER KEYSLOT` on a real server.
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("123456789"), 0x31C3 % 16384);
  EXPECT_EQ(key_slot(""), 0);
}

TEST(Slot, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(hash_tag_part("foo{}{bar}"), "foo{}{bar}");  // empty first tag: the whole key
  EXPECT_EQ(hash_tag_part("foo{{bar}}zap"), "{bar");     // first '{', first '}' after it
  EXPECT_EQ(hash_tag_part("foo{bar}{zap}"), "bar");      // only the first tag counts
  EXPECT_EQ(hash_tag_part("foo{bar"), "foo{bar");        // unclosed
  EXPECT_EQ(hash_tag_part("foo}bar{"), "foo}bar{");
  EXPECT_EQ(hash_tag_part("{a}"), "a");
  EXPECT_EQ(key_slot("foo{}{bar}"), crc16_xmodem("foo{}{bar}") % 16384);
  EXPECT_EQ(key_slot("foo{{bar}}zap"), crc16_xmodem("{bar") % 16384);
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));
}

TEST(Slot, AllSlotsInRange) {
  for (int i = 0; i < 100000; ++i) EXPECT_LT(key_slot("key:" + std::to_string(i)), 16384);
}
