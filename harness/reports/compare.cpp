#include "harness/reports/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "harness/model/metrics.hpp"
#include "harness/reports/format.hpp"
#include "harness/reports/table.hpp"

namespace lh::reports {

namespace {

// The row of `r` that is `like`'s: a --workload's rows by their entry's name (two script entries are both
// custom/evalsha), every other row by scenario and variant.
const Result* find_row(const Report& r, const Result& like) {
  for (const auto& res : r.results)
    if (res.name == like.name &&
        (!like.name.empty() || (res.scenario == like.scenario && res.variant == like.variant)))
      return &res;
  return nullptr;
}

template <class T>
std::string opt_text(const std::optional<T>& v) {
  return v ? compact_number(static_cast<double>(*v)) : "none";
}

void note_config_differences(const Report& base, const Report& current, std::vector<std::string>& notes) {
  const Config& a = base.config;
  const Config& b = current.config;
  auto differ = [&](const char* name, const std::string& x, const std::string& y) {
    if (x != y) notes.push_back(std::string("config differs: ") + name + " " + x + " -> " + y);
  };
  differ("clients", std::to_string(a.clients), std::to_string(b.clients));
  differ("threads", std::to_string(a.threads), std::to_string(b.threads));
  differ("pipeline", std::to_string(a.pipeline), std::to_string(b.pipeline));
  differ("duration_s", compact_number(a.duration_s), compact_number(b.duration_s));
  differ("requests", opt_text(a.requests), opt_text(b.requests));
  differ("rate", opt_text(a.rate), opt_text(b.rate));
  differ("keys", opt_text(a.keys), opt_text(b.keys));
  differ("think_time_ms", compact_number(a.think_time_ms), compact_number(b.think_time_ms));
  differ("target mode", base.target.mode, current.target.mode);
  if (base.interrupted) notes.push_back("the base run was interrupted: its numbers cover part of the run");
  if (current.interrupted)
    notes.push_back("the current run was interrupted: its numbers cover part of the run");
}

// Values as people read them: throughput and counts with thousands separators, latencies in ms to the µs.
std::string metric_text(const std::string& metric, double v) {
  if (metric == "error_rate") return compact_number(std::round(v * 1e6) / 1e6);
  if (metric.size() > 3 && metric.compare(metric.size() - 3, 3, "_ms") == 0) return fixed(v, 3);
  return v < 0 ? compact_number(v) : with_commas(static_cast<uint64_t>(std::llround(v)));
}

// The change as judged: two decimals, or as many more (up to 6) as it takes for the printed number to fall
// on the same side of the limit as the exact one, so a REGRESSED line at 10% never shows -10.00%.
std::string pct_text(const CompareRow& r, Better better) {
  const double pct = *r.change_pct;
  auto worse_of = [&](double p) { return better == Better::higher ? -p : p; };
  std::string s;
  for (int decimals = 2; decimals <= 6; ++decimals) {
    s = fixed(pct, decimals);
    const double shown = worse_of(std::strtod(s.c_str(), nullptr));
    const bool consistent = r.verdict == "REGRESSED"  ? shown > r.limit_pct
                            : r.verdict == "improved" ? shown < 0
                            : r.verdict == "ok"       ? shown <= r.limit_pct
                                                      : true;
    if (consistent) break;
  }
  if (s.find_first_not_of("-0.") == std::string::npos) s = fixed(0, 2);  // "-0.00" -> "0.00"
  return (pct > 0 && s != fixed(0, 2) ? "+" : "") + s + "%";
}

}  // namespace

RegressionLimit parse_regression_limit(const std::string& arg) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("--max-regression '" + arg + "': " + why);
  };
  size_t eq = arg.find('=');
  if (eq == std::string::npos) fail("expected METRIC=PCT, e.g. throughput=10% or p99_ms=15%");
  RegressionLimit l;
  l.metric = arg.substr(0, eq);
  if (!find_metric(l.metric))
    fail("unknown metric '" + l.metric + "' (expected one of " + metric_names() + ")");
  std::string pct = arg.substr(eq + 1);
  if (!pct.empty() && pct.back() == '%') pct.pop_back();
  char* end = nullptr;
  l.max_pct = std::strtod(pct.c_str(), &end);
  if (pct.empty() || *end != '\0' || !std::isfinite(l.max_pct)) fail("'" + pct + "' is not a percentage");
  if (l.max_pct < 0) fail("the percentage must be >= 0");
  return l;
}

std::vector<RegressionLimit> default_regression_limits() {
  return {{"throughput", 10}, {"p99_ms", 20}, {"violations", 0}};
}

