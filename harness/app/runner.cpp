#include "harness/app/runner.hpp"
#include "harness/app/capacity.hpp"
#include "harness/app/preflight.hpp"
#include "harness/app/target_open.hpp"
#include "harness/app/workload_file.hpp"
#include "harness/reports/console.hpp"
#include "harness/util/interrupt.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "harness/app/local_cluster.hpp"
#include "harness/app/redis_server.hpp"
#include "harness/engine/load_state.hpp"
#include "harness/reports/format.hpp"
#include "harness/scenarios/custom.hpp"
#include "harness/scenarios/scenario.hpp"
#include "harness/scenarios/templates.hpp"
#include "harness/stats/hdr_encoding.hpp"
#include "harness/transport/cluster_session.hpp"
#include "harness/transport/cross_slot.hpp"
#include "harness/transport/node_client.hpp"
#include "harness/transport/target.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/secrets.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

using engine::LoadResult;
using engine::Recorder;
using scenarios::TemplateError;
using scenarios::TemplateSet;
using engine::LoadConfig;
using transport::CleanupResult;
using transport::PrefixScan;
using transport::RedisFactory;
using transport::SyncClient;
using transport::TargetSession;
using transport::glob_escape;

std::string iso_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

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
  std::string name;   // --workload: the entry's name
  double weight = 1;  // --workload: its weight in the mix
};

std::string read_file(const std::string& path, const std::string& flag = "--script") {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + " " + path + ": cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<Job> plan_jobs(const RunConfig& cfg, const scenarios::Params& params, std::ostream& log) {
  std::vector<Job> jobs;
  if (!cfg.workload_path.empty()) {
    for (const auto& w : read_workload(cfg.workload_path)) {
      const std::string where = "--workload " + cfg.workload_path + ": entry \"" + w.name + "\"";
      if (!w.script_path.empty()) {
        std::ifstream in(w.script_path, std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        if (!in) throw UsageError(where + ": script " + w.script_path + ": cannot read the file");
        TemplateSet t;
        try {
          t = TemplateSet::compile(w.keys, w.args, params.key_prefix);
        } catch (const TemplateError& e) {
          throw UsageError(where + ": " + e.what());
        }
        jobs.push_back(
            {"custom", cfg.eval ? "eval" : "evalsha", false,
             scenarios::make_custom_run(scripts::make_script(w.script_path, body.str()), std::move(t)),
             w.name, w.weight});
      } else {
        const scenarios::Scenario* s = scenarios::find_scenario(w.scenario);
        scenarios::Params own = params;  // its checker's keys, apart from every other entry's
        own.key_prefix += w.name + ":";
        jobs.push_back(
            {w.scenario, w.variant, s->safe_by_design(w.variant), s->make(w.variant, own), w.name, w.weight});
      }
    }
    return jobs;
  }
  if (!cfg.function_path.empty()) {
    scripts::Script library;
    try {
      library =
          scripts::make_function(cfg.function_path, read_file(cfg.function_path, "--function"), cfg.fcall);
    } catch (const std::invalid_argument& e) {
      throw UsageError("--function " + cfg.function_path + ": " + e.what());
    }
    TemplateSet t;
    try {
      t = TemplateSet::compile(cfg.key_templates, cfg.arg_templates, params.key_prefix);
    } catch (const TemplateError& e) {
      throw UsageError(e.what());
    }
    jobs.push_back(
        {"custom", "fcall", false, scenarios::make_custom_run(std::move(library), std::move(t)), {}, 1});
    return jobs;
  }
  if (!cfg.script_path.empty()) {
    scripts::Script script = scripts::make_script(cfg.script_path, read_file(cfg.script_path));
    TemplateSet t;
    try {
      t = TemplateSet::compile(cfg.key_templates, cfg.arg_templates, params.key_prefix);
    } catch (const TemplateError& e) {
      throw UsageError(e.what());
    }
    jobs.push_back({"custom",
                    cfg.eval ? "eval" : "evalsha",
                    false,
                    scenarios::make_custom_run(std::move(script), std::move(t)),
                    {},
                    1});
    return jobs;
  }
  for (const auto& [name, variant] : planned_variants(cfg)) {  // unknown scenarios refused there
    const scenarios::Scenario* s = scenarios::find_scenario(name);
    jobs.push_back({name, variant, s->safe_by_design(variant), s->make(variant, params), {}, 1});
  }
  // Say which asked-for variants a scenario lacks (the contract: "a scenario skips a variant it lacks, saying so").
  for (const auto* s : scenarios::all_scenarios()) {
    const std::string name(s->name());
    if (!cfg.scenarios.empty() &&
        std::find(cfg.scenarios.begin(), cfg.scenarios.end(), name) == cfg.scenarios.end())
      continue;
    const auto offered = s->variants();
    for (const auto& v : cfg.variants)
      if (std::find(offered.begin(), offered.end(), v) == offered.end())
        log << "note: scenario " << name << " has no variant '" << v << "', skipped\n";
  }
  return jobs;
}

reports::Result build_result(const Job& job, const Recorder& r, const LoadResult& lr, const RunConfig& cfg,
                             reports::Correctness correctness) {
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
      res.error_examples[name] = redact(r.first_error[i]).substr(0, 300);  // mask, then cut
  }
  res.commands_per_op =
      res.ops_total ? static_cast<double>(r.commands) / static_cast<double>(res.ops_total) : 0;
  res.retries = r.retries;
  res.duration_s = lr.measured_s;
  res.throughput_ops_s = lr.measured_s > 0 ? static_cast<double>(res.ops_total) / lr.measured_s : 0;
  res.latency_us = summarize(r.latency_us);
  const bool open = engine::open_loop(cfg.load) || cfg.capacity;
  if (open) res.uncorrected_latency_us = summarize(r.uncorrected_latency_us);
  if (r.latency_us.count() > 0) res.latency_hdr = stats::hdr_base64(r.latency_us);
  if (open && r.uncorrected_latency_us.count() > 0)
    res.uncorrected_latency_hdr = stats::hdr_base64(r.uncorrected_latency_us);
  // Points count whole seconds since the end of warmup, as series_end_s does: the last one may be partial.
  for (const auto& p : r.series.points())
    res.series.push_back(
        {p.second, p.ops, p.p50_us, p.p99_us, stats::second_span_s(p.second, lr.series_end_s)});
  for (const auto& p : r.latency_us.percentile_curve())
    res.percentile_curve.push_back({p.percentile, p.value});
  res.correctness = std::move(correctness);
  res.correctness.safe_by_design = job.safe_by_design;
  return res;
}

