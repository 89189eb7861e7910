// redis:// target URLs: parsing, refusals with a message that quotes the URL as written (password masked),
// and redaction. No server needed (a db index the server lacks, /99, can only be found by the server).
#include "harness/net/url.hpp"
#include "harness/util/secrets.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace lh::net;

namespace {

// The UrlError message of `url`, or "" (and a test failure) when it is accepted.
std::string refusal(const std::string& url) {
  try {
    parse_redis_url(url);
  } catch (const UrlError& e) {
    return e.what();
  }
  ADD_FAILURE() << url << " was accepted";
  return "";
}

}  // namespace

TEST(RedisUrl, ParsesEveryPart) {
  RedisUrl u = parse_redis_url("redis://alice:s3cret@10.1.2.3:7000/4");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "s3cret");
  EXPECT_EQ(u.host, "10.1.2.3");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.db, 4);
}

TEST(RedisUrl, DefaultsPortAndDb) {
  RedisUrl u = parse_redis_url("redis://localhost");
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0);
  EXPECT_TRUE(u.user.empty());
  EXPECT_TRUE(u.password.empty());
}

TEST(RedisUrl, PasswordOnlyMeansTheDefaultUser) {
  RedisUrl u = parse_redis_url("redis://:pw@127.0.0.1:6380");
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.password, "pw");
}

TEST(RedisUrl, PercentEscapesAndRawAtInPassword) {
  EXPECT_EQ(parse_redis_url("redis://u:p%40ss%3Aw@h:1").password, "p@ss:w");
  EXPECT_EQ(parse_redis_url("redis://u:p@ss@h:1").password, "p@ss");
}

TEST(RedisUrl, AcceptsHostPortWithoutScheme) {
  RedisUrl u = parse_redis_url("127.0.0.1:6390");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 6390);
}

TEST(RedisUrl, IPv6Host) {
  RedisUrl u = parse_redis_url("redis://[::1]:6390");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6390);
}

TEST(RedisUrl, RedactionNeverShowsThePassword) {
  RedisUrl u = parse_redis_url("redis://alice:hunter2@127.0.0.1:6379/2");
  EXPECT_EQ(u.redacted(), "redis://alice:***@127.0.0.1:6379/2");
  EXPECT_EQ(parse_redis_url("redis://:hunter2@h:1").redacted(), "redis://:***@h:1");
  EXPECT_EQ(parse_redis_url("redis://h:1").redacted(), "redis://h:1");
}

