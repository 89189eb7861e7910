#include "harness/transport/cross_slot.hpp"

#include <gtest/gtest.h>

#include "harness/transport/slot.hpp"

using lh::transport::cross_slot_problem;
using lh::transport::key_slot;

namespace {
const std::string kPrefix = "lh:run1:";
}

TEST(CrossSlot, ZeroOrOneKey) {
  EXPECT_FALSE(cross_slot_problem({}, kPrefix));
  EXPECT_FALSE(cross_slot_problem({"lock:${rand:1-9}"}, kPrefix));
}

TEST(CrossSlot, SameHashTagIsFine) {
  EXPECT_FALSE(cross_slot_problem({"lock:{${rand:1-100}}", "fence:{${rand:1-100}}"}, kPrefix));
  EXPECT_FALSE(
      cross_slot_problem({"a:{user:${client}}:x", "b:{user:${client}}", "{user:${client}}"}, kPrefix));
  EXPECT_FALSE(cross_slot_problem({"{user1000}.following", "{user1000}.followers"}, kPrefix));
  // Identical keys always share a slot, tag or not.
  EXPECT_FALSE(cross_slot_problem({"k:${seq}", "k:${seq}"}, kPrefix));
}

TEST(CrossSlot, FixedKeysInOneSlotAreFine) {
  // Two different literal keys that happen to hash to the same slot (with the prefix).
  const std::string a = "k0";
  std::string b;
  for (int i = 1; b.empty(); ++i) {
    std::string candidate = "k";
    candidate += std::to_string(i);
    if (key_slot(kPrefix + candidate) == key_slot(kPrefix + a)) b = candidate;
  }
  EXPECT_FALSE(cross_slot_problem({a, b}, kPrefix));
  // Literal tags of different text but the same slot: also fine.
  EXPECT_FALSE(cross_slot_problem({"x{" + kPrefix + a + "}", "y{" + kPrefix + b + "}"}, kPrefix));
}

TEST(CrossSlot, PlaceholderKeysWithoutTag) {
  auto msg = cross_slot_problem({"lock:${rand:1-9}", "fence:${rand:1-9}"}, kPrefix);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("keys 'lock:${rand:1-9}' (slot e.g. "), std::string::npos) << *msg;
  EXPECT_NE(msg->find(" and 'fence:${rand:1-9}' (slot e.g. "), std::string::npos) << *msg;
  EXPECT_NE(msg->find("can hash to different cluster slots; put the shared part in a hash tag: "
                      "'lock:{${rand:1-9}}' and 'fence:{${rand:1-9}}'"),
            std::string::npos)
      << *msg;
  EXPECT_EQ(msg->find('\n'), std::string::npos);
}

TEST(CrossSlot, FixedKeysInDifferentSlots) {
  auto msg = cross_slot_problem({"foo", "bar"}, "");
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("'foo' (slot 12182) and 'bar' (slot 5061)"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("'{tag}:foo' and '{tag}:bar'"), std::string::npos)
      << *msg;  // nothing shared: a literal tag
}

TEST(CrossSlot, DifferentTags) {
  EXPECT_TRUE(cross_slot_problem({"{${rand:1-9}}a", "{${seq}}b"}, kPrefix));
  EXPECT_TRUE(cross_slot_problem({"{${rand:1-9}}a", "{${rand:1-10}}b"}, kPrefix));  // different placeholders
  EXPECT_TRUE(cross_slot_problem({"{${client}}a", "{${client}:x}b"}, kPrefix));
  // A tagged and an untagged key: the fix keeps the tag and adds it to the other.
  auto msg = cross_slot_problem({"lock:{${rand:1-9}}", "fence:${rand:1-9}"}, kPrefix);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("'lock:{${rand:1-9}}' and 'fence:{${rand:1-9}}'"), std::string::npos) << *msg;
}

TEST(CrossSlot, EmptyTagHashesWholeKey) {
  EXPECT_TRUE(cross_slot_problem({"a{}${seq}", "b{}${seq}"}, kPrefix));
}

TEST(CrossSlot, ThreeKeysNamedWithSlots) {
  auto msg = cross_slot_problem({"a:${client}", "b:${client}", "c:${client}"}, kPrefix);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("'a:${client}' (slot e.g. "), std::string::npos) << *msg;
  EXPECT_NE(msg->find("), 'b:${client}' (slot e.g. "), std::string::npos) << *msg;
  EXPECT_NE(msg->find(") and 'c:${client}' (slot e.g. "), std::string::npos) << *msg;
  EXPECT_NE(msg->find("'a:{${client}}', 'b:{${client}}' and 'c:{${client}}'"), std::string::npos) << *msg;
}

TEST(CrossSlot, SampleSlotsMatchTheExpandedKeys) {
  // The "e.g." slots are real slots of one expansion with the prefix: here rand's lower bound.
  auto msg = cross_slot_problem({"x:${rand:5-5}", "y:${rand:5-5}"}, kPrefix);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("(slot e.g. " + std::to_string(key_slot(kPrefix + "x:5")) + ")"), std::string::npos)
      << *msg;
  EXPECT_NE(msg->find("(slot e.g. " + std::to_string(key_slot(kPrefix + "y:5")) + ")"), std::string::npos)
      << *msg;
}