void fill_config(reports::Config& c, const RunConfig& cfg, const std::string& prefix,
                 const std::vector<std::pair<std::string, std::string>>& jobs) {
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
  c.max_error_rate = cfg.max_error_rate;
  c.key_prefix = prefix;
  for (const auto& [scenario, variant] : jobs) {
    if (std::find(c.scenarios.begin(), c.scenarios.end(), scenario) == c.scenarios.end())
      c.scenarios.push_back(scenario);
    if (std::find(c.variants.begin(), c.variants.end(), variant) == c.variants.end())
      c.variants.push_back(variant);
  }
  c.script = cfg.script_path;
  c.eval = cfg.eval;
  c.function = cfg.function_path;
  c.fcall = cfg.fcall;
  c.lock_ttl_ms = cfg.lock_ttl_ms;
  c.shard_index = cfg.shard_index;
  c.shard_count = cfg.shard_count;
  c.start_at_unix_us = cfg.start_at_unix_us;
  c.stages = cfg.load.stages;
  if (!c.stages.empty()) {  // the stages are the whole load: no warmup, their total is its duration
    c.duration_s = 0;
    for (const auto& st : c.stages) c.duration_s += st.duration_s;
  }
  c.workload = cfg.workload_path;
  if (cfg.capacity) {  // each step's: the rate is the search's (capacity.steps)
    c.duration_s = std::chrono::duration<double>(cfg.capacity->step_duration).count();
    c.warmup_s = std::chrono::duration<double>(cfg.capacity->step_warmup).count();
  }
}

std::vector<std::pair<std::string, std::string>> jobs_of(const std::vector<Job>& jobs) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(jobs.size());
  for (const auto& j : jobs) out.emplace_back(j.scenario, j.variant);
  return out;
}

}  // namespace

reports::Report error_report(const RunConfig& cfg, const std::string& started_at, int exit_code,
                             const std::string& message) {
  reports::Report r;
  r.started_at = started_at;
  r.finished_at = iso_now();
  std::vector<std::pair<std::string, std::string>> jobs;
  try {
    jobs = planned_variants(cfg);
  } catch (const ExitError&) {
  }
  fill_config(r.config, cfg, cfg.key_prefix, jobs);
  r.target.embedded = cfg.targets.empty();
  r.target.mode = cfg.cluster || cfg.embedded_cluster > 0 ? "cluster" : "standalone";
  for (const auto& t : cfg.targets) {
    try {
      r.target.nodes.push_back(net::parse_redis_url(t).redacted());
    } catch (const std::exception&) {
    }
  }
  r.interrupted = exit_code == kExitInterrupted;
  r.error = message;
  r.exit_code = exit_code;
  r.verdict = "fail";
  return r;
}

std::vector<std::pair<std::string, std::string>> planned_variants(const RunConfig& cfg) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!cfg.function_path.empty()) {
    out.emplace_back("custom", "fcall");
    return out;
  }
  if (!cfg.workload_path.empty()) {
    for (const auto& w : read_workload(cfg.workload_path))
      out.emplace_back(w.script_path.empty() ? w.scenario : "custom",
                       w.script_path.empty() ? w.variant : (cfg.eval ? "eval" : "evalsha"));
    return out;
  }
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
      for (const auto* k : scenarios::all_scenarios())
        known.append(known.empty() ? "" : ", ").append(k->name());
      throw UsageError(cat("--scenario: unknown scenario '", name, "' (known: ", known, ")"));
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
    throw UsageError("--key-prefix '" + prefix +
                     "': must not contain '{' or '}' (they would change cluster slots)");
}

