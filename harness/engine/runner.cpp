#include "harness/engine/runner.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <random>
#include <sstream>

#include "harness/util/secrets.hpp"
#include "harness/cluster/cross_slot.hpp"
#include "harness/cluster/session.hpp"
#include "harness/embedded/local_cluster.hpp"
#include "harness/embedded/redis_server.hpp"
#include "harness/engine/exit_errors.hpp"
#include "harness/engine/target.hpp"
#include "harness/engine/templates.hpp"
#include "scenarios/custom.hpp"
#include "scenarios/scenario.hpp"

namespace lh::engine {

namespace {

std::string iso_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string random_run_id() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << std::setw(8) << std::setfill('0') << (rd() & 0xFFFFFFFFu);
  return s.str();
}

reports::LatencySummary summarize(const stats::Histogram& h) {
  reports::LatencySummary l;
  l.min = h.min();
  l.mean = h.mean();
  l.p50 = h.value_at_percentile(50);
  l.p90 = h.value_at_percentile(90);
  l.p99 = h.value_at_percentile(99);
  l.p999 = h.value_at_percentile(99.9);
  l.max = h.max();
  return l;
}

// One (scenario, variant) to run.
struct Job {
  std::string scenario, variant;
  bool safe_by_design = false;
  std::unique_ptr<scenarios::VariantRun> run;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--script " + path + ": cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Job> plan_jobs(const RunConfig& cfg, const scenarios::Params& params, std::ostream& log,
                           std::vector<scripts::Script>& owned_scripts) {
  std::vector<Job> jobs;
  if (!cfg.script_path.empty()) {
    owned_scripts.push_back(scripts::make_script(cfg.script_path, read_file(cfg.script_path)));
    TemplateSet t;
    try {
      t = TemplateSet::compile(cfg.key_templates, cfg.arg_templates, params.key_prefix);
    } catch (const TemplateError& e) {
      throw UsageError(e.what());
    }
    jobs.push_back({"custom", cfg.eval ? "eval" : "evalsha", false,
                    scenarios::make_custom_run(owned_scripts.back(), std::move(t))});
    return jobs;
  }
  std::vector<std::string> names = cfg.scenarios;
  if (names.empty())
    for (const auto* s : scenarios::all_scenarios()) names.emplace_back(s->name());
  for (const auto& name : names) {
    const scenarios::Scenario* s = scenarios::find_scenario(name);
    if (!s) {
      std::string known;
      for (const auto* k : scenarios::all_scenarios()) known += (known.empty() ? "" : ", ") + std::string(k->name());
      throw UsageError("--scenario: unknown scenario '" + name + "' (known: " + known + ")");
    }
    const auto offered = s->variants();
    for (const auto& v : cfg.variants) {
      if (std::find(offered.begin(), offered.end(), v) == offered.end()) {
        log << "note: scenario " << name << " has no variant '" << v << "', skipped\n";
        continue;
      }
      jobs.push_back({name, v, s->safe_by_design(v), s->make(v, params)});
    }
  }
  if (jobs.empty()) throw UsageError("--variant: no scenario offers any of the variants asked for");
  return jobs;
}

reports::Result build_result(const Job& job, const LoadResult& lr, const RunConfig& cfg,
                             reports::Correctness correctness, const std::vector<std::string>& secrets) {
  const Recorder& r = lr.merged;
  reports::Result res;
  res.scenario = job.scenario;
  res.variant = job.variant;
  res.ops_ok = r.ok;
  res.ops_failed = r.failed;
  res.ops_indeterminate = r.indeterminate;
  res.ops_total = r.ok + r.failed + r.indeterminate;
  for (std::size_t i = 0; i < net::kErrorClassCount; ++i) {
    const std::string name(net::error_class_name(static_cast<net::ErrorClass>(i)));
    res.errors[name] = r.errors[i];
    if (r.errors[i] > 0 && !r.first_error[i].empty())
      res.error_examples[name] = without_secrets(r.first_error[i], secrets).substr(0, 300);  // mask, then cut
  }
  res.commands_per_op = res.ops_total ? static_cast<double>(r.commands) / static_cast<double>(res.ops_total) : 0;
  res.retries = r.retries;
  res.duration_s = lr.measured_s;
  res.throughput_ops_s = lr.measured_s > 0 ? static_cast<double>(res.ops_total) / lr.measured_s : 0;
  res.latency_us = summarize(r.latency_us);
  if (cfg.load.rate) res.uncorrected_latency_us = summarize(r.uncorrected_latency_us);
  // Points count whole seconds since the end of warmup, as series_end_s does: the last one may be partial.
  for (const auto& p : r.series.points())
    res.series.push_back(
        {p.second, p.ops, p.p50_us, p.p99_us, stats::second_span_s(p.second, lr.series_end_s)});
  for (const auto& p : r.latency_us.percentile_curve()) res.percentile_curve.push_back({p.percentile, p.value});
  res.correctness = std::move(correctness);
  res.correctness.safe_by_design = job.safe_by_design;
  return res;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> planned_variants(const RunConfig& cfg) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!cfg.script_path.empty()) {
    out.emplace_back("custom", cfg.eval ? "eval" : "evalsha");
    return out;
  }
  std::vector<std::string> names = cfg.scenarios;
  if (names.empty())
    for (const auto* s : scenarios::all_scenarios()) names.emplace_back(s->name());
  for (const auto& name : names) {
    const scenarios::Scenario* s = scenarios::find_scenario(name);
    if (!s) {
      std::string known;
      for (const auto* k : scenarios::all_scenarios()) known += (known.empty() ? "" : ", ") + std::string(k->name());
      throw UsageError("--scenario: unknown scenario '" + name + "' (known: " + known + ")");
    }
    const auto offered = s->variants();
    for (const auto& v : cfg.variants)
      if (std::find(offered.begin(), offered.end(), v) != offered.end()) out.emplace_back(name, v);
  }
  if (out.empty()) throw UsageError("--variant: no scenario offers any of the variants asked for");
  return out;
}

void validate_key_prefix(const std::string& prefix) {
  if (prefix.empty()) throw UsageError("--key-prefix: must not be empty (it fences the run's keys)");
  if (prefix.find_first_of("{}") != std::string::npos)
    throw UsageError("--key-prefix '" + prefix + "': must not contain '{' or '}' (they would change cluster slots)");
}

reports::Report execute(const RunConfig& cfg, std::ostream& log) {
  reports::Report report;
  report.started_at = iso_now();

  // Keys: every key the run makes starts with the prefix.
  scenarios::Params params;
  params.key_prefix = cfg.key_prefix.empty() ? "lh:" + random_run_id() + ":" : cfg.key_prefix;
  validate_key_prefix(params.key_prefix);
  // Cluster: every key of one script call must share a slot. Refused before anything runs (exit 2).
  auto refuse_cross_slot = [&] {
    if (cfg.script_path.empty()) return;
    if (auto problem = cluster::cross_slot_problem(cfg.key_templates, params.key_prefix)) throw UsageError(*problem);
  };
  if (cfg.cluster || cfg.embedded_cluster > 0) refuse_cross_slot();

  // All input is checked before any server is contacted or started (bad input: exit 2, never 3).
  params.keys = cfg.keys.value_or(0);
  params.think_time_ms = cfg.load.think_time_ms;
  params.clients = cfg.load.clients;
  params.lock_ttl_ms = cfg.lock_ttl_ms;

  std::vector<scripts::Script> owned_scripts;
  owned_scripts.reserve(1);
  std::vector<Job> jobs = plan_jobs(cfg, params, log, owned_scripts);

  // The target: given URLs (several = cluster seeds), or a private redis-server or cluster that lives as long as
  // this function.
  auto redis_server_path = [&] {
    std::string path = embedded::find_redis_server(cfg.redis_server);
    if (path.empty())
      throw TargetError(cfg.redis_server.empty()
                            ? "no redis-server found in PATH: install it (sudo apt-get install redis-server) or "
                              "pass --target redis://host:port"
                            : "--redis-server " + cfg.redis_server + ": not an executable file");
    return path;
  };
  std::unique_ptr<embedded::RedisServer> server;
  std::unique_ptr<embedded::LocalCluster> local_cluster;
  std::vector<net::RedisUrl> seeds;
  if (cfg.embedded_cluster > 0) {
    try {
      local_cluster = std::make_unique<embedded::LocalCluster>(cfg.embedded_cluster, cfg.replicas,
                                                               embedded::ServerOptions{redis_server_path(), {}, true});
    } catch (const embedded::EmbeddedError& e) {
      throw TargetError(std::string("could not start the embedded cluster: ") + e.what());
    }
    for (const auto& a : local_cluster->seed_addresses()) seeds.push_back(net::parse_redis_url("redis://" + a));
  } else if (cfg.targets.empty()) {
    try {
      server = std::make_unique<embedded::RedisServer>(embedded::ServerOptions{redis_server_path(), {}, false});
    } catch (const embedded::EmbeddedError& e) {
      throw TargetError(std::string("could not start the embedded redis-server: ") + e.what());
    }
    seeds.emplace_back();
    seeds.back().host = server->host();
    seeds.back().port = server->port();
  } else {
    for (const auto& t : cfg.targets) seeds.push_back(net::parse_redis_url(t));
  }
  const bool embedded = server || local_cluster;
  const bool cluster_mode =
      local_cluster || cfg.cluster || (!server && cluster::cluster_enabled(seeds, cfg.timeouts));
  if (cluster_mode) refuse_cross_slot();
  std::unique_ptr<TargetSession> target = cluster_mode ? cluster::open_cluster(seeds, cfg.timeouts, embedded)
                                                       : open_standalone(seeds.front(), cfg.timeouts, embedded);
  auto* cluster_session = dynamic_cast<cluster::ClusterSession*>(target.get());
  report.target = target->describe();

  // Load and verify every script before any load starts: a script Redis rejects ends the run with exit 2.
  for (const auto& job : jobs)
    for (const auto* s : job.run->scripts()) target->load_script(*s);

  auto& c = report.config;
  c.clients = cfg.load.clients;
  c.threads = cfg.load.threads;
  c.pipeline = cfg.load.pipeline;
  c.duration_s = std::chrono::duration<double>(cfg.load.duration).count();
  c.requests = cfg.load.requests;
  c.rate = cfg.load.rate;
  c.keys = cfg.keys;
  c.seed = cfg.load.seed;
  c.warmup_s = std::chrono::duration<double>(cfg.load.warmup).count();
  c.think_time_ms = cfg.load.think_time_ms;
  c.key_prefix = params.key_prefix;
  for (const auto& j : jobs) {
    if (std::find(c.scenarios.begin(), c.scenarios.end(), j.scenario) == c.scenarios.end())
      c.scenarios.push_back(j.scenario);
    if (std::find(c.variants.begin(), c.variants.end(), j.variant) == c.variants.end())
      c.variants.push_back(j.variant);
  }
  c.script = cfg.script_path;
  c.eval = cfg.eval;

  std::vector<std::string> secrets;  // masked in error examples (report and log)
  for (const auto& u : seeds)
    if (!u.password.empty()) secrets.push_back(u.password);
  RedisFactory factory = target->factory(cfg.eval);
  bool any_op = false;
  std::string last_connect_error;
  for (auto& job : jobs) {
    if (g_interrupted.load()) break;
    job.run->setup(target->admin());
    LoadConfig lc = cfg.load;
    lc.label = job.scenario + "/" + job.variant;
    LoadResult lr = run_load(lc, *job.run, factory);
    const uint64_t ops = lr.merged.ok + lr.merged.failed + lr.merged.indeterminate;
    any_op |= ops > 0;
    if (!lr.last_connect_error.empty()) last_connect_error = lr.last_connect_error;
    reports::Correctness corr = job.run->check(target->admin(), lr.merged.history);
    report.results.push_back(build_result(job, lr, cfg, std::move(corr), secrets));
    if (cluster_session)
      report.results.back().ops_per_node = cluster_session->take_ops_per_node(report.results.back().ops_total);
    const auto& res = report.results.back();
    log << lc.label << ": " << res.ops_total << " ops, " << static_cast<uint64_t>(res.throughput_ops_s)
        << " ops/s, p99 " << res.latency_us.p99 << " us, " << res.correctness.verdict << "\n";
    for (const auto& [name, example] : res.error_examples)
      log << "  " << res.errors.at(name) << " " << name << " errors, the first: " << example << "\n";
    if (lr.interrupted) report.interrupted = true;
  }
  if (g_interrupted.load()) report.interrupted = true;
  if (cluster_session && cluster_session->failover_detected()) {
    report.target.failover_detected = true;
    auto now = cluster_session->current_masters();  // the report names where the keys live now, too
    if (!now.empty() && now != report.target.nodes) report.target.nodes_at_end = std::move(now);
  }

  if (!cfg.keep_keys) target->cleanup(params.key_prefix);
  report.finished_at = iso_now();

  if (!any_op && !report.interrupted && !last_connect_error.empty())
    throw TargetError("the target was lost before any op completed: " + last_connect_error);

  report.exit_code = kExitOk;
  for (const auto& r : report.results)
    if (r.correctness.safe_by_design && r.correctness.violations > 0) report.exit_code = kExitFailed;
  if (report.interrupted) report.exit_code = kExitInterrupted;
  report.verdict = report.exit_code == kExitOk ? "pass" : "fail";
  return report;
}

}  // namespace lh::engine
