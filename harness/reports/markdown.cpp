#include "harness/reports/markdown.hpp"

#include <algorithm>

#include <sstream>
#include "harness/reports/console.hpp"

#include "harness/reports/format.hpp"

namespace lh::reports {

namespace {

// A table cell: pipes would end the cell and newlines the row.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string code(const std::string& s) {
  std::string out(1,
                  '`');  // built by appending: g++ 12 warns (-Wrestrict, a false positive) on "`" + s + "`"
  out += cell(s);
  out += '`';
  return out;
}

// Inline code outside a table (a list item): one line; a message holding backticks gets a longer fence.
std::string inline_code(const std::string& s) {
  std::string text;
  for (char c : s) text += c == '\n' || c == '\r' ? ' ' : c;
  const bool ticks = text.find('`') != std::string::npos;  // (pipes need no escape outside a table)
  std::string out(ticks ? "`` " : "`");
  out += text;
  out += ticks ? " ``" : "`";
  return out;
}

// Text on one markdown line (a list item, a quote): newlines would end it.
std::string line(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\n' || c == '\r' ? ' ' : c;
  return out;
}

std::string run_facts(const Report& r) {
  std::ostringstream s;
  s << r.started_at << " · " << r.target.mode;
  if (!r.target.nodes.empty()) s << " " << r.target.nodes.front();
  if (r.target.nodes.size() > 1) s << " (+" << r.target.nodes.size() - 1 << " nodes)";
  if (r.target.embedded) s << " (embedded)";
  if (!r.target.redis_version.empty()) s << " · Redis " << r.target.redis_version;
  s << " · " << r.config.clients << " clients, " << r.config.threads
    << (r.config.threads == 1 ? " thread" : " threads");
  if (r.config.pipeline > 1) s << ", pipeline " << r.config.pipeline;
  if (r.config.requests) s << " · " << with_commas(*r.config.requests) << " requests";
  else s << " · " << compact_number(r.config.duration_s) << " s per variant";
  if (r.config.rate) s << " at " << compact_number(*r.config.rate) << " ops/s";
  s << " · seed " << r.config.seed << " · lua-harness " << r.tool_version;
  return s.str();
}

}  // namespace