namespace {

std::string percent(double share) {
  std::ostringstream s;
  s << std::setprecision(3) << share * 100 << " %";
  return s.str();
}

// Watches one phase's replies: a refused setup command means the initial state is not what the checker
// assumes; a refused read-back means the checker judged values it never saw.
class Watched final : public SyncClient {
 public:
  explicit Watched(SyncClient& inner) : inner_(inner) {}
  net::Reply command(const std::vector<std::string>& argv, std::string_view route_key) override {
    net::Reply r = inner_.command(argv, route_key);
    if (r.is_error() && first_error_.empty())
      first_error_ = argv.front() + (argv.size() > 1 ? " " + argv[1] : std::string()) + ": " +
                     std::string(r.error_message());
    return r;
  }
  net::Reply command_once(const std::vector<std::string>& argv, std::string_view route_key) override {
    return inner_.command_once(argv, route_key);
  }
  const std::string& first_error() const { return first_error_; }

 private:
  SyncClient& inner_;
  std::string first_error_;
};

// No false pass: a variant in which nothing succeeded, or too much failed, proves nothing either way.
void judge_errors(reports::Result& res, double max_error_rate) {
  auto& c = res.correctness;
  if (c.verdict == "inconclusive") return;
  const uint64_t bad = res.ops_failed + res.ops_indeterminate;
  std::string top_class, top_example;  // the commonest error, in Redis's words
  uint64_t top = 0;
  for (const auto& [name, n] : res.errors)
    if (n > top) {
      top = n;
      top_class = name;
      auto it = res.error_examples.find(name);
      top_example = it != res.error_examples.end() ? it->second : name + " errors";
    }
  const std::string cause = top > 0 ? top_example : "no error reply was counted";
  if (res.ops_total == 0) {
    c.verdict = "inconclusive";
    c.reason = "no op ran";
  } else if (res.ops_ok == 0) {
    c.verdict = "inconclusive";
    c.reason = "no op succeeded: " + cause + " for " + reports::with_commas(top > 0 ? top : bad) + " of " +
               reports::with_commas(res.ops_total) + " ops";
  } else if (static_cast<double>(bad) > max_error_rate * static_cast<double>(res.ops_total)) {
    c.verdict = "inconclusive";
    c.reason = percent(static_cast<double>(bad) / static_cast<double>(res.ops_total)) +
               " of ops failed or are " + "indeterminate (" + reports::with_commas(res.ops_failed) +
               " failed, " + reports::with_commas(res.ops_indeterminate) + " indeterminate of " +
               reports::with_commas(res.ops_total) + "), above --max-error-rate " + percent(max_error_rate) +
               "; the commonest: " + cause;
  }
}

void warn_in(reports::Report& report, std::ostream& log, std::string w) {
  w = redact(std::move(w));
  log << "warning: " << w << "\n";
  report.warnings.push_back(std::move(w));
}

// What every round of a run shares once the target is ready: the config, the log, the report the rounds add
// to, the target and the transport factory, and whether a round was interrupted.
struct Session {
  const RunConfig& cfg;
  std::ostream& log;
  reports::Report& report;
  const scenarios::Params& params;
  TargetSession& target;
  const RedisFactory& factory;
  const MergeInput* merge;
  bool sharded, lead;
  bool interrupted = false;

