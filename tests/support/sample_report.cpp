#include "support/sample_report.hpp"

#include <cmath>
#include <iterator>

#include "harness/reports/thresholds.hpp"

namespace lh::test {

using namespace lh::reports;

namespace {

const char* kErrorClasses[] = {"noscript",    "busy",      "moved",  "ask",      "tryagain",
                               "clusterdown", "crossslot", "oom",    "readonly", "timeout",
                               "connection",  "protocol",  "script", "other"};

// HdrHistogram-style curve: 5 points per halving of (100 - p), up to 99.99%, then 100% at max.
std::vector<CurvePoint> curve(int64_t p50_us, int64_t max_us) {
  std::vector<CurvePoint> out;
  for (int i = 0; i <= 66; ++i) {
    double tail = std::pow(0.5, i / 5.0);  // 1 - p
    double p = 100.0 * (1.0 - tail);
    double v = static_cast<double>(p50_us) * std::pow(0.5 / std::max(tail, 1e-9), 0.32);
    if (i == 0) v = static_cast<double>(p50_us) * 0.3;
    out.push_back({std::round(p * 1e6) / 1e6, std::min<int64_t>(std::llround(v), max_us)});
  }
  out.push_back({100.0, max_us});
  return out;
}

std::vector<SeriesPoint> series(double throughput, int64_t p50_us, int64_t p99_us) {
  std::vector<SeriesPoint> out;
  for (int s = 0; s < 10; ++s) {
    int wobble = (s * 37) % 11 - 5;  // -5..5, fixed pattern
    uint64_t ops = static_cast<uint64_t>(throughput * (1.0 + wobble / 100.0));
    out.push_back({s, ops, p50_us + wobble * 3, p99_us + wobble * 25 + (s == 6 ? p99_us / 2 : 0)});
  }
  return out;
}

}  // namespace

Result sample_result(const std::string& scenario, const std::string& variant, double throughput_ops_s,
                     int64_t p99_us, int64_t violations) {
  Result r;
  r.scenario = scenario;
  r.variant = variant;
  r.duration_s = 10.0;
  r.throughput_ops_s = throughput_ops_s;
  r.ops_total = static_cast<uint64_t>(throughput_ops_s * r.duration_s);
  r.ops_ok = r.ops_total;
  for (const char* c : kErrorClasses) r.errors[c] = 0;
  r.commands_per_op = variant == "atomic" ? 1.0 : 2.0;
  int64_t p50 = p99_us * 3 / 10;
  r.latency_us = {p50 / 4,   static_cast<double>(p50) * 1.08, p50, p99_us * 45 / 100, p99_us, p99_us * 2,
                  p99_us * 5};
  r.series = series(throughput_ops_s, p50, p99_us);
  r.percentile_curve = curve(p50, r.latency_us.max);
  r.correctness.safe_by_design = variant != "naive";
  r.correctness.checked = true;
  r.correctness.violations = violations;
  r.correctness.verdict = violations > 0 ? "violated" : "pass";
  return r;
}

Report sample_report() {
  Report rep;
  rep.tool_version = "0.1.0";  // fixed, not LH_VERSION: goldens must not change with a version bump
  rep.started_at = "2026-11-27T10:00:00Z";
  rep.finished_at = "2026-11-27T10:00:42Z";
  rep.target = {"standalone", true, {"127.0.0.1:40123"}, "7.0.15", false, {}};
  Config& c = rep.config;
  c.clients = 50;
  c.threads = 1;
  c.pipeline = 1;
  c.duration_s = 10;
  c.keys = 1;
  c.seed = 42;
  c.key_prefix = "lh:sample:";
  c.scenarios = {"counter", "cas"};
  c.variants = {"atomic", "naive"};

  Result ca = sample_result("counter", "atomic", 25123.4, 1210, 0);
  ca.ops_total = 251234;
  ca.ops_ok = 251230;
  ca.ops_indeterminate = 4;
  ca.errors["timeout"] = 4;
  ca.error_examples["timeout"] = "timeout during read with 127.0.0.1:40123";
  ca.correctness.invariant = "final counter == acknowledged increments";
  ca.correctness.details = {{"acknowledged", 251230}, {"final", 251232}, {"indeterminate", 4}};

  Result cn = sample_result("counter", "naive", 14280, 2200, 1843);
  cn.correctness.invariant = "final counter == acknowledged increments";
  cn.correctness.details = {{"acknowledged", 142800}, {"final", 140957}};
  cn.correctness.examples = {"clients 7 and 31 both read 5120 and both wrote 5121"};

  Result sa = sample_result("cas", "atomic", 19800, 1490, 0);
  sa.ops_failed = 12;
  sa.ops_ok = sa.ops_total - 12;
  sa.errors["busy"] = 12;
  sa.error_examples["busy"] =
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
  sa.correctness.invariant = "each value is consumed by at most one swap; the swaps form one chain";
  sa.correctness.details = {{"swaps_acknowledged", 61234}, {"chain_length", 61234}};

  Result sn = sample_result("cas", "naive", 11250, 2650, 212);
  sn.correctness.invariant = "each value is consumed by at most one swap; the swaps form one chain";
  sn.correctness.details = {
      {"swaps_acknowledged", 40210}, {"values_consumed_twice", 205}, {"chain_breaks", 7}};
  sn.correctness.examples = {"value \"c12-340\" consumed by clients 12 and 40 <both acknowledged> & chained"};

  rep.results = {ca, cn, sa, sn};
  evaluate_thresholds({parse_threshold("counter/atomic:p99_ms<5"), parse_threshold("*/atomic:violations==0"),
                       parse_threshold("throughput>20000")},
                      rep);
  return rep;
}

const char* const kNopermReason =
    "no op succeeded: NOPERM this user has no permissions to run the 'evalsha' command for 258,960 of "
    "258,960 ops";

Result inconclusive_result(const std::string& scenario, const std::string& variant) {
  Result r = sample_result(scenario, variant, 0, 0, 0);
  r.ops_total = 258960;
  r.ops_ok = 0;
  r.ops_failed = 258960;
  r.throughput_ops_s = 0;
  r.latency_us = {};
  r.series.clear();
  r.percentile_curve.clear();
  r.errors["other"] = 258960;
  r.error_examples["other"] = "NOPERM this user has no permissions to run the 'evalsha' command";
  r.correctness.invariant = "final counter == acknowledged increments";
  r.correctness.checked = true;
  r.correctness.violations = 0;
  r.correctness.verdict = "inconclusive";
  r.correctness.reason = kNopermReason;
  r.correctness.details = {{"acknowledged", 0}, {"final", 0}};
  return r;
}

Report interrupted_report() {
  Report rep = sample_report();
  rep.results.resize(2);  // counter/atomic, counter/naive
  rep.thresholds.clear();
  rep.not_run = {{"cas", "atomic", "interrupted", true}, {"cas", "naive", "interrupted", true}};
  rep.interrupted = true;
  rep.finished_at = "2026-11-27T10:00:21Z";
  rep.verdict = "pass";
  rep.exit_code = 130;
  return rep;
}

Report aborted_report() {
  Report rep = sample_report();
  rep.results.resize(3);  // counter/atomic, counter/naive, cas/atomic (cut short)
  rep.thresholds.clear();
  Result& cut = rep.results[2];
  cut.duration_s = 3.2;
  cut.ops_indeterminate = 50;
  cut.errors["connection"] = 50;
  cut.error_examples["connection"] = "Connection refused during connect with 127.0.0.1:40123";
  cut.correctness.checked = false;
  cut.correctness.verdict = "not-checked";
  cut.correctness.reason = "the target was lost before the check: Connection refused (127.0.0.1:40123)";
  rep.not_run = {
      {"cas", "naive", "aborted: the target was lost (Connection refused, 127.0.0.1:40123)", false}};
  rep.aborted = "the target was lost during cas/atomic: Connection refused (127.0.0.1:40123)";
  rep.cleanup = Cleanup{-1, "the target could not be reached: Connection refused (127.0.0.1:40123)"};
  rep.warnings = {"the admin connection to 127.0.0.1:40123 was lost 3 times and re-established"};
  rep.finished_at = "2026-11-27T10:00:33Z";
  rep.verdict = "fail";
  rep.exit_code = 3;
  return rep;
}

Report error_only_report() {
  Report rep;
  rep.tool_version = "0.1.0";
  rep.started_at = "2026-11-27T10:00:00Z";
  rep.finished_at = "2026-11-27T10:00:00Z";
  rep.target = {"standalone", false, {"redis://127.0.0.1:1"}, "", false, {}};
  rep.config.clients = 50;
  rep.config.threads = 1;
  rep.config.duration_s = 10;
  rep.config.seed = 42;
  rep.config.key_prefix = "lh:sample:";
  rep.config.scenarios = {"counter"};
  rep.config.variants = {"atomic"};
  rep.error = "cannot reach redis://127.0.0.1:1: Connection refused";
  rep.verdict = "fail";
  rep.exit_code = 3;
  return rep;
}

Report inconclusive_report() {
  Report rep = sample_report();
  Result cn = rep.results[1];
  rep.results = {inconclusive_result("counter", "atomic"), cn};
  rep.config.rate = 20000;
  rep.results[1].ops_scheduled = 150000;
  rep.results[1].ops_dropped = 7200;
  rep.results[1].uncorrected_latency_us = rep.results[1].latency_us;
  rep.results[1].correctness.period = "warmup+measured";
  rep.config.warmup_s = 1;
  rep.warnings = {
      "counter/naive: 7,200 of 150,000 scheduled ops dropped (every client busy): raise --clients"};
  rep.thresholds.clear();
  evaluate_thresholds({parse_threshold("counter/atomic:violations==0")}, rep);
  rep.verdict = "fail";
  rep.exit_code = 1;
  return rep;
}

Report many_rows_report() {
  Report rep = sample_report();
  rep.thresholds.clear();
  rep.results.clear();
  const char* scenarios[] = {"counter", "inventory", "leaderboard", "rate-limiter", "lock", "cas"};
  rep.config.scenarios.assign(std::begin(scenarios), std::end(scenarios));
  rep.config.variants = {"atomic", "naive", "transaction"};
  int i = 0;
  for (const char* s : scenarios) {
    ++i;
    rep.results.push_back(sample_result(s, "atomic", 24000.0 + 1000 * i, 1100 + 40 * i, 0));
    rep.results.push_back(sample_result(s, "naive", 13000.0 + 700 * i, 2100 + 60 * i, 150 * i));
    rep.results.push_back(sample_result(s, "transaction", 900.0 + 35 * i, 2400000, 0));  // a 2.4 s p99
  }
  rep.verdict = "pass";
  rep.exit_code = 0;
  return rep;
}

Report gappy_report() {
  Report rep = sample_report();
  auto& atomic = rep.results[0].series;
  atomic[4].ops = 0;
  atomic[4].p50_us = 0;
  atomic[4].p99_us = 0;
  atomic.push_back({10, 400, 300, 900, 0.004});
  rep.results[1].series.push_back({10, 8400, 700, 2300, 0.6});
  return rep;
}

Report workload_report() {
  Report rep = sample_report();
  rep.thresholds.clear();
  rep.config.scenarios = {"custom"};
  rep.config.variants = {};
  rep.config.workload = "mix.json";
  Result limiter = sample_result("custom", "evalsha", 18000, 900, 0);
  limiter.name = "limiter";
  Result session = sample_result("custom", "evalsha", 6000, 1400, 0);
  session.name = "session-refresh-for-the-mobile-clients-in-eu-west";
  Result total = sample_result("workload", "mix", 24000, 1300, 0);
  total.name = "total";
  for (Result* r : {&limiter, &session, &total}) {
    r->correctness.checked = false;
    r->correctness.verdict = "not-checked";
  }
  limiter.correctness.checked = true;  // a checked entry: the violations chart shows it
  limiter.correctness.verdict = "pass";
  rep.results = {limiter, session, total};
  rep.verdict = "pass";
  rep.exit_code = 0;
  return rep;
}

namespace {

CapacityStep step(double rate, double achieved, double p50_ms, double p99_ms,
                  std::vector<std::string> failed) {
  CapacityStep s;
  s.rate = rate;
  s.achieved = achieved;
  s.p50_ms = p50_ms;
  s.p99_ms = p99_ms;
  s.met = failed.empty();
  s.failed = std::move(failed);
  return s;
}

Report capacity_base() {
  Report rep = sample_report();
  rep.thresholds.clear();
  rep.results.resize(1);  // counter/atomic
  rep.config.variants = {"atomic"};
  rep.config.scenarios = {"counter"};
  rep.config.rate = 45000;
  rep.verdict = "pass";
  rep.exit_code = 0;
  Capacity c;
  c.slos = {"p99_ms<2", "counter/atomic:p50_ms<=0.8", "error_rate<0.01"};
  c.rate_start = 10000;
  c.rate_max = 200000;
  c.precision = 0.05;
  c.step_duration_s = 10;
  c.step_warmup_s = 2;
  rep.capacity = c;
  return rep;
}

}  // namespace

Report capacity_report() {
  Report rep = capacity_base();
  Capacity& c = *rep.capacity;
  c.max_rate = 45000;
  c.limited_by = "p99_ms<2";
  c.steps = {
      step(10000, 9998, 0.31, 0.9, {}),
      step(20000, 19990, 0.35, 1.1, {}),
      step(40000, 39800, 0.52, 1.7, {}),
      step(80000, 61200, 14.2, 480,
           {"p99_ms<2: 480", "counter/atomic:p50_ms<=0.8: 14.2",
            "achieved 77 % of the target: the generator was the limit (raise --clients or --threads)"}),
      step(60000, 58900, 1.9, 9.8, {"p99_ms<2: 9.8", "counter/atomic:p50_ms<=0.8: 1.9"}),
      step(50000, 49700, 0.61, 2.6, {"p99_ms<2: 2.6"}),
      step(45000, 44850, 0.55, 1.9, {}),
      step(47500, 47300, 0.58, 2.2, {"p99_ms<2: 2.2"}),
  };
  c.steps[3].dropped = 18800;
  c.steps[3].error_rate = 0.0004;
  return rep;
}

Report capacity_failed_report() {
  Report rep = capacity_base();
  Capacity& c = *rep.capacity;
  c.limited_by = "p99_ms<2";
  c.steps = {step(10000, 9000, 3.1, 12, {"p99_ms<2: 12", "counter/atomic:p50_ms<=0.8: 3.1"})};
  rep.verdict = "fail";
  rep.exit_code = 1;
  return rep;
}

}  // namespace lh::test
