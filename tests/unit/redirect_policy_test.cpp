// The redirect policy (transport/redirect.hpp) on tables of replies, no server: which step each reply leads to
// under the router's and the admin client's limits, the redirect limit, and the back-off's timing and budget.
#include "harness/transport/redirect.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <memory>
#include <string>
#include <vector>

using namespace lh::transport;
using lh::net::Clock;
using lh::net::ErrorClass;
using lh::net::Reply;
using namespace std::chrono_literals;

namespace {

// A reply as Redis sends it ("-MOVED 1 h:1\r\n").
Reply parse(const std::string& resp) {
  struct ReaderFree {
    void operator()(redisReader* r) const noexcept { redisReaderFree(r); }
  };
  std::unique_ptr<redisReader, ReaderFree> rd(redisReaderCreate());
  redisReaderFeed(rd.get(), resp.data(), resp.size());
  void* out = nullptr;
  EXPECT_EQ(redisReaderGetReply(rd.get(), &out), REDIS_OK) << resp;
  return Reply(static_cast<redisReply*>(out));
}

std::string kind_name(Step::Kind k) {
  switch (k) {
    case Step::Kind::done:
      return "done";
    case Step::Kind::moved:
      return "moved";
    case Step::Kind::ask:
      return "ask";
    case Step::Kind::reload:
      return "reload";
    case Step::Kind::wait:
      return "wait";
    case Step::Kind::give_up:
      return "give_up";
  }
  return "?";
}

// One step as a line: "moved 3999 10.0.0.2:7001", "wait refresh=after", "wait same", "done".
std::string show(const Step& s) {
  std::string out = kind_name(s.kind);
  if (s.kind == Step::Kind::moved || s.kind == Step::Kind::ask)
    out += " " + std::to_string(s.slot) + " " + s.node.to_string();
  if (s.kind == Step::Kind::wait) {
    if (s.refresh == Step::Refresh::now) out += " refresh=now";
    if (s.refresh == Step::Refresh::after_wait) out += " refresh=after";
    if (s.same_node) out += " same";
  }
  return out;
}

struct Row {
  const char* name;
  Reply reply;
  std::string router;  // the step under kRouterLimits
  std::string admin;   // under admin_limits(10 s)
};

std::vector<Row> table() {
  std::vector<Row> rows;
  auto add = [&rows](const char* name, Reply r, std::string router, std::string admin) {
    rows.push_back({name, std::move(r), std::move(router), std::move(admin)});
  };
  add("status", parse("+OK\r\n"), "done", "done");
  add("integer", parse(":41\r\n"), "done", "done");
  add("nil", parse("$-1\r\n"), "done", "done");
  add("array", parse("*1\r\n:1\r\n"), "done", "done");
  add("plain error", parse("-ERR wrong number of arguments\r\n"), "done", "done");
  add("script error", parse("-ERR user_script:1: oops\r\n"), "done", "done");
  add("crossslot", parse("-CROSSSLOT Keys in request don't hash to the same slot\r\n"), "done", "done");
  add("busy", parse("-BUSY Redis is busy running a script.\r\n"), "done", "done");
  add("readonly", parse("-READONLY You can't write against a read only replica.\r\n"), "done", "done");
  add("moved", parse("-MOVED 3999 10.0.0.2:7001\r\n"), "moved 3999 10.0.0.2:7001",
      "moved 3999 10.0.0.2:7001");
  add("moved, endpoint unknown", parse("-MOVED 12 :7002\r\n"), "moved 12 10.0.0.1:7002",
      "moved 12 10.0.0.1:7002");
  add("moved, ipv6", parse("-MOVED 16383 ::1:7000\r\n"), "moved 16383 ::1:7000", "moved 16383 ::1:7000");
  add("ask", parse("-ASK 5 10.0.0.3:7003\r\n"), "ask 5 10.0.0.3:7003", "ask 5 10.0.0.3:7003");
  add("moved, unparsable", parse("-MOVED banana\r\n"), "give_up", "give_up");
  add("ask, slot out of range", parse("-ASK 16384 10.0.0.3:7003\r\n"), "give_up", "give_up");
  add("tryagain", parse("-TRYAGAIN Multiple keys request during rehashing of slot\r\n"), "wait", "wait");
  add("clusterdown", parse("-CLUSTERDOWN The cluster is down\r\n"), "wait refresh=after",
      "wait refresh=after");
  add("clusterdown, uncovered", parse("-CLUSTERDOWN Hash slot not served\r\n"), "wait refresh=after",
      "wait refresh=after");
  add("noscript", parse("-NOSCRIPT No matching script. Please use EVAL.\r\n"), "reload", "reload");
  add("loading", parse("-LOADING Redis is loading the dataset in memory\r\n"), "done", "wait same");
  add("connection lost",
      Reply::failure(ErrorClass::connection, "Connection reset by peer during read with h:1"), "done",
      "wait refresh=now");
  add("timeout", Reply::failure(ErrorClass::timeout, "timeout during read with h:1"), "done",
      "wait refresh=now");
  add("protocol error", Reply::failure(ErrorClass::protocol, "protocol error from h:1"), "done",
      "wait refresh=now");
  return rows;
}

}  // namespace