bool CompareResult::regressed() const {
  return std::any_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.regressed(); });
}

int CompareResult::exit_code(bool strict) const {
  if (regressed() || !failing.empty()) return 1;
  if (strict && !problems.empty()) return 1;
  return 0;
}

CompareResult compare_reports(const Report& base, const Report& current,
                              const std::vector<RegressionLimit>& limits) {
  CompareResult out;
  if (base.schema_version != current.schema_version)
    out.problems.push_back("schema_version differs: base " + std::to_string(base.schema_version) +
                           ", current " + std::to_string(current.schema_version));
  for (const auto& r : base.results)
    if (!find_row(current, r)) {
      auto nr = std::find_if(current.not_run.begin(), current.not_run.end(), [&](const NotRun& n) {
        return n.scenario == r.scenario && n.variant == r.variant;
      });
      out.problems.push_back(nr != current.not_run.end()
                                 ? not_run_sentence(*nr) + " in the current report (not compared)"
                                 : row_name(r) + " is only in the base report (not compared)");
    }
  for (const auto& r : current.results)
    if (!find_row(base, r))
      out.problems.push_back(row_name(r) + " is only in the current report (not compared)");
  note_config_differences(base, current, out.notes);
  if (current.error) out.failing.push_back("the current run ended before its load: " + *current.error);
  if (current.aborted) out.failing.push_back("the current run was aborted: " + *current.aborted);
  for (const auto& cur : current.results) {
    if (is_inconclusive(cur))
      out.failing.push_back(row_name(cur) + " is inconclusive in the current report: " + verdict_reason(cur));
    else if (fails_run(cur))
      out.failing.push_back(violation_sentence(cur) +
                            " in the current report, a variant that is safe by design");
  }
  for (const auto& old : base.results)
    if (is_inconclusive(old))
      out.notes.push_back(row_name(old) + " is inconclusive in the base report: its numbers are no baseline");

  for (const auto& cur : current.results) {
    const Result* old = find_row(base, cur);
    if (!old) continue;
    for (const auto& limit : limits) {
      const MetricInfo* m = find_metric(limit.metric);
      if (!m) continue;
      CompareRow row{cur.scenario, cur.variant,   limit.metric, m->value(*old), m->value(cur),
                     std::nullopt, limit.max_pct, "ok",         cur.name};
      if (row.base != 0) row.change_pct = (row.current - row.base) / std::fabs(row.base) * 100.0;
      else if (row.current == 0) row.change_pct = 0.0;
      // How much worse, in percent (infinite when the base was 0 and it got worse).
      double worse_pct = row.change_pct ? (m->better == Better::higher ? -*row.change_pct : *row.change_pct)
                                        : (m->better == Better::higher ? -HUGE_VAL : HUGE_VAL);
      if (is_inconclusive(cur)) row.verdict = "inconclusive";
      else if (limit.metric == "violations" && !cur.correctness.safe_by_design) row.verdict = "expected";
      else if (worse_pct > limit.max_pct) row.verdict = "REGRESSED";
      else if (worse_pct < 0) row.verdict = "improved";
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

void print_comparison(const CompareResult& result, std::ostream& out) {
  TextTable t({"scenario/variant", "metric", "base", "current", "change", "limit", "verdict"});
  t.align_right({2, 3, 4, 5});
  for (const auto& r : result.rows) {
    const MetricInfo* m = find_metric(r.metric);
    std::string change = r.change_pct ? pct_text(r, m ? m->better : Better::lower) : "new";
    t.add({r.name.empty() ? r.scenario + "/" + r.variant : r.name, r.metric, metric_text(r.metric, r.base),
           metric_text(r.metric, r.current), change, compact_number(r.limit_pct) + "%", r.verdict});
  }
  if (result.rows.empty()) out << "no rows to compare\n";
  else t.print(out);
  for (const auto& f : result.failing) out << "FAILING: " << f << "\n";
  for (const auto& p : result.problems) out << "problem: " << p << "\n";
  for (const auto& n : result.notes) out << "note: " << n << "\n";
  size_t regressed =
      std::count_if(result.rows.begin(), result.rows.end(), [](const auto& r) { return r.regressed(); });
  if (regressed)
    out << "REGRESSION: " << regressed << " of " << result.rows.size() << " comparisons beyond their limit\n";
  if (!result.failing.empty())
    out << "FAIL: the current report fails on its own (" << result.failing.size()
        << (result.failing.size() == 1 ? " problem" : " problems") << " above), whatever the baseline\n";
  if (!regressed && result.failing.empty())
    out << "ok: no regression beyond the limits (" << result.rows.size() << " comparisons)\n";
}

}  // namespace lh::reports