  void warn(std::string w) { warn_in(report, log, std::move(w)); }
  bool stopped() const { return report.aborted || interrupted || g_interrupted.load(); }
  void not_run(const Job& job) {
    interrupted = interrupted || g_interrupted.load();
    report.not_run.push_back({job.scenario, job.variant,
                              report.aborted ? "aborted: " + *report.aborted : "interrupted",
                              !report.aborted});
  }
};

// Writes the job's initial state. False when it did not (refused, target lost, interrupted): the job is then
// in not_run.
bool setup_job(Session& s, Job& job) {
  const std::string label = job.scenario + "/" + job.variant;
  try {
    Watched setup(s.target.admin());
    if (s.lead && !s.merge) job.run->setup(setup);
    if (!setup.first_error().empty()) {
      s.report.not_run.push_back({job.scenario, job.variant, "setup refused: " + setup.first_error(), false});
      s.log << label << ": not run: setup refused: " << redact(setup.first_error()) << "\n";
      return false;
    }
  } catch (const ExitError& e) {  // lost (TargetLost), or refused on reconnect
    s.report.aborted = "the target was lost: " + std::string(e.what());
    s.report.not_run.push_back({job.scenario, job.variant, "aborted: " + *s.report.aborted, false});
    return false;
  } catch (const Interrupted&) {
    s.interrupted = true;
    s.report.not_run.push_back({job.scenario, job.variant, "interrupted", true});
    return false;
  }
  return true;
}

// Reads the final state back and judges the job's merged checker state.
reports::Correctness check_job(Session& s, Job& job, const engine::CheckState& state, const LoadConfig& lc) {
  reports::Correctness corr;
  try {
    Watched check(s.target.admin());
    if (s.sharded) {
      corr.checked = false;
      corr.verdict = "not-checked";
      corr.reason = "shard " + std::to_string(*s.cfg.shard_index) + "/" + std::to_string(*s.cfg.shard_count) +
                    ": lua-harness merge judges the run once every shard has ended";
    } else {
      corr = job.run->check(check, state);
    }
    if (!check.first_error().empty()) {
      corr.verdict = "inconclusive";
      corr.reason = "the final state could not be read back: " + check.first_error();
    }
  } catch (const ExitError& e) {
    s.report.aborted = "the target was lost: " + std::string(e.what());
    corr.checked = false;
    corr.verdict = "not-checked";
    corr.reason = "the target was lost before the final state could be read: " + std::string(e.what());
  } catch (const Interrupted&) {
    s.interrupted = true;
    corr.checked = false;
    corr.verdict = "not-checked";
    corr.reason = "interrupted: the final state was not read within 0.5 s of the signal";
  }
  corr.period = lc.warmup.count() > 0 ? "warmup+measured" : "measured";
  return corr;
}

// What is said of a result once it is built: the open loop's schedule, the error judgement, the log lines.
void finish_result(Session& s, reports::Result& res, const LoadResult& lr, const LoadConfig& lc,
                   const std::string& label, bool open_loop_row) {
  if (open_loop_row) {
    res.ops_scheduled = lr.scheduled;
    res.ops_dropped = lr.dropped;
    if (s.cfg.capacity) {  // capacity's step table says it of every step
    } else if (lr.dropped > 0)
      s.warn(label + ": " + reports::with_commas(lr.dropped) + " of " + reports::with_commas(lr.scheduled) +
             " scheduled ops never started: all " + std::to_string(s.cfg.load.clients) +
             " clients were busy (raise --clients, or lower --rate)");
    if (!s.cfg.capacity && lc.rate && res.throughput_ops_s < 0.95 * *lc.rate)
      s.warn(label + ": reached " + reports::with_commas(static_cast<uint64_t>(res.throughput_ops_s)) +
             " ops/s of --rate " + reports::with_commas(static_cast<uint64_t>(*lc.rate)));
  }
  // Also a --script run without a checker: its ops must have succeeded for its latency to mean anything. Not
  // a variant whose check was cut short (target lost, interrupted): that reason stands.
  if (res.correctness.checked || res.correctness.reason.empty()) judge_errors(res, s.cfg.max_error_rate);
  s.log << label << ": " << res.ops_total << " ops, " << static_cast<uint64_t>(res.throughput_ops_s)
        << " ops/s, p99 " << res.latency_us.p99 << " us, " << res.correctness.verdict << "\n";
  if (!res.correctness.reason.empty())
    s.log << "  " << res.correctness.verdict << ": " << redact(res.correctness.reason) << "\n";
  for (const auto& [name, example] : res.error_examples)
    s.log << "  " << res.errors.at(name) << " " << name << " errors, the first: " << example << "\n";
  if (lr.interrupted) s.interrupted = true;
}

void warn_pipeline(Session& s, const reports::Result& res, const std::string& label) {
  if (s.cfg.load.pipeline > 1 && res.pipeline == 1)
    s.warn(label + ": --pipeline " + std::to_string(s.cfg.load.pipeline) +
           " does not apply to a multi-step variant (each op waits for its replies): it ran at depth 1");
}

// This shard's part of the run's clients, rate and requests; a reason in not_run when it started too late.
bool shard_load(Session& s, const Job& job, LoadConfig& lc) {
  const RunConfig& cfg = s.cfg;
  const uint32_t n = *cfg.shard_count, i = *cfg.shard_index, total = cfg.load.clients;
  lc.clients = total / n + (i < total % n ? 1 : 0);
  lc.first_client = i * (total / n) + std::min(i, total % n);
  lc.total_clients = total;
  lc.keep_events = true;  // the merge judges the run: cas and lock keep their events for it
  if (cfg.load.rate) lc.rate = *cfg.load.rate * lc.clients / total;
  if (cfg.load.requests) {  // the one-process quotas of this shard's clients, summed
    const uint64_t r = *cfg.load.requests;
    uint64_t sum = 0;
    for (uint32_t g = lc.first_client; g < lc.first_client + lc.clients; ++g)
      sum += r / total + (g < r % total ? 1 : 0);
    lc.requests = sum;
  }
  lc.start_at_unix_us = cfg.start_at_unix_us;
  if (!cfg.start_at_unix_us) return true;
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // Shard 0 must have written the initial state before anyone loads; a shard more than a second late would
  // run a shorter (or, open loop, a bursting) load than the others.
  const int64_t late_us = now_us - *cfg.start_at_unix_us;
  if ((s.lead && late_us > 0) || late_us > 1'000'000) {
    s.report.not_run.push_back(
        {job.scenario, job.variant,
         s.lead ? std::string(
                      "shard 0 finished the setup after --start-at: the other shards may have started before "
                      "the initial state was written; choose a later --start-at")
                : "this shard was ready " + std::to_string(late_us / 1000) +
                      " ms after --start-at: its load would not have been the others' (choose a later "
                      "--start-at)",
         false});
    s.log << job.scenario << "/" << job.variant << ": not run: ready after --start-at\n";
    return false;
  }
  return true;
}

// Each job in turn: setup, load, check; a result each (a merge: the shards' loads instead of its own).
void run_jobs(Session& s, std::vector<Job>& jobs, const LoadConfig& base) {
  std::size_t job_index = 0;
  for (auto& job : jobs) {
    const std::size_t this_job = job_index++;
    const std::string label = job.scenario + "/" + job.variant;
    if (s.stopped()) {
      s.not_run(job);
      continue;
    }
    if (!setup_job(s, job)) continue;
    LoadConfig lc = base;
    lc.label = label;
    if (s.sharded && !shard_load(s, job, lc)) continue;
    LoadResult lr;
    if (s.merge) {
      const auto& states = s.merge->states[this_job];
      auto shard_file = [&](std::size_t k) {
        return k < s.merge->files.size() ? s.merge->files[k] : "shard " + std::to_string(k);
      };
      for (std::size_t k = 0; k < states.size(); ++k) {
        LoadResult one;
        try {
          one = engine::load_load_result(states[k], *job.run);
        } catch (const std::invalid_argument& e) {
          throw UsageError(shard_file(k) + ": " + label + ": " + e.what());
        }
        if (k == 0) {
          lr = std::move(one);
          continue;
        }
        if (one.origin_unix_us != lr.origin_unix_us)
          throw UsageError(shard_file(k) + ": its run clock started " +
                           std::to_string(one.origin_unix_us - lr.origin_unix_us) +
                           " us from shard 0's: not one --start-at");
        engine::merge_load_result(lr, one);
      }
    } else {
      lr = run_load(lc, *job.run, s.factory);
    }
    reports::Correctness corr = check_job(s, job, *lr.merged.check, lc);
    s.report.results.push_back(build_result(job, lr.merged, lr, s.cfg, std::move(corr)));
    auto& res = s.report.results.back();
    if (s.sharded) res.merge_state = engine::save_load_result(lr);
    res.ops_per_node = s.target.take_ops_per_node(res.ops_total);
    if (s.merge && this_job < s.merge->ops_per_node.size())
      res.ops_per_node = s.merge->ops_per_node[this_job];
    res.pipeline = job.run->single_call() ? std::max<uint32_t>(1, s.cfg.load.pipeline) : 1;
    warn_pipeline(s, res, label);
    finish_result(s, res, lr, lc, label, engine::open_loop(base));
  }
}

// --workload: every entry's setup, one load of their weighted mix, each entry's check; a result per entry
// (named) and the mix's total row.
void run_mix(Session& s, std::vector<Job>& jobs, const LoadConfig& base) {
  if (s.stopped()) {
    for (const auto& job : jobs) s.not_run(job);
    return;
  }
  for (auto& job : jobs) {
    if (setup_job(s, job)) continue;
    for (const auto& other : jobs)  // the mix runs whole or not at all
      if (&other != &job)
        s.report.not_run.push_back({other.scenario, other.variant,
                                    "not run: the workload's entry '" + job.name + "' could not be set up",
                                    s.report.not_run.back().interrupted});
    return;
  }
  LoadConfig lc = base;
  lc.label = "workload";
  std::vector<engine::MixEntry> mix;
  mix.reserve(jobs.size());
  for (auto& job : jobs) mix.push_back({job.run.get(), job.weight});
  LoadResult lr = run_load(lc, mix, s.factory);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    const Recorder& mine = lr.entries.empty() ? lr.merged : lr.entries[i];  // one entry: the load's own
    reports::Correctness corr = check_job(s, job, *mine.check, lc);
    s.report.results.push_back(build_result(job, mine, lr, s.cfg, std::move(corr)));
    auto& res = s.report.results.back();
    res.name = job.name;
    res.pipeline = job.run->single_call() ? std::max<uint32_t>(1, s.cfg.load.pipeline) : 1;
    warn_pipeline(s, res, job.name);
    LoadResult quiet;  // the schedule's counts belong to the total row
    quiet.interrupted = lr.interrupted;
    finish_result(s, res, quiet, lc, job.name, false);
  }
  Job total{"workload", "mix", false, nullptr, "total", 1};
  reports::Correctness corr;
  corr.invariant = "the workload's total: each entry's row carries its own check";
  corr.period = lc.warmup.count() > 0 ? "warmup+measured" : "measured";
  s.report.results.push_back(build_result(total, lr.merged, lr, s.cfg, std::move(corr)));
  auto& res = s.report.results.back();
  res.name = "total";
  res.pipeline = std::max<uint32_t>(1, s.cfg.load.pipeline);
  res.ops_per_node = s.target.take_ops_per_node(res.ops_total);
  finish_result(s, res, lr, lc, "total", engine::open_loop(base));
}