TEST(RedisUrl, BadInputIsRejectedWithoutLeakingThePassword) {
  for (const char* bad : {"redis://u:hunter2@h:99999", "redis://u:hunter2@h:abc", "redis://u:hunter2@h:1/x",
                          "http://u:hunter2@h:1", "redis://", "redis://u:hunter2@:1", "redis://u:p%zz@h"}) {
    try {
      parse_redis_url(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UrlError& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--target"), std::string::npos) << e.what();
    }
  }
}

TEST(RedisUrl, AUserWithoutAPasswordIsRefusedWithTheFix) {
  for (const std::string url :
       {"redis://bob@127.0.0.1:6379", "redis://bob:@127.0.0.1:6379", "bob@127.0.0.1:6379"}) {
    const std::string msg = refusal(url);
    EXPECT_EQ(msg.rfind("--target ", 0), 0u) << msg;
    // The userinfo is masked, not echoed: "bob" may be a password written without its colon.
    EXPECT_NE(msg.find("redis://***@127.0.0.1:6379"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("bob"), std::string::npos) << msg;
    EXPECT_NE(msg.find("redis://USER:PASSWORD@127.0.0.1:6379"), std::string::npos) << msg;
    EXPECT_NE(msg.find("omit the user"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(RedisUrl, EmptyUserinfoMeansTheDefaultUserWithoutAuth) {
  RedisUrl u = parse_redis_url("redis://@h:1");
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.host, "h");
}

TEST(RedisUrl, DatabaseIndexIsADecimalNumberAfterOneSlash) {
  EXPECT_EQ(parse_redis_url("redis://h:1/0").db, 0);
  EXPECT_EQ(parse_redis_url("redis://h:1/15").db, 15);
  EXPECT_EQ(parse_redis_url("redis://h:1/").db, 0);
  EXPECT_EQ(parse_redis_url("redis://h/7").db, 7);
  EXPECT_EQ(parse_redis_url("redis://h:1/2147483647").db, 2147483647);
  for (const std::string bad :
       {"redis://h:1/x", "redis://h:1/-1", "redis://h:1/1/2", "redis://h:1/ 1", "redis://h:1/+1",
        "redis://h:1/1.5", "redis://h:1/2147483648", "redis://h:1/0x1"}) {
    const std::string msg = refusal(bad);
    EXPECT_NE(msg.find("database"), std::string::npos) << msg;
    EXPECT_NE(msg.find(bad), std::string::npos) << msg;
  }
}

TEST(RedisUrl, QueryParametersAreRefusedNotReadAsTheDatabase) {
  for (const std::string bad : {"redis://h:1/0?timeout=1", "redis://h:1?db=2", "redis://h:1/2#x"}) {
    const std::string msg = refusal(bad);
    EXPECT_NE(msg.find("not supported"), std::string::npos) << msg;
  }
}

TEST(RedisUrl, AsWrittenKeepsTheUsersTextWithThePasswordMasked) {
  EXPECT_EQ(parse_redis_url("redis://alice:hunter2@localhost:6379/2").as_written,
            "redis://alice:***@localhost:6379/2");
  EXPECT_EQ(parse_redis_url("localhost").as_written, "localhost");
  EXPECT_EQ(parse_redis_url("localhost").redacted(), "redis://localhost:6379");
  EXPECT_EQ(parse_redis_url("redis://:p%40ss@h").as_written, "redis://:***@h");
  // A raw '@' inside the password: all of it is masked, not just the part before the '@'.
  EXPECT_EQ(parse_redis_url("redis://u:p@ss@h:1").as_written, "redis://u:***@h:1");
  EXPECT_EQ(parse_redis_url("redis://[::1]:6390/3").as_written, "redis://[::1]:6390/3");
}

TEST(RedisUrl, DisplayIsAsWrittenOnlyWhileItNamesThisNode) {
  RedisUrl u = parse_redis_url("redis://alice:hunter2@localhost:7000");
  EXPECT_EQ(u.display(), "redis://alice:***@localhost:7000");
  RedisUrl node = u;  // a cluster node's URL: the seed's credentials, another address
  node.host = "127.0.0.1";
  node.port = 7001;
  EXPECT_EQ(node.display(), "redis://alice:***@127.0.0.1:7001");
  EXPECT_EQ(node.display(), node.redacted());
  RedisUrl embedded;  // not parsed from text
  embedded.port = 4242;
  EXPECT_EQ(embedded.display(), "redis://127.0.0.1:4242");
}

TEST(RedisUrl, ErrorMessagesQuoteTheUrlAsWrittenAndNeverThePassword) {
  const std::string msg = refusal("redis://alice:hunter2@myhost:abc");
  EXPECT_NE(msg.find("redis://alice:***@myhost:abc"), std::string::npos) << msg;
  EXPECT_NE(msg.find("port 'abc'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("hunter2"), std::string::npos) << msg;
  EXPECT_NE(refusal("http://h:1").find("'http://'"), std::string::npos);
  EXPECT_NE(refusal("rediss://bob@h:1").find("rediss://***@h:1"), std::string::npos);
}

TEST(RedisUrl, RedissIsTlsAndSaysSoWhereverItIsShown) {
  const auto u = parse_redis_url("rediss://alice:pw@cache.example:6380/2");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "cache.example");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 2);
  EXPECT_EQ(u.redacted(), "rediss://alice:***@cache.example:6380/2");
  EXPECT_EQ(u.display(), "rediss://alice:***@cache.example:6380/2");
  EXPECT_FALSE(parse_redis_url("redis://h").tls);
  auto node = u;  // a cluster node's URL: a copy of the seed's with another address
  node.host = "10.0.0.7";
  node.db = 0;
  EXPECT_EQ(node.display(), "rediss://alice:***@10.0.0.7:6380");
}

TEST(RedisUrl, APercentEscapeIsExactlyTwoHexDigits) {
  EXPECT_EQ(parse_redis_url("redis://u:%41b@h").password, "Ab");
  for (const std::string bad : {"redis://u:%-1x@h", "redis://u:%4@h", "redis://u:%@h", "redis://u%g1:pw@h"}) {
    const std::string msg = refusal(bad);
    EXPECT_NE(msg.find("%-escape"), std::string::npos) << msg;
  }
}

TEST(RedisUrl, MaskingLeavesAUrlWithoutPasswordAlone) {
  EXPECT_EQ(mask_url_password("redis://h:1/2"), "redis://h:1/2");
  EXPECT_EQ(mask_url_password("redis://bob@h"), "redis://bob@h");
  EXPECT_EQ(mask_url_password("redis://bob:@h"), "redis://bob:@h");
  EXPECT_EQ(mask_url_password("redis://:pw@h"), "redis://:***@h");
}

// The one redaction path (util/secrets.hpp): a URL's password registered in every form it can appear.
TEST(Secrets, AUrlsPasswordIsMaskedAsWrittenDecodedAndEscaped) {
  lh::net::add_url_secrets("redis://app:Qx%40Yz%22w9@h:1");
  EXPECT_EQ(lh::redact("as written Qx%40Yz%22w9."), "as written ***.");
  EXPECT_EQ(lh::redact("decoded Qx@Yz\"w9."), "decoded ***.");
  EXPECT_EQ(lh::redact("in JSON \"Qx@Yz\\\"w9\""), "in JSON \"***\"");
  EXPECT_EQ(lh::redact("in HTML Qx@Yz&quot;w9"), "in HTML ***");
  lh::net::add_url_secrets("redis://NoColonSecret77@h:1");  // a password written without its colon
  EXPECT_EQ(lh::redact("NoColonSecret77"), "***");
  lh::net::add_url_secrets("redis://h:1");  // no password: nothing registered, nothing masked
  EXPECT_EQ(lh::redact("h:1 redis"), "h:1 redis");
}
