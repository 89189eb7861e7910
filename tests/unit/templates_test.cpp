#include "harness/scenarios/templates.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lh::scenarios {
using engine::Rng;
namespace {

constexpr const char* kPrefix = "lh:run1:";

struct Expander {
  TemplateSet set;
  Rng rng{42};
  TemplateContext ctx{};
  std::vector<std::string> out, scratch;

  Expander(std::vector<std::string> keys, std::vector<std::string> args, std::string prefix = kPrefix)
      : set(TemplateSet::compile(keys, args, prefix)) {
    ctx.rng = &rng;
  }
  const std::vector<std::string>& next() {
    set.expand(ctx, out, scratch);
    ++ctx.seq;
    return out;
  }
};

std::string error_of(const std::vector<std::string>& keys, const std::vector<std::string>& args,
                     const std::string& prefix = kPrefix) {
  try {
    TemplateSet::compile(keys, args, prefix);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "(no error)";
}

// 8-4-4-4-12 lowercase hex, version nibble 4, variant nibble 8..b.
bool is_v4_uuid(const std::string& u) {
  if (u.size() != 36) return false;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = u[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return u[14] == '4' && std::string_view("89ab").find(u[19]) != std::string_view::npos;
}

int64_t number_between(const std::string& s, const std::string& before, const std::string& after) {
  const auto b = s.find(before);
  EXPECT_NE(b, std::string::npos) << s;
  const auto start = b + before.size();
  const auto e = s.find(after, start);
  EXPECT_NE(e, std::string::npos) << s;
  return std::stoll(s.substr(start, e - start));
}

TEST(Templates, LiteralTextPassesThroughUnchanged) {
  Expander x({"plain"}, {"", "hello world"});
  const auto& out = x.next();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "lh:run1:plain");
  EXPECT_EQ(out[1], "");
  EXPECT_EQ(out[2], "hello world");
}

TEST(Templates, BracesAndDollarsWithoutAPlaceholderStayLiteral) {
  Expander x({"a{b}c", "}{"}, {"$x", "cost$", "$$", "{$}", "${seq}$"});
  x.ctx.seq = 9;
  const auto& out = x.next();
  EXPECT_EQ(out[0], "lh:run1:a{b}c");
  EXPECT_EQ(out[1], "lh:run1:}{");
  EXPECT_EQ(out[2], "$x");
  EXPECT_EQ(out[3], "cost$");
  EXPECT_EQ(out[4], "$$");
  EXPECT_EQ(out[5], "{$}");
  EXPECT_EQ(out[6], "9$");
}

TEST(Templates, HashTagAroundAPlaceholderKeepsItsBraces) {
  Expander x({"lock:{${rand:1-100}}"}, {});
  for (int i = 0; i < 200; ++i) {
    const std::string key = x.next()[0];
    ASSERT_TRUE(key.starts_with("lh:run1:lock:{")) << key;
    ASSERT_TRUE(key.ends_with("}")) << key;
    const int64_t n = number_between(key, "{", "}");
    EXPECT_GE(n, 1);
    EXPECT_LE(n, 100);
  }
}

TEST(Templates, IdenticalPlaceholdersInOneOpExpandToTheSameValue) {
  Expander x({"lock:{${rand:1-1000000}}", "fence:{${rand:1-1000000}}"},
             {"${rand:1-1000000}", "${uuid}", "${uuid}"});
  std::set<int64_t> seen;
  for (int i = 0; i < 100; ++i) {
    const auto& out = x.next();
    const int64_t lock = number_between(out[0], "{", "}");
    EXPECT_EQ(number_between(out[1], "{", "}"), lock);
    EXPECT_EQ(out[2], std::to_string(lock));
    EXPECT_EQ(out[3], out[4]);
    seen.insert(lock);
  }
  EXPECT_GT(seen.size(), 90u);  // and each op draws afresh
}

TEST(Templates, DifferentPlaceholdersAreIndependent) {
  Expander x({"a:${rand:1-1000000}", "b:${rand:0-1000000}"}, {});
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    const auto& out = x.next();
    if (out[0].substr(10) != out[1].substr(10)) ++differ;
  }
  EXPECT_GT(differ, 95);
}

TEST(Templates, RandStaysWithinItsBoundsAndReachesEveryValue) {
  Expander x({}, {"${rand:3-7}", "${rand:-5--2}", "${rand:4-4}", "${rand:-1-1}"});
  std::map<int64_t, int> small, negative, mixed;
  for (int i = 0; i < 10'000; ++i) {
    const auto& out = x.next();
    ++small[std::stoll(out[0])];
    ++negative[std::stoll(out[1])];
    EXPECT_EQ(out[2], "4");
    ++mixed[std::stoll(out[3])];
  }
  EXPECT_EQ(small.size(), 5u);
  EXPECT_EQ(small.begin()->first, 3);
  EXPECT_EQ(small.rbegin()->first, 7);
  for (const auto& [v, n] : small) EXPECT_GT(n, 1'600) << v;  // ~2000 each
  EXPECT_EQ(negative.size(), 4u);
  EXPECT_EQ(negative.begin()->first, -5);
  EXPECT_EQ(negative.rbegin()->first, -2);
  EXPECT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed.begin()->first, -1);
}

TEST(Templates, RandAcceptsTheFullInt64Range) {
  Expander x({}, {"${rand:-9223372036854775808-9223372036854775807}"});
  std::set<std::string> seen;
  for (int i = 0; i < 10; ++i) seen.insert(x.next()[0]);
  EXPECT_GT(seen.size(), 5u);
}

TEST(Templates, SeqClientAndClockComeFromTheContext) {
  Expander x({"k:${client}:${seq}"}, {"${now_ms}", "${now_us}", "${seq}"});
  x.ctx.client = 7;
  x.ctx.seq = 41;
  x.ctx.now_us = 1'700'000'000'123'456;
  const auto& out = x.next();
  EXPECT_EQ(out[0], "lh:run1:k:7:41");
  EXPECT_EQ(out[1], "1700000000123");
  EXPECT_EQ(out[2], "1700000000123456");
  EXPECT_EQ(out[3], "41");
  EXPECT_EQ(x.next()[3], "42");
}

TEST(Templates, UuidIsRandomVersion4Text) {
  Expander x({}, {"${uuid}"});
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = x.next()[0];
    EXPECT_TRUE(is_v4_uuid(u)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Templates, SameSeedGivesTheSameExpansions) {
  Expander a({"k:${rand:1-1000000}"}, {"${uuid}"}), b({"k:${rand:1-1000000}"}, {"${uuid}"});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Templates, PrefixIsPrependedToKeysOnly) {
  Expander x({"user:${client}", ""}, {"user:${client}"});
  const auto& out = x.next();
  EXPECT_EQ(out[0], "lh:run1:user:0");
  EXPECT_EQ(out[1], "lh:run1:");
  EXPECT_EQ(out[2], "user:0");
}

TEST(Templates, KeysComeFirstThenArgs) {
  const auto set = TemplateSet::compile({"k1", "k2:${seq}"}, {"a1"}, kPrefix);
  EXPECT_EQ(set.key_count(), 2u);
  EXPECT_EQ(set.arg_count(), 1u);
  EXPECT_EQ(set.key_templates(), (std::vector<std::string>{"k1", "k2:${seq}"}));  // as given, unprefixed
  std::vector<std::string> out{"stale", "stale", "stale", "stale", "stale"}, scratch;
  Rng rng;
  set.expand(TemplateContext{0, 5, &rng, 0}, out, scratch);
  EXPECT_EQ(out, (std::vector<std::string>{"lh:run1:k1", "lh:run1:k2:5", "a1"}));
}

TEST(Templates, NoTemplatesExpandToNothing) {
  Expander x({}, {});
  EXPECT_TRUE(x.next().empty());
}

TEST(Templates, ExpansionReusesItsBuffersOnceWarm) {
  Expander x({"ratelimit:user:${rand:10-99}:a-long-suffix"},
             {"${now_us}", "window-of-a-long-length", "${uuid}"});
  x.ctx.now_us = 1'700'000'000'000'000;
  x.next();
  std::vector<const char*> data;
  for (const auto& s : x.out) data.push_back(s.data());
  for (const auto& s : x.scratch) data.push_back(s.data());
  for (int i = 0; i < 100; ++i) {
    x.ctx.now_us += 1'000;
    x.next();
    std::size_t j = 0;
    for (const auto& s : x.out) EXPECT_EQ(s.data(), data[j++]);
    for (const auto& s : x.scratch) EXPECT_EQ(s.data(), data[j++]);
  }
}

TEST(Templates, UnknownPlaceholderNamesTheFlagAndTemplate) {
  EXPECT_EQ(error_of({"user:${rnd:1-5}"}, {}), "--key 'user:${rnd:1-5}': unknown placeholder ${rnd:1-5}");
  EXPECT_EQ(error_of({}, {"v:${RAND:1-2}"}), "--arg 'v:${RAND:1-2}': unknown placeholder ${RAND:1-2}");
  EXPECT_EQ(error_of({}, {"${}"}), "--arg '${}': unknown placeholder ${}");
  EXPECT_EQ(error_of({}, {"ok", "${ seq}"}), "--arg '${ seq}': unknown placeholder ${ seq}");
}

TEST(Templates, UnterminatedPlaceholderIsAnError) {
  EXPECT_EQ(error_of({}, {"x:${seq"}), "--arg 'x:${seq': unterminated placeholder ${seq (missing })");
  EXPECT_EQ(error_of({"k:${"}, {}), "--key 'k:${': unterminated placeholder ${ (missing })");
}

TEST(Templates, BadRandRangeIsAnError) {
  EXPECT_EQ(error_of({"k:${rand:5-1}"}, {}), "--key 'k:${rand:5-1}': bad range in ${rand:5-1} (5 > 1)");
  EXPECT_EQ(error_of({"k:${rand:1}"}, {}),
            "--key 'k:${rand:1}': bad range in ${rand:1} (want ${rand:A-B}, integers A <= B)");
  EXPECT_EQ(error_of({}, {"${rand:a-b}"}),
            "--arg '${rand:a-b}': bad range in ${rand:a-b} (want ${rand:A-B}, integers A <= B)");
  EXPECT_EQ(error_of({}, {"${rand:1-}"}),
            "--arg '${rand:1-}': bad range in ${rand:1-} (want ${rand:A-B}, integers A <= B)");
  EXPECT_EQ(error_of({}, {"${rand:1-2x}"}),
            "--arg '${rand:1-2x}': bad range in ${rand:1-2x} (want ${rand:A-B}, integers A <= B)");
  EXPECT_EQ(error_of({}, {"${rand:1-99999999999999999999}"}),
            "--arg '${rand:1-99999999999999999999}': bad range in ${rand:1-99999999999999999999} "
            "(want ${rand:A-B}, integers A <= B)");
}

TEST(Templates, KeyPrefixWithBracesIsRefused) {
  EXPECT_EQ(error_of({"k"}, {}, "lh:{x}:"),
            "--key-prefix 'lh:{x}:': must not contain { or } (it would become a hash tag)");
}

TEST(Templates, ErrorMessagesAreOneLine) {
  for (const auto& m : {error_of({"${nope}"}, {}), error_of({}, {"${seq"}), error_of({"${rand:2-1}"}, {})})
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

}  // namespace
}  // namespace lh::scenarios
