#include "harness/reports/thresholds.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "harness/model/metrics.hpp"
#include "harness/reports/format.hpp"

namespace lh::reports {

namespace {

constexpr const char* kOperators = "< <= > >= == !=";

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(const std::string& expr, const std::string& why) {
  throw std::invalid_argument("--threshold '" + expr + "': " + why);
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }
bool is_wild(const std::string& s) { return s.empty() || s == "*"; }

// How bad a value is for this operator: the row with the highest badness decides. For the ordering
// operators the expression holds for every row exactly when it holds for the worst one.
double badness(const ThresholdSpec& s, double v) {
  if (s.op == "<" || s.op == "<=") return v;
  if (s.op == ">" || s.op == ">=") return -v;
  if (s.op == "==") return std::fabs(v - s.number);
  return v == s.number ? 1 : 0;  // "!="
}

}  // namespace

std::string ThresholdSpec::scope() const {
  if (is_wild(scenario) && is_wild(variant)) return "all";
  std::string s = is_wild(scenario) ? "*" : scenario;
  if (!is_wild(variant)) s += "/" + variant;
  return s;
}

bool ThresholdSpec::matches(const Result& r) const {
  if (!r.name.empty() && variant.empty() && scenario == r.name) return true;  // a --workload entry by name
  return (is_wild(scenario) || scenario == r.scenario) && (is_wild(variant) || variant == r.variant);
}

bool ThresholdSpec::holds(double v) const {
  if (op == "<") return v < number;
  if (op == "<=") return v <= number;
  if (op == ">") return v > number;
  if (op == ">=") return v >= number;
  if (op == "==") return v == number;
  return v != number;
}

ThresholdSpec parse_threshold(const std::string& raw) {
  ThresholdSpec s;
  s.expr = trim(raw);
  const std::string& e = s.expr;
  if (e.empty()) fail(raw, "empty expression (expected e.g. 'p99_ms<5' or '*/atomic:violations==0')");

  std::string body = e;
  if (size_t colon = e.find(':'); colon != std::string::npos) {
    std::string scope = trim(e.substr(0, colon));
    body = e.substr(colon + 1);
    if (scope.empty()) fail(e, "empty scope before ':' (expected scenario or scenario/variant)");
    size_t slash = scope.find('/');
    s.scenario = trim(scope.substr(0, slash));
    if (slash != std::string::npos) {
      s.variant = trim(scope.substr(slash + 1));
      if (s.variant.empty()) fail(e, "empty variant after '/' in the scope");
      if (s.variant.find('/') != std::string::npos)
        fail(e, "scope has more than one '/' (expected scenario/variant)");
    }
    if (s.scenario.empty()) fail(e, "empty scenario in the scope (use '*' for every scenario)");
  }

  body = trim(body);
  size_t i = 0;
  while (i < body.size() && is_name_char(body[i])) ++i;
  s.metric = body.substr(0, i);
  if (s.metric.empty()) fail(e, "expected a metric name (one of " + metric_names() + ")");
  if (!find_metric(s.metric))
    fail(e, "unknown metric '" + s.metric + "' (expected one of " + metric_names() + ")");

  while (i < body.size() && body[i] == ' ') ++i;
  size_t op_start = i;
  while (i < body.size() && is_op_char(body[i])) ++i;
  s.op = body.substr(op_start, i - op_start);
  if (s.op.empty()) fail(e, "expected an operator after '" + s.metric + "' (one of " + kOperators + ")");
  static const std::vector<std::string> ops = {"<", "<=", ">", ">=", "==", "!="};
  if (std::find(ops.begin(), ops.end(), s.op) == ops.end())
    fail(e, "unknown operator '" + s.op + "' (expected one of " + kOperators + ")");

  std::string number = trim(body.substr(i));
  if (number.empty()) fail(e, "expected a number after '" + s.op + "'");
  char* end = nullptr;
  s.number = std::strtod(number.c_str(), &end);
  if (end == number.c_str() || *end != '\0' || !std::isfinite(s.number))
    fail(e, "'" + number + "' is not a number");
  return s;
}

void evaluate_thresholds(const std::vector<ThresholdSpec>& specs, Report& report) {
  report.thresholds.clear();
  bool any_failed = false;
  for (const auto& spec : specs) {
    Threshold t;
    t.expr = spec.expr;
    t.scope = spec.scope();
    const MetricInfo* metric = find_metric(spec.metric);
    const Result* worst = nullptr;
    double worst_value = 0;
    size_t rows = 0, failing = 0;
    std::vector<const Result*> inconclusive;
    for (const auto& r : report.results) {
      if (!spec.matches(r)) continue;
      ++rows;
      double v = metric ? metric->value(r) : 0;
      if (!spec.holds(v)) ++failing;
      if (is_inconclusive(r)) inconclusive.push_back(&r);
      if (!worst || badness(spec, v) > badness(spec, worst_value)) {
        worst = &r;
        worst_value = v;
      }
    }
    if (rows == 0) {
      t.ok = false;
      std::string available, not_run;
      for (const auto& r : report.results) available += (available.empty() ? "" : ", ") + row_name(r);
      for (const auto& n : report.not_run)
        if ((is_wild(spec.scenario) || spec.scenario == n.scenario) &&
            (is_wild(spec.variant) || spec.variant == n.variant))
          not_run += "; " + not_run_sentence(n);
      t.detail = "no result row matches scope '" + t.scope +
                 "' (rows: " + (available.empty() ? "none" : available) + not_run + ")";
    } else {
      t.ok = metric && failing == 0 && inconclusive.empty();
      t.value = worst_value;
      t.detail = row_name(*worst) + ": " + spec.metric + "=" + compact_number(worst_value);
      if (rows > 1)
        t.detail += failing == 0 ? " (worst of " + std::to_string(rows) + " rows)"
                                 : " (worst of " + std::to_string(rows) + " rows; " +
                                       std::to_string(failing) + " fail)";
      // The metric's value means nothing for a row where nothing could be concluded: say which, and why.
      for (const Result* r : inconclusive) t.detail += "; " + inconclusive_sentence(*r);
    }
    any_failed = any_failed || !t.ok;
    report.thresholds.push_back(std::move(t));
  }
  if (any_failed) {
    report.verdict = "fail";
    report.exit_code = std::max(report.exit_code, 1);
  }
}

std::optional<std::string> threshold_scope_problem(
    const ThresholdSpec& spec, const std::vector<std::pair<std::string, std::string>>& planned) {
  auto matches = [&](const std::pair<std::string, std::string>& p) {
    return (is_wild(spec.scenario) || spec.scenario == p.first) &&
           (is_wild(spec.variant) || spec.variant == p.second);
  };
  // A --workload's dropped ops belong to the mix (a slot is dealt its entry only when it is sent): an entry
  // row has none to count, and its `dropped` would pass unmeasured.
  const bool entry = spec.variant.empty() && spec.scenario != "total" &&
                     std::any_of(planned.begin(), planned.end(),
                                 [&](const auto& p) { return p.second.empty() && p.first == spec.scenario; });
  if (entry && spec.metric == "dropped")
    return "--threshold '" + spec.expr +
           "': dropped is counted for the whole --workload mix, not per entry: " +
           "scope it to total (total:dropped==0)";
  if (std::any_of(planned.begin(), planned.end(), matches)) return std::nullopt;
  std::string runs;
  for (const auto& [scenario, variant] : planned)  // a --workload entry is planned as (name, "")
    runs.append(runs.empty() ? "" : ", ").append(scenario).append(variant.empty() ? "" : "/").append(variant);
  return "--threshold '" + spec.expr + "': no scenario or variant '" + spec.scope() +
         "' in this run (it runs: " + (runs.empty() ? "nothing" : runs) + ")";
}

}  // namespace lh::reports
