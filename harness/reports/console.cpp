#include "harness/reports/console.hpp"

#include <algorithm>
#include <cstdio>

#include "harness/reports/format.hpp"
#include "harness/reports/table.hpp"

namespace lh::reports {

void print_table(const Report& report, std::ostream& out) {
  // A --workload's rows lead with their entry's name.
  const bool named = std::any_of(report.results.begin(), report.results.end(),
                                 [](const Result& r) { return !r.name.empty(); });
  std::vector<std::string> header = {"scenario", "variant",         "ops/s",      "p50 ms",
                                     "p99 ms",   "ok/failed/indet", "violations", "verdict"};
  if (named) header.insert(header.begin(), "name");
  TextTable t(header);
  const std::size_t o = named ? 1 : 0;
  t.align_right({2 + o, 3 + o, 4 + o, 5 + o, 6 + o});
  for (const auto& r : report.results) {
    std::vector<std::string> row = {
        r.scenario,
        r.variant,
        ops_per_s(r.throughput_ops_s),
        us_as_ms(static_cast<double>(r.latency_us.p50)),
        us_as_ms(static_cast<double>(r.latency_us.p99)),
        with_commas(r.ops_ok) + "/" + with_commas(r.ops_failed) + "/" + with_commas(r.ops_indeterminate),
        r.correctness.checked
            ? with_commas(static_cast<uint64_t>(std::max<int64_t>(0, r.correctness.violations)))
            : "-",
        row_verdict(r)};
    if (named) row.insert(row.begin(), r.name);
    t.add(std::move(row));
  }
  if (report.results.empty()) out << "(no results)\n";
  else t.print(out);

  // Everything below says in words what the table cannot: each line stands alone in a CI log.
  bool blank = false;
  auto line = [&](const std::string& s) {
    if (!blank) out << "\n";
    blank = true;
    out << s << "\n";
  };
  for (const auto& r : report.results) {
    if (is_inconclusive(r)) line(inconclusive_sentence(r) + " (fails the run)");
    else if (!r.correctness.reason
                  .empty())  // why not checked, or a failover behind a safe variant's violations
      line(row_name(r) + " " + row_verdict(r) + ": " + r.correctness.reason);
  }
  for (const auto& n : report.not_run) line(not_run_sentence(n));
  if (report.error) line("error: " + *report.error);
  if (report.aborted) line("aborted: " + *report.aborted);
  if (report.cleanup) line(cleanup_sentence(*report.cleanup, report.config.key_prefix));
  for (const auto& w : report.warnings) line("warning: " + w);

  if (report.thresholds.empty()) return;
  size_t width = 0;
  for (const auto& th : report.thresholds) width = std::max(width, th.expr.size());
  out << "\nthresholds:\n";
  for (const auto& th : report.thresholds) {
    out << "  " << (th.ok ? "PASS" : "FAIL") << "  " << th.expr;
    if (!th.detail.empty()) out << std::string(width - th.expr.size() + 2, ' ') << th.detail;
    out << "\n";
  }
}

std::string capacity_sentence(const Capacity& c) {
  auto ops_s = [](double rate) { return ops_per_s(rate) + " ops/s"; };
  std::string slos;
  for (const auto& x : c.slos) slos += (slos.empty() ? "" : ", ") + x;
  const CapacityStep* first_bad = nullptr;
  for (const auto& s : c.steps)
    if (!s.met && (!first_bad || s.rate < first_bad->rate)) first_bad = &s;
  const bool cut = c.limited_by == "interrupted" || c.limited_by.rfind("aborted", 0) == 0;
  if (cut)
    return "The search was stopped (" + c.limited_by + ")" +
           (c.max_rate ? ": " + ops_s(*c.max_rate) + " is the highest rate that met every SLO (" + slos +
                             ") so far, not an answer."
                       : " before any step met every SLO (" + slos + ").");
  if (!c.max_rate) {
    if (c.steps.empty()) return "No step ran: no rate was found.";
    const std::string why =
        first_bad && !first_bad->failed.empty() ? first_bad->failed.front() : c.limited_by;
    return "No rate met every SLO (" + slos + "): even the first step, " + ops_s(c.steps.front().rate) +
           ", failed: " + why + ".";
  }
  std::string out = ops_s(*c.max_rate) + " is the highest rate that met every SLO (" + slos + ")";
  if (first_bad && !first_bad->failed.empty())
    out += "; " + ops_s(first_bad->rate) + " failed: " + first_bad->failed.front();
  else out += "; no step failed up to --rate-max " + ops_s(c.rate_max) + ": raise it to find the limit";
  return out + ".";
}

void print_capacity(const Report& report, std::ostream& out) {
  if (!report.capacity) return;
  const Capacity& c = *report.capacity;
  TextTable t({"step", "target ops/s", "achieved ops/s", "p50 ms", "p99 ms", "error rate", "dropped", "met",
               "why not"});
  t.align_right({0, 1, 2, 3, 4, 5, 6});
  std::size_t i = 0;
  for (const auto& s : c.steps) {
    char er[32];
    std::snprintf(er, sizeof er, "%.2f %%", s.error_rate * 100);
    t.add({std::to_string(++i), ops_per_s(s.rate), ops_per_s(s.achieved), us_as_ms(s.p50_ms * 1000),
           us_as_ms(s.p99_ms * 1000), er, with_commas(s.dropped), s.met ? "yes" : "NO",
           s.failed.empty() ? "" : s.failed.front()});
  }
  out << "\ncapacity: every step, in the order it ran (" << c.step_warmup_s << " s warmup + "
      << c.step_duration_s << " s measured each)\n";
  t.print(out);
  out << "\n" << capacity_sentence(c) << "\n";
}

}  // namespace lh::reports
