// Reply classification, SHA1, RESP encoding, secret masking: no server needed. (URLs: url_test.cpp.)
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/net/errors.hpp"
#include "harness/net/reply.hpp"
#include "harness/net/resp.hpp"
#include "harness/transport/script.hpp"
#include "harness/util/secrets.hpp"

using namespace lh::net;

TEST(ErrorClass, ClassifiesRedisErrorReplies) {
  EXPECT_EQ(classify_error_reply("NOSCRIPT No matching script. Please use EVAL."), ErrorClass::noscript);
  EXPECT_EQ(classify_error_reply("BUSY Redis is busy running a script."), ErrorClass::busy);
  EXPECT_EQ(classify_error_reply("MOVED 3999 127.0.0.1:6381"), ErrorClass::moved);
  EXPECT_EQ(classify_error_reply("ASK 3999 127.0.0.1:6381"), ErrorClass::ask);
  EXPECT_EQ(classify_error_reply("TRYAGAIN Multiple keys request during rehashing of slot"),
            ErrorClass::tryagain);
  EXPECT_EQ(classify_error_reply("CLUSTERDOWN The cluster is down"), ErrorClass::clusterdown);
  EXPECT_EQ(classify_error_reply("CROSSSLOT Keys in request don't hash to the same slot"),
            ErrorClass::crossslot);
  EXPECT_EQ(classify_error_reply("OOM command not allowed when used memory > 'maxmemory'."), ErrorClass::oom);
  EXPECT_EQ(classify_error_reply("READONLY You can't write against a read only replica."),
            ErrorClass::readonly);
  EXPECT_EQ(classify_error_reply("ERR user_script:3: Script attempted to access nonexistent global variable"),
            ErrorClass::script);
  EXPECT_EQ(classify_error_reply("ERR Error running script (call to f_1234): @user_script:1: oops"),
            ErrorClass::script);
  EXPECT_EQ(classify_error_reply("WRONGTYPE Operation against a key holding the wrong kind of value"),
            ErrorClass::other);
}

TEST(ErrorClass, OutcomesFollowWhetherTheCommandCanHaveRun) {
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::noscript), Outcome::failed);
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::moved), Outcome::failed);
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::readonly), Outcome::failed);
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::timeout), Outcome::indeterminate);
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::connection), Outcome::indeterminate);
  EXPECT_EQ(outcome_of_error_reply(ErrorClass::script), Outcome::indeterminate);  // may have written first
}

TEST(ErrorClass, NamesMatchTheContract) {
  EXPECT_EQ(error_class_name(ErrorClass::noscript), "noscript");
  EXPECT_EQ(error_class_name(ErrorClass::other), "other");
  EXPECT_EQ(error_class_name(ErrorClass::timeout), "timeout");
}

TEST(Reply, FailureCarriesItsClassAndMessage) {
  Reply r = Reply::failure(ErrorClass::timeout, "timeout during read");
  EXPECT_TRUE(r.is_error());
  EXPECT_TRUE(r.is_transport_failure());
  EXPECT_EQ(r.outcome(), Outcome::indeterminate);
  EXPECT_EQ(r.error_message(), "timeout during read");
}

TEST(Sha1, MatchesKnownDigests) {
  EXPECT_EQ(lh::scripts::sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(lh::scripts::sha1_hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST(Resp, EncodingIsByteIdenticalToHiredis) {
  std::vector<std::vector<std::string>> commands = {
      {"PING"},
      {"SET", "k", ""},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "1", "lh:1:counter:{0}", "1700000000000"},
      {"SET", std::string("bin\0ary\r\n", 9), std::string(70000, 'x')},
      // lengths at every digit boundary, and 12 arguments (a two-digit count)
      {"A", "123456789", std::string(10, 'b'), std::string(99, 'c'), std::string(100, 'd'),
       std::string(999, 'e'), std::string(1000, 'f'), "", "x", "y", "z", "w"}};
  for (const auto& argv : commands) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    std::vector<std::string_view> views;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
      views.push_back(a);
    }
    char* expected = nullptr;
    int n = redisFormatCommandArgv(&expected, static_cast<int>(argv.size()), ptrs.data(), lens.data());
    ASSERT_GT(n, 0);
    std::string ours = "queued:";  // appends after what is already queued
    resp::append_command(ours, views);
    EXPECT_EQ(ours, "queued:" + std::string(expected, static_cast<size_t>(n)));
    redisFreeCommand(expected);
  }
}