TEST(RedirectPolicy, EachReplyLeadsToItsStep) {
  const RetryLimits admin = admin_limits(10s);
  for (const Row& row : table()) {
    RedirectPolicy router(kRouterLimits);
    EXPECT_EQ(show(router.on_reply(row.reply, "10.0.0.1", true)), row.router) << row.name;
    RedirectPolicy blocking(admin, Clock::now());
    EXPECT_EQ(show(blocking.on_reply(row.reply, "10.0.0.1", true)), row.admin) << row.name;
  }
}

// The router's hot path tests needs_follow_up() alone and calls the policy only when it says so: the two must
// agree on every reply.
TEST(RedirectPolicy, TheRoutersShortcutAgreesWithThePolicy) {
  for (const Row& row : table()) {
    RedirectPolicy router(kRouterLimits);
    const bool policy_done = router.on_reply(row.reply, "10.0.0.1", true).kind == Step::Kind::done;
    EXPECT_EQ(needs_follow_up(row.reply), !policy_done) << row.name;
  }
}

TEST(RedirectPolicy, NoscriptReloadsOnceAndOnlyWithAScript) {
  const Reply noscript = parse("-NOSCRIPT No matching script. Please use EVAL.\r\n");
  RedirectPolicy p(kRouterLimits);
  EXPECT_EQ(show(p.on_reply(noscript, "h", true)), "reload");
  EXPECT_EQ(show(p.on_reply(noscript, "h", true)), "done");  // loaded, and still NOSCRIPT: the answer
  RedirectPolicy no_script(kRouterLimits);
  EXPECT_EQ(show(no_script.on_reply(noscript, "h", false)), "done");  // a plain command: nothing to load
}

TEST(RedirectPolicy, NothingToSendToWaitsAndRefreshes) {
  RedirectPolicy router(kRouterLimits);
  EXPECT_EQ(show(router.on_no_owner()), "wait refresh=now");
  EXPECT_EQ(show(router.on_connect_failed()), "wait refresh=now");
  const RetryLimits admin = admin_limits(10s);
  RedirectPolicy blocking(admin, Clock::now());
  EXPECT_EQ(show(blocking.on_no_owner()), "wait refresh=now");
  EXPECT_EQ(show(blocking.on_connect_failed()), "wait refresh=now");
}

TEST(RedirectPolicy, SixteenRedirectsAreFollowedTheSeventeenthIsTheAnswer) {
  const Reply moved = parse("-MOVED 7 10.0.0.2:7001\r\n"), ask = parse("-ASK 7 10.0.0.3:7001\r\n");
  RedirectPolicy p(kRouterLimits);
  for (int i = 0; i < kMaxRedirects; ++i) {
    const Step s = p.on_reply(i % 2 ? ask : moved, "h", false);  // MOVED and ASK count alike
    EXPECT_NE(s.kind, Step::Kind::give_up) << i;
  }
  EXPECT_EQ(p.redirects(), kMaxRedirects);
  EXPECT_EQ(show(p.on_reply(moved, "h", false)), "give_up");
  // Waits do not count as redirects, and an unparsable redirect is not counted.
  RedirectPolicy q(kRouterLimits);
  (void)q.on_reply(parse("-TRYAGAIN x\r\n"), "h", false);
  (void)q.on_reply(parse("-MOVED x\r\n"), "h", false);
  EXPECT_EQ(q.redirects(), 0);
}

// kRouterLimits: 5 ms doubling up to 250 ms, at most 12 waits, 2 s from the first wait, the last wait cut there.
TEST(RedirectBackoff, RouterWaitsTwelveTimesAtMost) {
  RedirectPolicy p(kRouterLimits);
  const auto t0 = Clock::now() + 1h;  // any time: the budget starts at the first wait
  auto now = t0;
  std::vector<long> delays;
  for (int i = 0; i < 12; ++i) {
    const Backoff::Wait w = p.wait(now, false);
    ASSERT_EQ(w.stop, Backoff::Stop::none) << i;
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(w.until - now).count());
    now = w.until;
  }
  EXPECT_EQ(delays, (std::vector<long>{5, 10, 20, 40, 80, 160, 250, 250, 250, 250, 250, 250}));
  EXPECT_EQ(p.wait(now, false).stop, Backoff::Stop::waits);  // the 13th (1815 ms in: within the time budget)
}

TEST(RedirectBackoff, RouterCutsTheLastWaitAtTwoSeconds) {
  RedirectPolicy p(kRouterLimits);
  const auto t0 = Clock::now();
  ASSERT_EQ(p.wait(t0, false).stop, Backoff::Stop::none);  // starts the 2 s budget
  const Backoff::Wait late = p.wait(t0 + 1995ms, false);   // 10 ms asked, 5 ms left
  ASSERT_EQ(late.stop, Backoff::Stop::none);
  EXPECT_EQ(late.until, t0 + 2000ms);
  EXPECT_EQ(p.wait(t0 + 2000ms, false).stop, Backoff::Stop::time);
}