std::string to_markdown(const Report& r) {
  std::ostringstream md;
  bool pass = r.verdict == "pass";
  md << "## lua-harness: " << (pass ? "✅ pass" : "❌ fail") << "\n\n";
  md << run_facts(r) << "\n\n";
  if (r.interrupted) md << "> ⚠️ The run was interrupted: the results cover only part of it.\n\n";
  if (r.error)
    md << "> ❌ The run ended before its load (exit code " << r.exit_code << "): " << line(*r.error) << "\n\n";
  if (r.aborted)
    md << "> ❌ The run was aborted (exit code " << r.exit_code << "): " << line(*r.aborted)
       << ". The results cover the variants that finished.\n\n";
  if (r.cleanup) md << "> ⚠️ " << line(cleanup_sentence(*r.cleanup, r.config.key_prefix)) << ".\n\n";

  // A --workload's rows lead with their entry's name.
  const bool named =
      std::any_of(r.results.begin(), r.results.end(), [](const Result& x) { return !x.name.empty(); });
  md << (named ? "| name " : "")
     << "| scenario | variant | ops/s | p50 ms | p99 ms | ok / failed / indet | violations | verdict |\n";
  md << (named ? "|---" : "") << "|---|---|--:|--:|--:|--:|--:|---|\n";
  for (const auto& x : r.results) {
    std::string verdict = row_verdict(x);
    if (fails_run(x)) verdict.insert(0, "❌ ");
    if (named) md << "| " << cell(x.name) << " ";
    md << "| " << cell(x.scenario) << " | " << cell(x.variant) << " | " << ops_per_s(x.throughput_ops_s)
       << " | " << us_as_ms(static_cast<double>(x.latency_us.p50)) << " | "
       << us_as_ms(static_cast<double>(x.latency_us.p99)) << " | " << with_commas(x.ops_ok) << " / "
       << with_commas(x.ops_failed) << " / " << with_commas(x.ops_indeterminate) << " | "
       << (x.correctness.checked
               ? with_commas(static_cast<uint64_t>(std::max<int64_t>(0, x.correctness.violations)))
               : "-")
       << " | " << verdict << " |\n";
  }
  if (r.results.empty()) md << "| (no results) | | | | | | | |\n";
  if (r.capacity) {  // lua-harness capacity: the answer, then every step as it ran
    const Capacity& c = *r.capacity;
    md << "\n### Capacity\n\n**" << line(capacity_sentence(c)) << "**\n\n";
    md << "| step | target ops/s | achieved ops/s | p50 ms | p99 ms | error rate | dropped | met | why not |\n";
    md << "|--:|--:|--:|--:|--:|--:|--:|---|---|\n";
    std::size_t i = 0;
    for (const auto& st : c.steps)
      md << "| " << ++i << " | " << ops_per_s(st.rate) << " | " << ops_per_s(st.achieved) << " | "
         << us_as_ms(st.p50_ms * 1000) << " | " << us_as_ms(st.p99_ms * 1000) << " | "
         << compact_number(st.error_rate) << " | " << with_commas(st.dropped) << " | " << (st.met ? "✅" : "❌")
         << " | " << cell(st.failed.empty() ? "" : st.failed.front()) << " |\n";
  }

  if (!r.thresholds.empty()) {
    md << "\n### Thresholds\n\n| | threshold | scope | value | decided by |\n|---|---|---|--:|---|\n";
    for (const auto& t : r.thresholds)
      md << "| " << (t.ok ? "✅ PASS" : "❌ FAIL") << " | " << code(t.expr) << " | " << cell(t.scope) << " | "
         << compact_number(t.value) << " | " << cell(t.detail) << " |\n";
  }

  if (!r.not_run.empty()) {
    md << "\n### Not run\n\n";
    for (const auto& n : r.not_run)
      md << "- " << (n.interrupted ? "⏭️ " : "❌ ") << line(not_run_sentence(n)) << "\n";
  }

  std::ostringstream notes;
  for (const auto& x : r.results) {
    if (is_inconclusive(x)) {
      notes << "- ❌ " << line(row_name(x))
            << " is **inconclusive** (it fails the run): " << line(verdict_reason(x)) << "\n";
      continue;
    }
    if (!x.correctness.checked || x.correctness.violations <= 0) {
      // Why it was not checked (the target was lost before the check, no checker), in words.
      if (!x.correctness.reason.empty())
        notes << "- " << line(row_name(x)) << " " << row_verdict(x) << ": " << line(x.correctness.reason)
              << "\n";
      continue;
    }
    notes << "- " << (fails_run(x) ? "❌ " : "") << violation_sentence(x)
          << (x.correctness.safe_by_design ? " (**a violation in a variant that is safe by design**)"
                                           : " (expected: " + x.variant + " is not safe by design)")
          << (x.correctness.reason.empty() ? "" : ": " + line(x.correctness.reason)) << "\n";
  }
  if (!notes.str().empty()) md << "\n### Correctness\n\n" << notes.str();

  std::ostringstream errors;  // one line per error class that has an example: the first message seen
  for (const auto& x : r.results)
    for (const auto& [k, message] : x.error_examples) {
      auto n = x.errors.find(k);
      errors << "- " << row_name(x) << ": " << (n != x.errors.end() ? with_commas(n->second) + " " : "") << k
             << " errors, the first: " << inline_code(message) << "\n";
    }
  if (!errors.str().empty()) md << "\n### Errors\n\n" << errors.str();

  if (!r.warnings.empty()) {
    md << "\n### Warnings\n\n";
    for (const auto& w : r.warnings) md << "- ⚠️ " << line(w) << "\n";
  }
  return md.str();
}

}  // namespace lh::reports