// lua-harness capacity: open-loop steps, each a fresh run of the workload with its own warmup (its keys
// deleted and set up again in between), searched as CapacitySearch says. The report's results are the best
// step's (or, when none met the SLOs, the first step's); `capacity` holds every step.
void run_capacity(Session& s, std::vector<Job>& jobs) {
  const CapacityConfig& c = *s.cfg.capacity;
  reports::Capacity out;
  for (const auto& slo : c.slos) out.slos.push_back(slo.expr);
  out.rate_start = c.rate_start;
  out.rate_max = c.rate_max;
  out.precision = c.precision;
  out.step_duration_s = std::chrono::duration<double>(c.step_duration).count();
  out.step_warmup_s = std::chrono::duration<double>(c.step_warmup).count();
  CapacitySearch search(c);
  std::vector<reports::Result> kept;  // the results of the best step so far (or of the first)
  std::optional<double> kept_rate;
  bool first = true;
  while (const auto rate = search.next()) {
    if (s.stopped()) break;
    if (!first) {  // the next step starts from a fresh initial state (--keep-keys keeps the last step's)
      try {
        const CleanupResult cr = s.target.cleanup(s.params.key_prefix);
        if (cr.left != 0) {
          s.report.aborted = "the keys of the step before could not be deleted: " + cr.reason;
          break;
        }
      } catch (const ExitError& e) {
        s.report.aborted = "the target was lost: " + std::string(e.what());
        break;
      } catch (const Interrupted&) {
        s.interrupted = true;
        break;
      }
    }
    LoadConfig lc = s.cfg.load;
    lc.rate = *rate;
    lc.duration = c.step_duration;
    lc.warmup = c.step_warmup;
    s.log << "step " << out.steps.size() + 1 << ": " << reports::with_commas(static_cast<uint64_t>(*rate))
          << " ops/s\n";
    const std::size_t before = s.report.results.size();
    if (jobs.size() > 1 || !jobs.front().name.empty()) run_mix(s, jobs, lc);
    else run_jobs(s, jobs, lc);
    std::vector<reports::Result> results(std::make_move_iterator(s.report.results.begin() + before),
                                         std::make_move_iterator(s.report.results.end()));
    s.report.results.resize(before);
    if (s.stopped() && results.empty()) break;
    if (results.empty()) {  // its setup was refused (not_run says why): no step, and no bracket, from it
      out.limited_by = "a step could not run: " +
                       (s.report.not_run.empty() ? std::string("no result") : s.report.not_run.back().reason);
      break;
    }
    std::string cause;
    reports::CapacityStep step = judge_step(*rate, results, c.slos, lc.clients, lc.threads,
                                            std::chrono::duration<double>(c.step_duration).count(), &cause);
    // A step cut short proves nothing either way: it is not met, and the search ends with it.
    std::string cut;
    if (s.report.aborted) cut = "aborted: " + *s.report.aborted;
    else if (s.interrupted || g_interrupted.load()) cut = "interrupted";
    if (!cut.empty()) {
      step.met = false;
      step.failed.insert(step.failed.begin(), cut + ": the step did not run to its end");
    }
    for (auto& f : step.failed) f = redact(f);  // Redis may echo arguments in an error
    s.log << "  " << (step.met ? "met" : "failed") << ": achieved "
          << reports::with_commas(static_cast<uint64_t>(step.achieved)) << " ops/s, p99 " << step.p99_ms
          << " ms" << (step.failed.empty() ? "" : "; " + step.failed.front()) << "\n";
    if (!cut.empty()) {
      out.steps.push_back(std::move(step));
      if (first) kept = std::move(results);
      break;
    }
    search.record(*rate, step.met);
    if (out.limited_by.empty() && !step.met) out.limited_by = redact(cause);
    if ((step.met && (!kept_rate || *rate > *kept_rate)) || first) {
      kept = std::move(results);
      if (step.met) kept_rate = *rate;
    }
    out.steps.push_back(std::move(step));
    first = false;
  }
  out.max_rate = search.best();
  // What stopped the search early overrides what bounded it: the answer is then only the best so far.
  if (s.report.aborted) out.limited_by = "aborted: " + redact(*s.report.aborted);
  else if (s.interrupted || g_interrupted.load()) out.limited_by = "interrupted";
  else if (out.limited_by.empty() && out.max_rate) out.limited_by = "--rate-max";
  for (auto& r : kept) s.report.results.push_back(std::move(r));
  s.report.capacity = std::move(out);
  s.log << reports::capacity_sentence(*s.report.capacity) << "\n";
}

}  // namespace