TEST(RedirectBackoff, AdminWaitsFromTheCommandsStartAndBeginsNoWaitPastItsPatience) {
  const auto start = Clock::now();
  const RetryLimits admin = admin_limits(500ms);
  RedirectPolicy p(admin, start);
  auto now = start;
  std::vector<long> delays;
  for (;;) {
    const Backoff::Wait w = p.wait(now, false);
    if (w.stop != Backoff::Stop::none) {
      EXPECT_EQ(w.stop, Backoff::Stop::time);
      break;
    }
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(w.until - now).count());
    now = w.until;
  }
  // 315 ms waited; the next 320 ms would end at 635 ms, past the 500 ms patience: not begun.
  EXPECT_EQ(delays, (std::vector<long>{5, 10, 20, 40, 80, 160}));

  // Doubling stops at 500 ms, and there is no count limit (only the patience).
  const RetryLimits patient = admin_limits(10s);
  RedirectPolicy q(patient, start);
  now = start;
  int waits = 0;
  long last = 0;
  for (Backoff::Wait w; (w = q.wait(now, false)).stop == Backoff::Stop::none; now = w.until, ++waits)
    last = std::chrono::duration_cast<std::chrono::milliseconds>(w.until - now).count();
  EXPECT_EQ(last, 500);
  EXPECT_EQ(waits,
            25);  // 5 + ... + 320 = 635 ms in 7, then 18 of 500 ms to 9635 ms; a 19th would end past 10 s
}

TEST(RedirectBackoff, AnInterruptEndsTheWaitingAtOnce) {
  RedirectPolicy router(kRouterLimits);
  EXPECT_EQ(router.wait(Clock::now(), true).stop, Backoff::Stop::interrupted);
  const RetryLimits admin = admin_limits(10s);
  RedirectPolicy blocking(admin, Clock::now());
  EXPECT_EQ(blocking.wait(Clock::now(), true).stop, Backoff::Stop::interrupted);
}

// A whole command, as the router drives it: MOVED, then ASK, then TRYAGAIN, then the answer.
TEST(RedirectPolicy, ASequenceOfReplies) {
  RedirectPolicy p(kRouterLimits);
  std::vector<std::string> steps;
  for (const char* resp :
       {"-MOVED 9 10.0.0.2:7001\r\n", "-ASK 9 10.0.0.3:7001\r\n", "-TRYAGAIN x\r\n", ":1\r\n"})
    steps.push_back(show(p.on_reply(parse(resp), "10.0.0.9", false)));
  EXPECT_EQ(steps,
            (std::vector<std::string>{"moved 9 10.0.0.2:7001", "ask 9 10.0.0.3:7001", "wait", "done"}));
  EXPECT_EQ(p.redirects(), 2);
}

TEST(Redirect, Moved) {
  auto r = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Redirect::moved);
  EXPECT_EQ(r->slot, 3999);
  EXPECT_EQ(r->addr, (NodeAddr{"127.0.0.1", 6381}));
}

TEST(Redirect, Ask) {
  auto r = parse_redirect("-ASK 0 10.0.0.5:30001\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Redirect::ask);
  EXPECT_EQ(r->slot, 0);
  EXPECT_EQ(r->addr, (NodeAddr{"10.0.0.5", 30001}));
}

TEST(Redirect, UnusualHosts) {
  auto v6 = parse_redirect("MOVED 16383 ::1:7000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->addr, (NodeAddr{"::1", 7000}));
  auto unknown = parse_redirect("MOVED 12 :7000");  // unknown endpoint: same host as the connection
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->addr, (NodeAddr{"", 7000}));
}

TEST(Redirect, NotRedirects) {
  for (const char* s :
       {"", "MOVED", "MOVED 12", "MOVED x 127.0.0.1:1", "MOVED 16384 127.0.0.1:1", "MOVED 1 host",
        "MOVED 1 host:0", "MOVED 1 host:99999", "ASKING", "TRYAGAIN Multiple keys request",
        "CLUSTERDOWN The cluster is down", "ERR moved 1 h:1"})
    EXPECT_FALSE(parse_redirect(s)) << s;
}

// node_backoff: NodeClient's retries on one node, 10 ms doubling up to 500 ms within its patience.
TEST(RedirectBackoff, NodeClientWaitsFromTenMilliseconds) {
  const auto start = Clock::now();
  Backoff b(node_backoff(1000ms), start);
  auto now = start;
  std::vector<long> delays;
  for (Backoff::Wait w; (w = b.wait(now, false)).stop == Backoff::Stop::none; now = w.until)
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(w.until - now).count());
  // 630 ms waited; the next 500 ms would end at 1130 ms, past the patience.
  EXPECT_EQ(delays, (std::vector<long>{10, 20, 40, 80, 160, 320}));
}
