// lint's reading of a script (no server): each of the seed's mistakes found on its line, and the project's own
// scripts clean.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/app/lint.hpp"
#include "harness/scenarios/embedded_lua.hpp"

namespace lh::app {
namespace {

std::vector<LintFinding> of(const std::vector<LintFinding>& all, const std::string& rule) {
  std::vector<LintFinding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const LintFinding& f) { return f.rule == rule; });
  return out;
}

TEST(LintStatic, ALiteralKeyIsAnErrorOnItsLineNamingTheKey) {
  const auto f =
      lint_static("local v = redis.call('GET', KEYS[1])\nredis.call('SET', 'config:global', v)\n", 1, 0);
  const auto lit = of(f, "literal-key");
  ASSERT_EQ(lit.size(), 1u);
  EXPECT_EQ(lit[0].severity, "error");
  EXPECT_EQ(lit[0].line, 2);
  EXPECT_NE(lit[0].message.find("'config:global'"), std::string::npos);
  EXPECT_NE(lit[0].fix.find("KEYS"), std::string::npos);
  // A key from KEYS, or a literal that is no key (an argument after the key), is fine.
  EXPECT_TRUE(of(lint_static("redis.call('HSET', KEYS[1], 'field', 'v')\n", 1, 0), "literal-key").empty());
  // Comments and strings are not code.
  EXPECT_TRUE(of(lint_static("-- redis.call('GET', 'x')\n--[[ redis.call('GET', 'y') ]]\nreturn 1\n", 0, 0),
                 "literal-key")
                  .empty());
}

TEST(LintStatic, WhatTheSandboxForbidsIsAnError) {
  const auto f =
      lint_static("local t = os.time()\nlocal s = require('socket')\nlocal c = os.clock()\n", 0, 0);
  const auto bad = of(f, "forbidden");
  ASSERT_EQ(bad.size(), 2u);  // os (line 1), require (line 2); os.clock is allowed
  EXPECT_EQ(bad[0].line, 1);
  EXPECT_EQ(bad[1].line, 2);
  EXPECT_TRUE(
      std::all_of(bad.begin(), bad.end(), [](const LintFinding& x) { return x.severity == "error"; }));
  EXPECT_TRUE(of(lint_static("local x = {}\nx.os = 1\nreturn x.os\n", 0, 0), "forbidden").empty());
}

TEST(LintStatic, ONCommandsAreWarnings) {
  const auto f = lint_static(
      "local a = redis.call('KEYS', 'x*')\nlocal b = redis.call('SMEMBERS', KEYS[1])\n"
      "local c = redis.call('LRANGE', KEYS[1], 0, -1)\nlocal d = redis.call('LRANGE', KEYS[1], 0, 9)\n",
      1, 0);
  const auto on = of(f, "o-n");
  ASSERT_EQ(on.size(), 3u);
  EXPECT_EQ(on[0].line, 1);
  EXPECT_EQ(on[1].line, 2);
  EXPECT_EQ(on[2].line, 3);  // LRANGE 0 9 is bounded
  EXPECT_EQ(on[0].severity, "warning");
}

TEST(LintStatic, LoopsAroundRedisCallThatNothingBoundsAreWarnings) {
  const auto f = lint_static(
      "while true do\n  if redis.call('GET', KEYS[1]) then break end\nend\n"
      "for i = 1, tonumber(ARGV[1]) do\n  redis.call('INCR', KEYS[1])\nend\n"
      "for i = 1, 10 do\n  redis.call('INCR', KEYS[1])\nend\n"
      "for i = 1, tonumber(ARGV[1]) do\n  local x = i * 2\nend\n",
      1, 1);
  const auto loops = of(f, "unbounded-loop");
  ASSERT_EQ(loops.size(), 2u);
  EXPECT_EQ(loops[0].line, 1);  // while
  EXPECT_EQ(loops[1].line, 4);  // for to ARGV; the for to 10, and the loop without a call, are fine
}

TEST(LintStatic, WritesNoReadDecidesCouldBeATransaction) {
  auto tx = of(lint_static("redis.call('SET', KEYS[1], ARGV[1])\nredis.call('EXPIRE', KEYS[1], 60)\n", 1, 1),
               "multi-exec");
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_EQ(tx[0].severity, "info");
  EXPECT_NE(tx[0].fix.find("MULTI; SET ...; EXPIRE ...; EXEC"), std::string::npos);
  // A read that decides (an if on a GET) needs the script.
  EXPECT_TRUE(
      of(lint_static("if redis.call('GET', KEYS[1]) == ARGV[1] then\n  redis.call('DEL', KEYS[1])\nend\n", 1,
                     1),
         "multi-exec")
          .empty());
}

TEST(LintStatic, KeysAndArgsAreCountedAgainstWhatWasGiven) {
  const std::string s = "return redis.call('SET', KEYS[2], ARGV[3])\n";
  auto k = of(lint_static(s, 1, 3), "keys-count");
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].severity, "error");
  EXPECT_NE(k[0].message.find("KEYS[2] but 1 --key is given"), std::string::npos) << k[0].message;
  auto a = of(lint_static(s, 2, 4), "args-count");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, "warning");  // one --arg too many
  EXPECT_TRUE(of(lint_static(s, 2, 3), "keys-count").empty());
  EXPECT_TRUE(of(lint_static(s, 2, 3), "args-count").empty());
  // KEYS walked by a loop: the count is the caller's.
  EXPECT_TRUE(
      of(lint_static("for _, k in ipairs(KEYS) do redis.call('DEL', k) end\n", 5, 0), "keys-count").empty());
}

TEST(LintStatic, TheProjectsOwnScriptsHaveNoErrors) {
  for (const auto& s : scripts::embedded_scripts()) {
    // Each script's own KEYS/ARGV contract: as many as it reads (extra optional ones are not the point here).
    std::size_t keys = 0, args = 0;
    for (const auto& f : lint_static(s.body, 0, 0)) {
      if (f.rule == "keys-count")
        keys = static_cast<std::size_t>(std::stoi(f.message.substr(f.message.find('[') + 1)));
      if (f.rule == "args-count")
        args = static_cast<std::size_t>(std::stoi(f.message.substr(f.message.find('[') + 1)));
    }
    for (const auto& f : lint_static(s.body, keys, args))
      EXPECT_NE(f.severity, "error") << s.name << ":" << f.line << ": " << f.message;
  }
}

}  // namespace
}  // namespace lh::app
