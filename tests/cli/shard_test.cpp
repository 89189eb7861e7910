// Shards (issue 12): a run split over processes with --shard INDEX/COUNT and --start-at, merged by
// `lua-harness merge`, gives the numbers and verdicts of one process doing the same work, checked against a
// readback of Redis; the merge refuses reports that are not one run, naming the file; bad shard flags are
// exit 2 before any load.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"

using lh::test::contains;
using lh::test::OwnedServer;
using lh::test::ProcResult;
using lh::test::read_report;
using lh::test::run_harness;
using lh::test::scan_keys;
using lh::test::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

int64_t unix_s_from_now(int seconds) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() +
         seconds;
}

// "sI.json", appended piece by piece (g++ 12 -O3 warns falsely, -Wrestrict, on "s" + std::to_string(i)).
std::string shard_name(int i) {
  std::string n = "s";
  n += std::to_string(i);
  n += ".json";
  return n;
}
std::string shard_arg(int i, int count) {
  std::string a = std::to_string(i);
  a += '/';
  a += std::to_string(count);
  return a;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

// Runs COUNT shards of one run at once (as the Indexed Job's pods would), each writing DIR/sI.json.
std::vector<ProcResult> run_shards(const OwnedServer& s, const TempDir& dir, int count,
                                   const std::vector<std::string>& flags) {
  const std::string start = std::to_string(unix_s_from_now(2));
  std::vector<std::future<ProcResult>> running;
  for (int i = 0; i < count; ++i) {
    std::vector<std::string> a = {"run",        "--target", s.url(),   "--shard",  shard_arg(i, count),
                                  "--start-at", start,      "--quiet", "--report", dir.file(shard_name(i))};
    a.insert(a.end(), flags.begin(), flags.end());
    running.push_back(std::async(std::launch::async, [a] { return run_harness(a, 60s); }));
  }
  std::vector<ProcResult> out;
  for (auto& r : running) out.push_back(r.get());
  return out;
}

std::vector<std::string> shard_files(const TempDir& dir, int count) {
  std::vector<std::string> f;
  for (int i = 0; i < count; ++i) f.push_back(dir.file(shard_name(i)));
  return f;
}

ProcResult merge(const std::vector<std::string>& flags, const std::vector<std::string>& files) {
  std::vector<std::string> a = {"merge"};
  a.insert(a.end(), flags.begin(), flags.end());
  a.insert(a.end(), files.begin(), files.end());
  return run_harness(a, 60s);
}

int64_t readback(int port, const std::string& key) { return std::stoll(redis_cmd(port, {"GET", key})); }

}  // namespace

