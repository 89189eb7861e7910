#include "harness/reports/console.hpp"

#include <algorithm>

#include "harness/reports/format.hpp"
#include "harness/reports/table.hpp"

namespace lh::reports {

void print_table(const Report& report, std::ostream& out) {
  TextTable t(
      {"scenario", "variant", "ops/s", "p50 ms", "p99 ms", "ok/failed/indet", "violations", "verdict"});
  t.align_right({2, 3, 4, 5, 6});
  for (const auto& r : report.results) {
    t.add({r.scenario, r.variant, ops_per_s(r.throughput_ops_s),
           us_as_ms(static_cast<double>(r.latency_us.p50)), us_as_ms(static_cast<double>(r.latency_us.p99)),
           with_commas(r.ops_ok) + "/" + with_commas(r.ops_failed) + "/" + with_commas(r.ops_indeterminate),
           r.correctness.checked
               ? with_commas(static_cast<uint64_t>(std::max<int64_t>(0, r.correctness.violations)))
               : "-",
           row_verdict(r)});
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

}  // namespace lh::reports
