// TLS as deployments use it (issue 11): the binary run against redis-servers that serve TLS with certificates
// made by openssl at test time. Verified by default (the CA, then the host or --tls-sni against the
// certificate), client certificates for tls-auth-clients, --tls-insecure said on every run, a 3-master
// cluster reached on its TLS ports only, and every refusal exit 3 (the target) or 2 (the flags) with its
// reason in words before any load.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/app/redis_server.hpp"
#include "support/faults.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/tls.hpp"

using lh::test::command_calls;
using lh::test::contains;
using lh::test::poll_until;
using lh::test::read_report;
using lh::test::run_harness;
using lh::test::TempDir;
using lh::test::TestCerts;
using lh::test::tls_server_args;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct TlsServer {
  int tls_port = lh::app::free_loopback_port();
  lh::app::RedisServer server;
  TlsServer(const TestCerts& certs, bool auth_clients = false, std::vector<std::string> extra = {})
      : server(
            lh::app::ServerOptions{"", with(tls_server_args(certs, tls_port, auth_clients), extra), false}) {}
  std::string url(const std::string& host = "127.0.0.1") const {
    return "rediss://" + host + ":" + std::to_string(tls_port);
  }
  static std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
};

std::vector<std::string> counter_run(const std::string& target, std::vector<std::string> extra,
                                     const std::string& variants = "atomic") {
  std::vector<std::string> a = {"run",       "--target", target,       "--scenario", "counter",
                                "--variant", variants,   "--duration", "1s",         "--quiet"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

// The load never started: no script call reached the server.
bool no_load(int plain_port) { return command_calls(plain_port, "evalsha") == 0; }

}  // namespace

TEST(Tls, AVerifiedRunChecksTheScenarioAndTheReportSaysTls) {
  TestCerts certs;
  TlsServer s(certs);
  TempDir dir;
  auto r = run_harness(
      counter_run(s.url(), {"--tls-ca", certs.ca, "--report", dir.file("r.json")}, "atomic,naive"), 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rep = read_report(dir.file("r.json"));
  EXPECT_EQ(rep["target"]["tls"], true);
  EXPECT_EQ(rep["target"]["tls_verified"], true);
  EXPECT_FALSE(rep.contains("warnings")) << rep["warnings"].dump();
  ASSERT_EQ(rep["results"].size(), 2u);
  EXPECT_EQ(rep["results"][0]["correctness"]["verdict"], "pass");
  EXPECT_GT(rep["results"][0]["ops"]["ok"].get<uint64_t>(), 100u);
  EXPECT_GT(rep["results"][1]["correctness"]["violations"].get<int64_t>(), 0);  // the naive twin over TLS too
  EXPECT_GT(command_calls(s.server.port(), "evalsha"), 100);
}

TEST(Tls, ACertificateFromAnUnknownCaIsExit3WithTheReasonBeforeAnyLoad) {
  TestCerts certs;
  TlsServer s(certs);
  TempDir dir;
  // Neither another CA nor the system's trust store knows the test CA.
  for (const std::vector<std::string>& ca :
       {std::vector<std::string>{"--tls-ca", certs.other_ca}, std::vector<std::string>{}}) {
    std::vector<std::string> extra = ca;
    extra.insert(extra.end(), {"--report", dir.file("r.json")});
    auto r = run_harness(counter_run(s.url(), extra), 30s);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(contains(r.err, "certificate verify failed: ")) << r.err;
    EXPECT_FALSE(contains(r.err, "is Redis running there")) << r.err;  // it answered: that hint would mislead
    EXPECT_TRUE(contains(read_report(dir.file("r.json"))["error"]["message"].get<std::string>(),
                         "certificate verify failed"));
  }
  EXPECT_TRUE(no_load(s.server.port()));
}

TEST(Tls, TheNameIsVerifiedAgainstTheHostOrTlsSni) {
  TestCerts certs;  // the server's certificate names IP 127.0.0.1 and DNS redis.test
  TlsServer s(certs);
  auto wrong_host = run_harness(counter_run(s.url("localhost"), {"--tls-ca", certs.ca}), 30s);
  EXPECT_EQ(wrong_host.exit_code, 3) << wrong_host.err;
  EXPECT_TRUE(contains(wrong_host.err, "certificate verify failed: hostname mismatch")) << wrong_host.err;
  auto wrong_sni = run_harness(counter_run(s.url(), {"--tls-ca", certs.ca, "--tls-sni", "other.test"}), 30s);
  EXPECT_EQ(wrong_sni.exit_code, 3) << wrong_sni.err;
  EXPECT_TRUE(contains(wrong_sni.err, "hostname mismatch")) << wrong_sni.err;
  EXPECT_TRUE(no_load(s.server.port()));
  auto sni = run_harness(counter_run(s.url(), {"--tls-ca", certs.ca, "--tls-sni", "redis.test"}), 30s);
  EXPECT_EQ(sni.exit_code, 0) << sni.err;
}

TEST(Tls, AServerThatRequiresClientCertificatesGetsThemOrTheRunSaysWhy) {
  TestCerts certs;
  TlsServer s(certs, /*auth_clients=*/true);
  auto without = run_harness(counter_run(s.url(), {"--tls-ca", certs.ca}), 30s);
  EXPECT_EQ(without.exit_code, 3) << without.err;
  EXPECT_TRUE(one_line(without.err)) << without.err;
  EXPECT_TRUE(contains(without.err, "give --tls-cert and --tls-key")) << without.err;
  EXPECT_TRUE(no_load(s.server.port()));
  auto with = run_harness(counter_run(s.url(), {"--tls-ca", certs.ca, "--tls-cert", certs.client_cert,
                                                "--tls-key", certs.client_key}),
                          30s);
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_GT(command_calls(s.server.port(), "evalsha"), 100);
}

TEST(Tls, InsecureVerifiesNothingAndSaysSoOnEveryRun) {
  TestCerts certs;
  TlsServer s(certs);
  TempDir dir;
  auto r = run_harness(counter_run(s.url(), {"--tls-insecure", "--report", dir.file("r.json")}), 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: --tls-insecure: the server's certificate and name were not verified"))
      << r.err;  // said even with --quiet
  const json rep = read_report(dir.file("r.json"));
  EXPECT_EQ(rep["target"]["tls_verified"], false);
  ASSERT_TRUE(rep.contains("warnings"));
  EXPECT_TRUE(contains(rep["warnings"].dump(), "--tls-insecure"));
}

TEST(Tls, TheWrongSchemeForAPortSaysWhichToUse) {
  TestCerts certs;
  TlsServer s(certs);
  // Plain RESP to the TLS port: the server closes the connection.
  auto plain = run_harness(counter_run("redis://127.0.0.1:" + std::to_string(s.tls_port), {}), 30s);
  EXPECT_EQ(plain.exit_code, 3) << plain.err;
  EXPECT_TRUE(one_line(plain.err)) << plain.err;
  EXPECT_TRUE(contains(plain.err, "use rediss://")) << plain.err;
  // A handshake to the plain port: the server waits for a command that never comes.
  auto tls = run_harness(counter_run("rediss://127.0.0.1:" + std::to_string(s.server.port()),
                                     {"--tls-ca", certs.ca, "--connect-timeout", "300ms"}),
                         30s);
  EXPECT_EQ(tls.exit_code, 3) << tls.err;
  EXPECT_TRUE(contains(tls.err, "use redis://")) << tls.err;
  EXPECT_TRUE(no_load(s.server.port()));
}

TEST(Tls, BadTlsFlagsAreExit2NamingTheFlagAndTheFile) {
  TestCerts certs;
  TlsServer s(certs);
  TempDir dir;
  lh::test::write_text(dir.file("not-pem.crt"), "not a certificate\n");
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--tls-ca", dir.file("missing.crt")},
       "--tls-ca " + dir.file("missing.crt") + ": cannot read the file"},
      {{"--tls-ca", dir.file("not-pem.crt")},
       "--tls-ca " + dir.file("not-pem.crt") + ": not a PEM certificate"},
      {{"--tls-ca", certs.ca, "--tls-cert", certs.client_cert}, "--tls-cert needs --tls-key"},
      {{"--tls-ca", certs.ca, "--tls-key", certs.client_key}, "--tls-key needs --tls-cert"},
      {{"--tls-ca", certs.ca, "--tls-cert", certs.client_cert, "--tls-key", certs.server_key},
       "--tls-key " + certs.server_key + " does not belong to --tls-cert " + certs.client_cert},
  };
  for (const auto& c : cases) {
    auto r = run_harness(counter_run(s.url(), c.flags), 30s);
    EXPECT_EQ(r.exit_code, 2) << c.says << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
  }
  auto plain = run_harness(
      counter_run("redis://127.0.0.1:" + std::to_string(s.server.port()), {"--tls-ca", certs.ca}), 30s);
  EXPECT_EQ(plain.exit_code, 2) << plain.err;
  EXPECT_TRUE(contains(plain.err, "--tls-* options need a TLS target: write it as rediss://")) << plain.err;
  EXPECT_TRUE(no_load(s.server.port()));
}

TEST(Tls, APasswordInARedissUrlIsNeverShown) {
  TestCerts certs;
  TlsServer s(certs, false, {"--requirepass", "Sup3rSecretTls"});
  auto ok = run_harness(counter_run("rediss://:Sup3rSecretTls@127.0.0.1:" + std::to_string(s.tls_port),
                                    {"--tls-ca", certs.ca, "--report", "-"}),
                        30s);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto wrong = run_harness(counter_run("rediss://:WrongSecretTls@127.0.0.1:" + std::to_string(s.tls_port),
                                       {"--tls-ca", certs.ca, "--report", "-"}),
                           30s);
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  EXPECT_TRUE(contains(wrong.err, "rediss://:***@127.0.0.1")) << wrong.err;
  for (const auto* r : {&ok, &wrong}) {
    EXPECT_FALSE(contains(r->out + r->err, "Sup3rSecretTls"));
    EXPECT_FALSE(contains(r->out + r->err, "WrongSecretTls"));
  }
}

// Three masters that serve clients on TLS ports (and their bus over TLS: tls-cluster yes), created by
// redis-cli over TLS. The harness is given one TLS seed; CLUSTER SLOTS over TLS names the TLS ports, and
// the load goes to them only.
TEST(TlsCluster, ThreeMastersAreReachedOnTheirTlsPortsOnly) {
  TestCerts certs;
  std::vector<int> tls_ports;
  std::vector<lh::app::RedisServer> nodes;
  for (int i = 0; i < 3; ++i) {
    tls_ports.push_back(lh::app::free_loopback_port());
    auto args = tls_server_args(certs, tls_ports.back());
    args.insert(args.end(), {"--tls-cluster", "yes", "--tls-replication", "yes"});
    nodes.emplace_back(lh::app::ServerOptions{"", args, true});
  }
  std::string create = "redis-cli --tls --cacert '" + certs.ca + "' --cluster create";
  for (int p : tls_ports) create += " 127.0.0.1:" + std::to_string(p);
  create += " --cluster-yes >'" + certs.dir + "/create.log' 2>&1";
  ASSERT_EQ(std::system(create.c_str()), 0) << lh::test::read_text(certs.dir + "/create.log");
  ASSERT_TRUE(poll_until(
      [&] {
        for (auto& n : nodes)
          if (!contains(redis_cmd(n.port(), {"CLUSTER", "INFO"}), "cluster_state:ok")) return false;
        return true;
      },
      20s));

  TempDir dir;
  auto r = run_harness({"run", "--target", "rediss://127.0.0.1:" + std::to_string(tls_ports[0]), "--tls-ca",
                        certs.ca, "--scenario", "counter", "--variant", "atomic,naive", "--keys", "30",
                        "--duration", "2s", "--report", dir.file("r.json"), "--quiet"},
                       90s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rep = read_report(dir.file("r.json"));
  EXPECT_EQ(rep["target"]["mode"], "cluster");
  EXPECT_EQ(rep["target"]["tls"], true);
  std::vector<std::string> want;
  for (int p : tls_ports) want.push_back("127.0.0.1:" + std::to_string(p));
  std::vector<std::string> got = rep["target"]["nodes"].get<std::vector<std::string>>();
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  const json& atomic = rep["results"][0];
  EXPECT_EQ(atomic["correctness"]["verdict"], "pass");
  ASSERT_TRUE(atomic.contains("ops_per_node"));
  EXPECT_EQ(atomic["ops_per_node"].size(), 3u) << atomic["ops_per_node"].dump();  // 30 keys over 3 masters
  for (const auto& [node, ops] : atomic["ops_per_node"].items())
    EXPECT_NE(std::find(want.begin(), want.end(), node), want.end()) << node << " is not a TLS port";
  EXPECT_GT(rep["results"][1]["correctness"]["violations"].get<int64_t>(), 0);
}

namespace {

TEST(Tls, LintRunsOnATlsTargetVerifiedWithTheCaAndRefusesAnotherCa) {
  TestCerts certs;
  TlsServer s(certs);
  const std::string lua = std::string(LH_SOURCE_DIR) + "/lua/rate_limit.lua";
  const std::vector<std::string> lint = {
      "lint",  lua,         "--key", "rl:${rand:1-100}", "--arg",   "1",  "--arg",    "100",
      "--arg", "${now_ms}", "--arg", "${uuid}",          "--calls", "20", "--target", s.url()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = lint;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto r = run_harness(with({"--tls-ca", certs.ca}), 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("server time per call on the target (" + s.url() + "): p50"), std::string::npos)
      << r.out;
  EXPECT_GE(command_calls(s.server.port(), "evalsha"), 20);
  // A CA that signed nothing the server presents: exit 3 before any call, one line naming the verification.
  const int64_t before = command_calls(s.server.port(), "evalsha");
  r = run_harness(with({"--tls-ca", certs.other_ca}), 60s);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_EQ(command_calls(s.server.port(), "evalsha"), before);
}

}  // namespace