TEST(Shards, ThreeShardsMergeIntoTheNumbersOfOneProcessAndOfRedis) {
  OwnedServer server;
  const int port = server.port();
  for (const std::string variant : {"atomic", "naive"}) {
    SCOPED_TRACE(variant);
    TempDir dir;
    const std::string prefix = "lht:" + variant + ":";
    const std::vector<std::string> work = {"--scenario", "counter", "--variant", variant,
                                           "--requests", "3000",    "--clients", "9",
                                           "--seed",     "11",      "--threads", "1"};
    std::vector<std::string> shard_flags = work;
    shard_flags.insert(shard_flags.end(), {"--key-prefix", prefix});
    const auto shards = run_shards(server, dir, 3, shard_flags);
    for (std::size_t i = 0; i < shards.size(); ++i) {
      ASSERT_EQ(shards[i].exit_code, 0) << shards[i].err;
      const json r = read_report(dir.file(shard_name(static_cast<int>(i))));
      EXPECT_EQ(r["config"]["shard"]["index"], i);
      const json& res = r["results"][0];
      // Its clients' quotas of --requests as one process deals them: 3000 over 9 clients is 334 for clients
      // 0-2, 333 for the others.
      EXPECT_EQ(res["ops"]["total"], i == 0 ? 1002 : 999);
      EXPECT_EQ(res["correctness"]["verdict"], "not-checked");
      EXPECT_TRUE(contains(res["correctness"]["reason"].get<std::string>(), "lua-harness merge"));
      // Every shard's run clock started at --start-at itself.
      EXPECT_EQ(res["merge_state"]["origin_unix_us"].get<int64_t>(),
                r["config"]["start_at_unix_us"].get<int64_t>());
    }
    const std::string key = prefix + "counter:{c0}";
    const int64_t final_value = readback(port, key);  // the shards left the keys for the merge

    const auto m = merge({"--target", server.url(), "--keep-keys", "--quiet", "--report", dir.file("m.json"),
                          "--junit", dir.file("m.xml")},
                         shard_files(dir, 3));
    const json mr = read_report(dir.file("m.json"));
    ASSERT_FALSE(mr.empty()) << m.err;
    const json& c = mr["results"][0]["correctness"];
    EXPECT_EQ(mr["results"][0]["ops"]["total"], 3000);
    EXPECT_EQ(mr["results"][0]["ops"]["ok"], 3000);
    EXPECT_EQ(mr["config"]["shard"]["count"], 3);
    EXPECT_FALSE(mr["config"]["shard"].contains("index"));
    EXPECT_FALSE(mr["results"][0].contains("merge_state"));
    EXPECT_EQ(c["details"]["acknowledged"], 3000);
    EXPECT_EQ(c["details"]["final"], final_value);  // what Redis holds
    EXPECT_EQ(c["violations"], 3000 - final_value);
    EXPECT_EQ(readback(port, key), final_value);  // --keep-keys
    // The merged histogram is the shards' together: its extremes are theirs, exactly.
    int64_t max_us = 0, min_us = INT64_MAX;
    for (int i = 0; i < 3; ++i) {
      const json lat = read_report(dir.file(shard_name(i)))["results"][0]["latency_us"];
      max_us = std::max(max_us, lat["max"].get<int64_t>());
      min_us = std::min(min_us, lat["min"].get<int64_t>());
    }
    EXPECT_EQ(mr["results"][0]["latency_us"]["max"], max_us);
    EXPECT_EQ(mr["results"][0]["latency_us"]["min"], min_us);
    if (variant == "atomic") {
      EXPECT_EQ(m.exit_code, 0) << m.err;
      EXPECT_EQ(c["verdict"], "pass");
      EXPECT_EQ(final_value, 3000);
    } else {
      EXPECT_EQ(m.exit_code, 0) << m.err;  // the naive twin's lost updates are the demonstration
      EXPECT_EQ(c["verdict"], final_value < 3000 ? "violated" : "pass");
    }

    // One process doing the same work: the same counts and, for the atomic script, the same verdict.
    const std::string one_prefix = "lht:one:" + variant + ":";
    std::vector<std::string> one = {"run",         "--target", server.url(), "--key-prefix",      one_prefix,
                                    "--keep-keys", "--quiet",  "--report",   dir.file("one.json")};
    one.insert(one.end(), work.begin(), work.end());
    const auto single = run_harness(one, 60s);
    ASSERT_EQ(single.exit_code, 0) << single.err;
    const json sr = read_report(dir.file("one.json"));
    const json& sc = sr["results"][0]["correctness"];
    EXPECT_EQ(sr["results"][0]["ops"], mr["results"][0]["ops"]);
    EXPECT_EQ(sc["details"]["acknowledged"], c["details"]["acknowledged"]);
    EXPECT_EQ(sc["details"]["final"], readback(port, one_prefix + "counter:{c0}"));
    if (variant == "atomic") {
      EXPECT_EQ(sc["details"], c["details"]);
    }

    // Without --keep-keys the merge deletes the run's keys (and only those).
    const auto again = merge({"--target", server.url(), "--quiet"}, shard_files(dir, 3));
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(scan_keys(port, prefix + "*").empty());
    EXPECT_FALSE(scan_keys(port, one_prefix + "*").empty());
  }
}