reports::Report execute(const RunConfig& cfg, std::ostream& log, const MergeInput* merge) {
  reports::Report report;
  report.started_at = iso_now();

  // Keys: every key the run makes starts with the prefix.
  scenarios::Params params;
  params.key_prefix = cfg.key_prefix.empty() ? "lh:" + random_run_id() + ":" : cfg.key_prefix;
  validate_key_prefix(params.key_prefix);
  // Cluster: every key of one script call must share a slot. Refused before anything runs (exit 2).
  auto refuse_cross_slot = [&] {
    if (!cfg.workload_path.empty()) {
      for (const auto& w : read_workload(cfg.workload_path))
        if (auto problem = transport::cross_slot_problem(w.keys, params.key_prefix))
          throw UsageError("--workload " + cfg.workload_path + ": entry \"" + w.name + "\": " + *problem);
      return;
    }
    if (cfg.script_path.empty() && cfg.function_path.empty()) return;
    if (auto problem = transport::cross_slot_problem(cfg.key_templates, params.key_prefix))
      throw UsageError(*problem);
  };
  if (cfg.cluster || cfg.embedded_cluster > 0) refuse_cross_slot();

  // All input is checked before any server is contacted or started (bad input: exit 2, never 3).
  params.keys = cfg.keys.value_or(0);
  params.lock_ttl_ms = cfg.lock_ttl_ms;

  std::vector<Job> jobs = plan_jobs(cfg, params, log);

  // The target: given URLs (several = cluster seeds), or a private redis-server or cluster that lives as long as
  // this function.
  auto redis_server_path = [&] {
    std::string path = locate_redis_server(cfg.redis_server).path;
    if (path.empty())
      throw TargetError(
          cfg.redis_server.empty()
              ? "no redis-server found in PATH: install it (sudo apt-get install redis-server) or "
                "pass --target redis://host:port"
              : "--redis-server " + cfg.redis_server + ": not an executable file");
    return path;
  };
  std::unique_ptr<RedisServer> server;
  std::unique_ptr<LocalCluster> local_cluster;
  std::vector<net::RedisUrl> seeds;
  if (cfg.embedded_cluster > 0) {
    try {
      local_cluster = std::make_unique<LocalCluster>(cfg.embedded_cluster, cfg.replicas,
                                                     ServerOptions{redis_server_path(), {}, true});
    } catch (const EmbeddedError& e) {
      throw TargetError(std::string("could not start the embedded cluster: ") + e.what());
    }
    for (const auto& a : local_cluster->seed_addresses())
      seeds.push_back(net::parse_redis_url("redis://" + a));
  } else if (cfg.targets.empty()) {
    try {
      server = std::make_unique<RedisServer>(ServerOptions{redis_server_path(), {}, false});
    } catch (const EmbeddedError& e) {
      throw TargetError(std::string("could not start the embedded redis-server: ") + e.what());
    }
    seeds.emplace_back();
    seeds.back().host = server->host();
    seeds.back().port = server->port();
  } else {
    for (const auto& t : cfg.targets) seeds.push_back(net::parse_redis_url(t));
    attach_tls(seeds, cfg.tls);
  }
  const bool embedded = server || local_cluster;
  const bool cluster_mode = local_cluster || (!server && is_cluster(seeds, cfg.cluster, cfg.timeouts));
  if (cluster_mode) refuse_cross_slot();
  std::unique_ptr<TargetSession> target = open_target(seeds, cluster_mode, cfg.timeouts, embedded);
  report.target = target->describe();
  report.target.tls = seeds.front().tls;
  report.target.tls_verified = report.target.tls && !cfg.tls.insecure;

  // Nothing of the user's is touched: the run writes (and cleanup deletes) only under a prefix no key used.
  // A sharded run checks it once, on shard 0 (before --start-at); a merge finds the run's own keys there.
  const bool sharded = cfg.shard_count.has_value() && !merge;
  const bool lead = !sharded || cfg.shard_index.value_or(0) == 0;
  if (lead && !merge) {
    const PrefixScan found = target->scan_prefix(params.key_prefix);
    const std::string which = cfg.key_prefix.empty() ? "the run prefix '" + params.key_prefix + "'"
                                                     : "--key-prefix '" + params.key_prefix + "'";
    if (!found.refused.empty()) {
      if (!cfg.key_prefix.empty())
        throw UsageError(which + ": cannot verify that no key uses it: SCAN refused: " + found.refused +
                         " (grant SCAN, or omit --key-prefix for a random lh:<run-id>: prefix)");
      report.warnings.push_back("could not verify that no key uses " + which +
                                ": SCAN refused: " + found.refused + "; the random prefix is assumed unused");
      log << "warning: " << report.warnings.back() << "\n";
    } else if (found.keys > 0) {
      throw UsageError(which + ": " + reports::with_commas(found.keys) +
                       (found.keys == 1 ? " key already matches" : " keys already match") +
                       " it on the target (e.g. '" + found.example +
                       "'); the harness writes and deletes only under a prefix no key uses: choose another "
                       "--key-prefix, or omit it for a random lh:<run-id>: prefix");
    }
  }

  RedisFactory factory = target->factory(cfg.eval);
  // The ACL preflight (app/preflight.hpp): a refused command or key is exit 3 before any load. An embedded
  // server's default user may do everything.
  if (!embedded && lead && !merge) {
    scenarios::Params probe_params = params;
    probe_params.key_prefix += "preflight:";
    probe_params.keys = 1;
    std::ostringstream ignored;  // the variants a scenario lacks were said when the jobs were planned
    std::vector<Job> probe_jobs = plan_jobs(cfg, probe_params, ignored);
    std::vector<ProbeJob> probes;
    probes.reserve(probe_jobs.size());
    for (auto& j : probe_jobs) probes.push_back({j.scenario + "/" + j.variant, j.run.get()});
    acl_preflight(*target, factory, probes, seeds.front().user, params.key_prefix, probe_params.key_prefix,
                  cfg.load.seed);
  }

  // Load and verify every script before any load starts: a script Redis rejects ends the run with exit 2.
  if (!merge)
    for (const auto& job : jobs)
      for (const auto* s : job.run->scripts()) target->load_script(*s);
  if (merge && merge->states.size() != jobs.size())
    throw UsageError("the shards ran " + std::to_string(merge->states.size()) +
                     " variants, their config plans " + std::to_string(jobs.size()));

  fill_config(report.config, cfg, params.key_prefix, jobs_of(jobs));

  for (const auto& u : seeds) add_secret(u.password);  // masked by redact() (util/secrets.hpp)
  auto warn = [&](std::string w) { warn_in(report, log, std::move(w)); };
  if (!seeds.empty() && seeds.front().tls && cfg.tls.insecure)
    warn(
        "--tls-insecure: the server's certificate and name were not verified (anyone on the path could "
        "have answered)");

  Session session{cfg, log, report, params, *target, factory, merge, sharded, lead};
  if (cfg.capacity) run_capacity(session, jobs);
  else if (!cfg.workload_path.empty()) run_mix(session, jobs, cfg.load);
  else run_jobs(session, jobs, cfg.load);
  bool interrupted = session.interrupted;
  if (g_interrupted.load()) interrupted = true;
  report.interrupted = interrupted;
  if (report.aborted) log << "aborted: " << redact(*report.aborted) << "\n";

  if (!report.aborted) {
    try {
      if (target->failover_detected()) {
        report.target.failover_detected = true;
        auto now = target->current_masters();  // the report names where the keys live now, too
        if (!now.empty() && now != report.target.nodes) report.target.nodes_at_end = std::move(now);
      }
    } catch (const Interrupted&) {
    }
  }
  if (merge && merge->failover_detected) report.target.failover_detected = true;
  if (report.target.failover_detected)
    for (auto& r : report.results)
      if (reports::safe_violated(r.correctness) && r.correctness.reason.empty())
        r.correctness.reason =
            "a cluster failover happened during this run: Redis replicates asynchronously, so a master that dies "
            "can take acknowledged writes with it, and its promoted replica never saw them. These violations may "
            "be the failover's, not the script's; a WAIT 1 <timeout> after each write would show which writes "
            "had reached a replica";

  if (!cfg.keep_keys && !sharded) {
    std::optional<reports::Cleanup> left;
    if (report.aborted) {
      left = reports::Cleanup{-1, "not attempted: the target was lost"};
    } else {
      try {
        CleanupResult cr = target->cleanup(params.key_prefix);
        if (cr.left != 0) left = reports::Cleanup{cr.left, cr.reason};
      } catch (const ExitError& e) {
        left = reports::Cleanup{-1, "the target was lost during cleanup: " + std::string(e.what())};
      } catch (const Interrupted&) {
        left = reports::Cleanup{-1, "interrupted: cleanup was cut short 0.5 s after the signal"};
      }
    }
    if (left) {
      report.cleanup = left;
      log << "cleanup: "
          << (left->keys_left < 0 ? "an unknown number of"
                                  : reports::with_commas(static_cast<uint64_t>(left->keys_left)))
          << " keys are left under '" << params.key_prefix << "': " << redact(left->reason)
          << " (delete them with: redis-cli --scan --pattern '" << glob_escape(params.key_prefix)
          << "*' | xargs redis-cli unlink)\n";
    }
  }
  report.finished_at = iso_now();
  // Redis may echo a command's arguments in an error ("unknown command ... with args beginning with"): no
  // password reaches the report through a reason either.
  {
    if (report.aborted) report.aborted = redact(*report.aborted);
    if (report.cleanup) report.cleanup->reason = redact(report.cleanup->reason);
    for (auto& n : report.not_run) n.reason = redact(n.reason);
    for (auto& w : report.warnings) w = redact(w);
    for (auto& r : report.results) r.correctness.reason = redact(r.correctness.reason);
  }

  report.exit_code = kExitOk;
  for (const auto& r : report.results)
    if (reports::fails_run(r.correctness)) report.exit_code = kExitFailed;
  for (const auto& n : report.not_run)
    if (!n.interrupted) report.exit_code = kExitFailed;
  if (report.cleanup) report.exit_code = kExitFailed;
  if (report.capacity && !report.capacity->max_rate) report.exit_code = kExitFailed;  // not even --rate-start
  if (report.interrupted) report.exit_code = kExitInterrupted;
  if (report.aborted) report.exit_code = kExitTarget;
  report.verdict = report.exit_code == kExitOk ? "pass" : "fail";
  return report;
}

}  // namespace lh::app