namespace {
struct ReaderFree {
  void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
};
using ReaderPtr = std::unique_ptr<redisReader, ReaderFree>;

// Feeds RESP bytes to a reader with the pooled functions; returns the parsed reply (owned by the caller).
redisReply* parse_pooled(const ReaderPtr& rd, std::string_view resp) {
  redisReaderFeed(rd.get(), resp.data(), resp.size());
  void* out = nullptr;
  EXPECT_EQ(redisReaderGetReply(rd.get(), &out), REDIS_OK);
  return static_cast<redisReply*>(out);
}
}  // namespace

TEST(PooledReplies, ParseEveryReplyTypeLikeHiredis) {
  ReaderPtr rd(redisReaderCreateWithFunctions(pooled_reply_functions()));
  Reply i(parse_pooled(rd, ":42\r\n"));
  EXPECT_TRUE(i.is_integer());
  EXPECT_EQ(i.integer(), 42);
  Reply s(parse_pooled(rd, std::string_view("$5\r\nhe\0lo\r\n", 11)));
  EXPECT_EQ(s.str(), std::string_view("he\0lo", 5));
  Reply st(parse_pooled(rd, "+OK\r\n"));
  EXPECT_EQ(st.str(), "OK");
  Reply nil(parse_pooled(rd, "$-1\r\n"));
  EXPECT_TRUE(nil.is_nil());
  Reply err(parse_pooled(rd, "-NOSCRIPT No matching script\r\n"));
  EXPECT_TRUE(err.is_error());
  EXPECT_EQ(err.error_class(), ErrorClass::noscript);
  Reply arr(parse_pooled(rd, "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n"));
  ASSERT_EQ(arr.elements(), 3u);
  EXPECT_EQ(arr.element(0)->integer, 1);
  ASSERT_EQ(arr.element(1)->elements, 2u);
  EXPECT_EQ(std::string_view(arr.element(1)->element[0]->str, 1), "a");
  EXPECT_EQ(arr.element(1)->element[1]->type, REDIS_REPLY_NIL);
  EXPECT_EQ(arr.element(2)->elements, 0u);
}

TEST(PooledReplies, StructsAreRecycledAndInterchangeableWithHiredisOwn) {
  ReaderPtr rd(redisReaderCreateWithFunctions(pooled_reply_functions()));
  redisReply* first = parse_pooled(rd, ":1\r\n");
  free_reply_object(first);
  redisReply* second = parse_pooled(rd, ":2\r\n");
  EXPECT_EQ(first, second);  // the freed struct came back from this thread's free list
  EXPECT_EQ(second->integer, 2);
  EXPECT_EQ(second->str, nullptr);  // recycled structs are zeroed
  freeReplyObject(second);          // ours are malloc memory: hiredis's own free takes them

  ReaderPtr plain(redisReaderCreate());  // and our free takes replies hiredis built itself
  {
    Reply r(parse_pooled(plain, "*1\r\n$3\r\nabc\r\n"));
    EXPECT_EQ(r.elements(), 1u);
  }
}

TEST(PooledReplies, AProtocolErrorMidArrayFreesThePartialReply) {
  ReaderPtr rd(redisReaderCreateWithFunctions(pooled_reply_functions()));
  const std::string_view bad = "*2\r\n:1\r\n?oops\r\n";
  redisReaderFeed(rd.get(), bad.data(), bad.size());
  void* out = nullptr;
  EXPECT_EQ(redisReaderGetReply(rd.get(), &out), REDIS_ERR);
  EXPECT_EQ(out, nullptr);
}

TEST(Secrets, EveryOccurrenceIsMaskedAndNothingElse) {
  EXPECT_EQ(lh::without_secrets("WRONGPASS s3cret for s3cret@127.0.0.1", {"s3cret"}),
            "WRONGPASS *** for ***@127.0.0.1");
  EXPECT_EQ(lh::without_secrets("aaaa", {"aa"}), "******");  // adjacent occurrences, none left half shown
  EXPECT_EQ(lh::without_secrets("no secret here", {"", "pw"}),
            "no secret here");  // empty secrets are skipped
  EXPECT_EQ(lh::without_secrets("p1 and p2", {"p1", "p2"}), "*** and ***");
  // Mask first, then cut: a secret that crossed the cut is not half shown.
  const std::string msg = std::string(295, 'x') + "hunter2!";
  const std::string shown = lh::without_secrets(msg, {"hunter2!"}).substr(0, 300);
  EXPECT_EQ(shown.find("hunt"), std::string::npos) << shown;
}