// The lock's checker compares times across clients: shards on one clock (--start-at) judge mutual exclusion
// across processes without a false violation, and the merge finds the shards' target without --target.
TEST(Shards, TheLockAcrossShardsIsJudgedOnOneClock) {
  OwnedServer server;
  TempDir dir;
  const auto shards = run_shards(server, dir, 2,
                                 {"--scenario", "lock", "--variant", "atomic", "--duration", "1s",
                                  "--clients", "6", "--seed", "5", "--key-prefix", "lht:lock:"});
  for (const auto& s : shards) ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto m = merge({"--quiet", "--report", dir.file("m.json")}, shard_files(dir, 2));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  const json mr = read_report(dir.file("m.json"));
  const json& c = mr["results"][0]["correctness"];
  EXPECT_EQ(c["verdict"], "pass") << c.dump();
  EXPECT_GT(c["details"]["acquisitions"].get<int64_t>(), 10);
  EXPECT_EQ(c["details"]["mutual_exclusion_violations"], 0);
  EXPECT_TRUE(scan_keys(server.port(), "lht:lock:*").empty());
}

// --requests is dealt as one process deals it, client by client: 7 requests over 5 clients are 2,2,1,1,1, so
// shards of clients {0,1}, {2,3}, {4} run 4, 2 and 1; the open-loop slots interleave over the run's clients.
TEST(Shards, RequestsAreTheOneProcessQuotasOfEachShardsClients) {
  OwnedServer server;
  TempDir dir;
  const auto shards = run_shards(server, dir, 3,
                                 {"--scenario", "counter", "--variant", "atomic", "--requests", "7",
                                  "--clients", "5", "--seed", "2", "--key-prefix", "lht:quota:"});
  const int64_t want[] = {4, 2, 1};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(shards[static_cast<std::size_t>(i)].exit_code, 0) << shards[static_cast<std::size_t>(i)].err;
    EXPECT_EQ(read_report(dir.file(shard_name(i)))["results"][0]["ops"]["total"], want[i]) << "shard " << i;
  }
  const auto m =
      merge({"--target", server.url(), "--quiet", "--report", dir.file("m.json")}, shard_files(dir, 3));
  EXPECT_EQ(m.exit_code, 0) << m.err;
  const json mr = read_report(dir.file("m.json"));
  EXPECT_EQ(mr["results"][0]["ops"]["total"], 7);
  EXPECT_EQ(mr["results"][0]["correctness"]["details"]["final"], 7);
}

TEST(Shards, TheMergeRefusesReportsThatAreNotOneRunNamingTheFile) {
  OwnedServer server;
  TempDir dir;
  const std::vector<std::string> good = {"--scenario", "counter", "--variant", "atomic",       "--requests",
                                         "300",        "--seed",  "3",         "--key-prefix", "lht:ref:"};
  ASSERT_EQ(run_shards(server, dir, 2, good)[0].exit_code, 0);
  const auto keys_before = scan_keys(server.port(), "lht:ref:*");
  ASSERT_FALSE(keys_before.empty());
  // Another run's shard 1 (another --requests).
  TempDir other;
  std::vector<std::string> changed = good;
  changed[5] = "400";
  changed[9] = "lht:ref2:";
  ASSERT_EQ(run_shards(server, other, 2, changed)[1].exit_code, 0);
  // A report that is not a shard's.
  const auto plain =
      run_harness({"run", "--target", server.url(), "--scenario", "counter", "--variant", "atomic",
                   "--requests", "10", "--quiet", "--report", dir.file("plain.json")},
                  60s);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;

  struct Case {
    std::vector<std::string> flags, files;
    std::string says;
  };
  const std::string s0 = dir.file("s0.json"), s1 = dir.file("s1.json");
  const std::vector<Case> cases = {
      {{}, {s0}, "shard 1/2 is missing"},
      {{}, {s0, s0}, "are both shard 0/2"},
      {{}, {s0, other.file("s1.json")}, "not the same run as " + s0 + " (config."},
      {{}, {s0, dir.file("plain.json")}, dir.file("plain.json") + ": not a shard's report"},
      {{}, {s0, dir.file("nope.json")}, dir.file("nope.json")},
      {{"--requests", "5"}, {s0, s1}, "--requests is the shards' own"},
      {{}, {}, "no SHARD.json given"},
  };
  for (const auto& k : cases) {
    const auto r = merge(k.flags, k.files);
    EXPECT_EQ(r.exit_code, 2) << k.says << "\n" << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(contains(r.err, k.says)) << "wanted: " << k.says << "\n got: " << r.err;
  }
  EXPECT_EQ(scan_keys(server.port(), "lht:ref:*"), keys_before);  // a refused merge touches nothing
}

