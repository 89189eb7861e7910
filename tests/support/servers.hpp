// Test fixtures on top of the embedded launcher: a private redis-server or cluster per test, and a blocking
// one-shot command that returns the reply as text (for compact EXPECT_EQs).
#pragma once
#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/app/local_cluster.hpp"
#include "harness/app/redis_server.hpp"

namespace lh::test {

// A fresh server with the standard embedded flags plus `extra` (e.g. {"--requirepass", "s3cret"}).
lh::app::RedisServer start_server(std::vector<std::string> extra = {});

// A fresh local cluster, healthy when returned.
std::unique_ptr<lh::app::LocalCluster> start_cluster(int masters, int replicas_per_master,
                                                     std::vector<std::string> extra = {});

// The tests' own reader of Redis: one blocking hiredis connection to 127.0.0.1:port, AUTH when a password is
// given, then argv (no PING, no retry, nothing of the harness's transport), so what a test reads back does not
// depend on the code under test. nullptr when the connection or the exchange fails; an AUTH refused comes back
// as its error reply.
struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;
ReplyPtr raw_command(int port, const std::vector<std::string>& argv, const std::string& password = "",
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

// Runs argv on 127.0.0.1:port (AUTH first when a password is given). Text of the reply: strings and statuses as
// they are, integers in decimal, nil "(nil)", errors "ERR:" + message, arrays space-joined (recursively).
// Throws std::runtime_error when the server cannot be reached.
std::string redis_cmd(int port, std::vector<std::string> argv, const std::string& password = "");

}  // namespace lh::test

// Also reachable unqualified, as most tests will want.
using lh::test::redis_cmd;
using lh::test::start_cluster;
using lh::test::start_server;
