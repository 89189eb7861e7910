#include "harness/model/report.hpp"

#include <stdexcept>

namespace lh::reports {

using nlohmann::json;

namespace {

json latency_json(const LatencySummary& l) {
  return {{"min", l.min}, {"mean", l.mean}, {"p50", l.p50}, {"p90", l.p90},
          {"p99", l.p99}, {"p999", l.p999}, {"max", l.max}};
}

LatencySummary latency_from(const json& j) {
  LatencySummary l;
  l.min = j.at("min").get<int64_t>();
  l.mean = j.at("mean").get<double>();
  l.p50 = j.at("p50").get<int64_t>();
  l.p90 = j.at("p90").get<int64_t>();
  l.p99 = j.at("p99").get<int64_t>();
  l.p999 = j.at("p999").get<int64_t>();
  l.max = j.at("max").get<int64_t>();
  return l;
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T>
std::optional<T> opt_from(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<T>();
}

json result_json(const Result& r) {
  json ops = {{"total", r.ops_total},
              {"ok", r.ops_ok},
              {"failed", r.ops_failed},
              {"indeterminate", r.ops_indeterminate}};
  if (r.ops_scheduled) ops["scheduled"] = *r.ops_scheduled;
  if (r.ops_dropped) ops["dropped"] = *r.ops_dropped;
  json j = {{"scenario", r.scenario},
            {"variant", r.variant},
            {"ops", ops},
            {"pipeline", r.pipeline},
            {"errors", r.errors},
            {"commands_per_op", r.commands_per_op},
            {"retries", r.retries},
            {"duration_s", r.duration_s},
            {"throughput_ops_s", r.throughput_ops_s},
            {"latency_us", latency_json(r.latency_us)}};
  if (!r.name.empty()) j["name"] = r.name;
  if (!r.error_examples.empty()) j["error_examples"] = r.error_examples;
  if (r.uncorrected_latency_us) j["uncorrected_latency_us"] = latency_json(*r.uncorrected_latency_us);
  if (!r.latency_hdr.empty()) j["latency_hdr"] = r.latency_hdr;
  if (!r.uncorrected_latency_hdr.empty()) j["uncorrected_latency_hdr"] = r.uncorrected_latency_hdr;
  json series = json::array();
  for (const auto& p : r.series) {
    json pj = {{"second", p.second}, {"ops", p.ops}, {"p50_us", p.p50_us}, {"p99_us", p.p99_us}};
    if (p.span_s < 1.0) pj["span_s"] = p.span_s;  // only a partial second (the run's last) carries it
    series.push_back(std::move(pj));
  }
  j["series"] = series;
  json curve = json::array();
  for (const auto& p : r.percentile_curve)
    curve.push_back({{"percentile", p.percentile}, {"value_us", p.value_us}});
  j["percentile_curve"] = curve;
  if (!r.ops_per_node.empty()) j["ops_per_node"] = r.ops_per_node;
  const auto& c = r.correctness;
  j["correctness"] = {{"invariant", c.invariant}, {"safe_by_design", c.safe_by_design},
                      {"checked", c.checked},     {"violations", c.violations},
                      {"verdict", c.verdict},     {"details", c.details},
                      {"examples", c.examples},   {"period", c.period}};
  if (!c.reason.empty()) j["correctness"]["reason"] = c.reason;
  if (r.merge_state) j["merge_state"] = *r.merge_state;
  return j;
}

Result result_from(const json& j) {
  Result r;
  r.scenario = j.at("scenario").get<std::string>();
  r.variant = j.at("variant").get<std::string>();
  r.name = j.value("name", std::string());
  const json& ops = j.at("ops");
  r.ops_total = ops.at("total").get<uint64_t>();
  r.ops_ok = ops.at("ok").get<uint64_t>();
  r.ops_failed = ops.at("failed").get<uint64_t>();
  r.ops_indeterminate = ops.at("indeterminate").get<uint64_t>();
  r.ops_scheduled = opt_from<uint64_t>(ops, "scheduled");
  r.ops_dropped = opt_from<uint64_t>(ops, "dropped");
  r.pipeline = j.value("pipeline", uint32_t{1});
  r.errors = j.at("errors").get<std::map<std::string, uint64_t>>();
  if (j.contains("error_examples"))  // absent in older reports, and when there were no errors
    r.error_examples = j.at("error_examples").get<std::map<std::string, std::string>>();
  r.commands_per_op = j.value("commands_per_op", 1.0);
  r.retries = j.value("retries", uint64_t{0});
  r.duration_s = j.at("duration_s").get<double>();
  r.throughput_ops_s = j.at("throughput_ops_s").get<double>();
  r.latency_us = latency_from(j.at("latency_us"));
  if (j.contains("uncorrected_latency_us"))
    r.uncorrected_latency_us = latency_from(j.at("uncorrected_latency_us"));
  if (j.contains("merge_state")) r.merge_state = j.at("merge_state");
  r.latency_hdr = j.value("latency_hdr", "");
  r.uncorrected_latency_hdr = j.value("uncorrected_latency_hdr", "");
  if (j.contains("series"))
    for (const auto& p : j.at("series"))
      r.series.push_back({p.at("second").get<int64_t>(), p.at("ops").get<uint64_t>(),
                          p.at("p50_us").get<int64_t>(), p.at("p99_us").get<int64_t>(),
                          p.value("span_s", 1.0)});  // absent: a whole second
  if (j.contains("percentile_curve"))
    for (const auto& p : j.at("percentile_curve"))
      r.percentile_curve.push_back({p.at("percentile").get<double>(), p.at("value_us").get<int64_t>()});
  if (j.contains("ops_per_node"))
    r.ops_per_node = j.at("ops_per_node").get<std::map<std::string, uint64_t>>();
  const json& c = j.at("correctness");
  r.correctness.invariant = c.at("invariant").get<std::string>();
  r.correctness.safe_by_design = c.at("safe_by_design").get<bool>();
  r.correctness.checked = c.at("checked").get<bool>();
  r.correctness.violations = c.at("violations").get<int64_t>();
  r.correctness.verdict = c.at("verdict").get<std::string>();
  r.correctness.details = c.value("details", json::object());
  r.correctness.examples = c.value("examples", std::vector<std::string>{});
  r.correctness.reason = c.value("reason", std::string());
  r.correctness.period = c.value("period", std::string("measured"));
  return r;
}

json capacity_json(const Capacity& c) {
  json steps = json::array();
  for (const auto& s : c.steps)
    steps.push_back({{"rate", s.rate},
                     {"achieved", s.achieved},
                     {"p50_ms", s.p50_ms},
                     {"p99_ms", s.p99_ms},
                     {"error_rate", s.error_rate},
                     {"dropped", s.dropped},
                     {"violations", s.violations},
                     {"met", s.met},
                     {"failed", s.failed}});
  return {
      {"max_rate", opt(c.max_rate)},          {"limited_by", c.limited_by},       {"slos", c.slos},
      {"rate_start", c.rate_start},           {"rate_max", c.rate_max},           {"precision", c.precision},
      {"step_duration_s", c.step_duration_s}, {"step_warmup_s", c.step_warmup_s}, {"steps", steps}};
}

Capacity capacity_from(const json& j) {
  Capacity c;
  c.max_rate = opt_from<double>(j, "max_rate");
  c.limited_by = j.value("limited_by", std::string());
  c.slos = j.value("slos", std::vector<std::string>{});
  c.rate_start = j.value("rate_start", 0.0);
  c.rate_max = j.value("rate_max", 0.0);
  c.precision = j.value("precision", 0.02);
  c.step_duration_s = j.value("step_duration_s", 0.0);
  c.step_warmup_s = j.value("step_warmup_s", 0.0);
  for (const auto& s : j.at("steps")) {
    CapacityStep st;
    st.rate = s.at("rate").get<double>();
    st.achieved = s.at("achieved").get<double>();
    st.p50_ms = s.at("p50_ms").get<double>();
    st.p99_ms = s.at("p99_ms").get<double>();
    st.error_rate = s.at("error_rate").get<double>();
    st.dropped = s.at("dropped").get<uint64_t>();
    st.violations = s.value("violations", int64_t{0});
    st.met = s.at("met").get<bool>();
    st.failed = s.value("failed", std::vector<std::string>{});
    c.steps.push_back(std::move(st));
  }
  return c;
}

}  // namespace

bool safe_violated(const Correctness& c) { return c.safe_by_design && c.violations > 0; }

bool fails_run(const Correctness& c) { return c.verdict == "inconclusive" || safe_violated(c); }

bool fails_run(const Result& r) { return fails_run(r.correctness); }

json to_json(const Report& r) {
  json target = {{"mode", r.target.mode},
                 {"embedded", r.target.embedded},
                 {"nodes", r.target.nodes},
                 {"redis_version", r.target.redis_version}};
  if (r.target.mode == "cluster") target["failover_detected"] = r.target.failover_detected;
  if (r.target.tls) {
    target["tls"] = true;
    target["tls_verified"] = r.target.tls_verified;
  }
  if (!r.target.nodes_at_end.empty()) target["nodes_at_end"] = r.target.nodes_at_end;
  const Config& c = r.config;
  json config = {{"clients", c.clients},
                 {"threads", c.threads},
                 {"pipeline", c.pipeline},
                 {"duration_s", c.duration_s},
                 {"requests", opt(c.requests)},
                 {"rate", opt(c.rate)},
                 {"keys", opt(c.keys)},
                 {"seed", c.seed},
                 {"warmup_s", c.warmup_s},
                 {"think_time_ms", c.think_time_ms},
                 {"max_error_rate", c.max_error_rate},
                 {"key_prefix", c.key_prefix},
                 {"scenarios", c.scenarios},
                 {"variants", c.variants}};
  if (!c.script.empty()) {
    config["script"] = c.script;
    config["eval"] = c.eval;
  }
  if (!c.function.empty()) {
    config["function"] = c.function;
    config["fcall"] = c.fcall;
  }
  if (c.lock_ttl_ms) config["lock_ttl_ms"] = c.lock_ttl_ms;
  if (c.shard_count) {
    config["shard"] = {{"count", *c.shard_count}};
    if (c.shard_index) config["shard"]["index"] = *c.shard_index;
  }
  if (c.start_at_unix_us) config["start_at_unix_us"] = *c.start_at_unix_us;
  if (!c.stages.empty()) {
    json st = json::array();
    for (const auto& s : c.stages) st.push_back({{"duration_s", s.duration_s}, {"rate", s.rate}});
    config["stages"] = st;
  }
  if (!c.workload.empty()) config["workload"] = c.workload;
  json results = json::array();
  for (const auto& res : r.results) results.push_back(result_json(res));
  json thresholds = json::array();
  for (const auto& t : r.thresholds) {
    json tj = {{"expr", t.expr}, {"scope", t.scope}, {"ok", t.ok}, {"value", t.value}};
    if (!t.detail.empty()) tj["detail"] = t.detail;
    thresholds.push_back(tj);
  }
  json out = {{"schema_version", r.schema_version},
              {"tool", {{"name", r.tool_name}, {"version", r.tool_version}}},
              {"started_at", r.started_at},
              {"finished_at", r.finished_at},
              {"interrupted", r.interrupted},
              {"target", target},
              {"config", config},
              {"results", results},
              {"thresholds", thresholds},
              {"verdict", r.verdict},
              {"exit_code", r.exit_code}};
  if (!r.not_run.empty()) {
    json nr = json::array();
    for (const auto& n : r.not_run)
      nr.push_back({{"scenario", n.scenario},
                    {"variant", n.variant},
                    {"reason", n.reason},
                    {"interrupted", n.interrupted}});
    out["not_run"] = nr;
  }
  if (r.aborted) out["aborted"] = {{"reason", *r.aborted}};
  if (r.cleanup) out["cleanup"] = {{"keys_left", r.cleanup->keys_left}, {"reason", r.cleanup->reason}};
  if (r.error) out["error"] = {{"message", *r.error}};
  if (!r.warnings.empty()) out["warnings"] = r.warnings;
  if (r.capacity) out["capacity"] = capacity_json(*r.capacity);
  return out;
}

Report report_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("not a lua-harness report: the document is not a JSON object");
  if (!j.contains("schema_version"))
    throw std::runtime_error("not a lua-harness report: no \"schema_version\" field");
  if (j.at("schema_version") != 1)
    throw std::runtime_error("unsupported schema_version " + j.at("schema_version").dump() +
                             " (this build reads 1)");
  std::string where = "top level";  // which part was being read, for the error message
  try {
    Report r;
    const json& tool = j.at("tool");
    where = "tool";
    r.tool_name = tool.at("name").get<std::string>();
    r.tool_version = tool.at("version").get<std::string>();
    where = "top level";
    r.started_at = j.at("started_at").get<std::string>();
    r.finished_at = j.at("finished_at").get<std::string>();
    r.interrupted = j.at("interrupted").get<bool>();
    const json& t = j.at("target");
    where = "target";
    r.target.mode = t.at("mode").get<std::string>();
    r.target.embedded = t.at("embedded").get<bool>();
    r.target.nodes = t.at("nodes").get<std::vector<std::string>>();
    r.target.redis_version = t.at("redis_version").get<std::string>();
    r.target.failover_detected = t.value("failover_detected", false);
    r.target.tls = t.value("tls", false);
    r.target.tls_verified = t.value("tls_verified", false);
    r.target.nodes_at_end = t.value("nodes_at_end", std::vector<std::string>{});
    const json& c = j.at("config");
    where = "config";
    r.config.clients = c.at("clients").get<uint32_t>();
    r.config.threads = c.at("threads").get<uint32_t>();
    r.config.pipeline = c.at("pipeline").get<uint32_t>();
    r.config.duration_s = c.at("duration_s").get<double>();
    r.config.requests = opt_from<uint64_t>(c, "requests");
    r.config.rate = opt_from<double>(c, "rate");
    r.config.keys = opt_from<uint64_t>(c, "keys");
    r.config.seed = c.at("seed").get<uint64_t>();
    r.config.warmup_s = c.value("warmup_s", 0.0);
    r.config.think_time_ms = c.value("think_time_ms", 0.0);
    r.config.max_error_rate = c.value("max_error_rate", 0.01);
    r.config.key_prefix = c.value("key_prefix", std::string());
    r.config.scenarios = c.value("scenarios", std::vector<std::string>{});
    r.config.variants = c.value("variants", std::vector<std::string>{});
    r.config.script = c.value("script", std::string());
    r.config.eval = c.value("eval", false);
    r.config.function = c.value("function", std::string());
    r.config.fcall = c.value("fcall", std::string());
    r.config.lock_ttl_ms = c.value("lock_ttl_ms", int64_t{0});
    if (c.contains("shard")) {
      r.config.shard_count = c.at("shard").at("count").get<uint32_t>();
      if (c.at("shard").contains("index")) r.config.shard_index = c.at("shard").at("index").get<uint32_t>();
    }
    r.config.start_at_unix_us = opt_from<int64_t>(c, "start_at_unix_us");
    for (const auto& s : c.value("stages", json::array()))
      r.config.stages.push_back({s.at("duration_s").get<double>(), s.at("rate").get<double>()});
    r.config.workload = c.value("workload", std::string());
    where = "top level";
    for (const auto& res : j.at("results")) {
      where = "results[" + std::to_string(r.results.size()) + "]";
      r.results.push_back(result_from(res));
    }
    where = "thresholds";  // (optional: a missing list reads as empty)
    for (const auto& th : j.value("thresholds", json::array()))
      r.thresholds.push_back({th.at("expr").get<std::string>(), th.at("scope").get<std::string>(),
                              th.at("ok").get<bool>(), th.at("value").get<double>(), th.value("detail", "")});
    where = "top level";
    r.verdict = j.at("verdict").get<std::string>();
    r.exit_code = j.at("exit_code").get<int>();
    where = "not_run";
    for (const auto& n : j.value("not_run", json::array()))
      r.not_run.push_back({n.at("scenario").get<std::string>(), n.at("variant").get<std::string>(),
                           n.value("reason", ""), n.value("interrupted", false)});
    where = "top level";
    if (j.contains("aborted")) r.aborted = j.at("aborted").value("reason", "");
    if (j.contains("cleanup"))
      r.cleanup =
          Cleanup{j.at("cleanup").value("keys_left", int64_t{-1}), j.at("cleanup").value("reason", "")};
    if (j.contains("error")) r.error = j.at("error").value("message", "");
    r.warnings = j.value("warnings", std::vector<std::string>{});
    where = "capacity";
    if (j.contains("capacity")) r.capacity = capacity_from(j.at("capacity"));
    return r;
  } catch (const json::exception& e) {
    // "[json.exception.out_of_range.403] key 'ops' not found" -> "results[2]: key 'ops' not found"
    std::string what = e.what();
    if (size_t p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    throw std::runtime_error("malformed lua-harness report: " + where + ": " + what);
  }
}

}  // namespace lh::reports