TEST(Shards, BadShardFlagsAreExit2BeforeAnyLoad) {
  OwnedServer server;
  const std::string start = std::to_string(unix_s_from_now(60));
  // Without --variant the plan is counter/atomic and counter/naive: two variants.
  const std::vector<std::string> base = {"run", "--target", server.url(), "--scenario", "counter", "--quiet"};
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--shard", "2/2", "--key-prefix", "p:", "--seed", "1", "--start-at", start}, "INDEX must be from 0"},
      {{"--shard", "one/2"}, "expected INDEX/COUNT"},
      {{"--shard", "0/2", "--seed", "1", "--start-at", start}, "--shard needs --key-prefix"},
      {{"--shard", "0/2", "--key-prefix", "p:", "--seed", "1"}, "needs --start-at"},
      {{"--shard", "0/2", "--key-prefix", "p:", "--start-at", start}, "--shard needs --seed"},
      {{"--shard", "0/1", "--key-prefix", "p:", "--seed", "1"}, "one scenario and variant"},
      {{"--start-at", "tomorrow"}, "--start-at 'tomorrow'"},
      {{"--start-at", "2026-02-31T00:00:00Z"}, "no such day"},
      {{"--shard", "0/2", "--key-prefix", "p:", "--seed", "1", "--start-at", start, "--clients", "1"},
       "gives some shards no client"},
      {{"--start-at", std::to_string(unix_s_from_now(3 * 24 * 3600))}, "hours ahead: at most 24"},
      {{"--start-at", std::to_string(unix_s_from_now(-3600))}, "s ago: give a time ahead"},
      {{"--start-at", "2026-12-02T20:00:00"}, "the time zone"},
  };
  for (const auto& k : cases) {
    std::vector<std::string> a = base;
    a.insert(a.end(), k.flags.begin(), k.flags.end());
    const auto r = run_harness(a, 30s);
    EXPECT_EQ(r.exit_code, 2) << k.says << "\n" << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(contains(r.err, k.says)) << "wanted: " << k.says << "\n got: " << r.err;
  }
  // The merge judges a sharded lock run on a 32-bit microsecond clock: over 70 minutes is refused.
  const auto lock = run_harness(
      {"run",        "--target", server.url(), "--scenario",   "lock",       "--variant", "atomic",
       "--quiet",    "--shard",  "0/2",        "--key-prefix", "p:",         "--seed",    "1",
       "--start-at", start,      "--warmup",   "2m",           "--duration", "69m"},
      30s);
  EXPECT_EQ(lock.exit_code, 2) << lock.err;
  EXPECT_TRUE(one_line(lock.err) && contains(lock.err, "wraps after 71.6 minutes")) << lock.err;
  const auto lock_requests = run_harness(
      {"run", "--target", server.url(), "--scenario", "lock", "--variant", "atomic", "--quiet", "--shard",
       "0/2", "--key-prefix", "p:", "--seed", "1", "--start-at", start, "--requests", "1000000000"},
      30s);
  EXPECT_EQ(lock_requests.exit_code, 2) << lock_requests.err;
  EXPECT_TRUE(contains(lock_requests.err, "--requests has no end to bound")) << lock_requests.err;
  EXPECT_TRUE(scan_keys(server.port(), "*").empty());
}
