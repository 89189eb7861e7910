#include "harness/reports/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/scenarios/scenario.hpp"

namespace lh::reports {

std::string row_name(const Result& r) { return r.name.empty() ? r.scenario + "/" + r.variant : r.name; }

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  int since_start = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++since_start) {
    if (since_start > 0 && since_start % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
  }
  return out;
}

std::string ops_per_s(double rate) {
  return with_commas(rate > 0 ? static_cast<uint64_t>(std::llround(rate)) : 0);
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string us_as_ms(double us) {
  double ms = us / 1000.0;
  if (ms >= 1000) return with_commas(static_cast<uint64_t>(std::llround(ms)));
  if (ms >= 10) return fixed(ms, 1);
  return fixed(ms, 3);
}

std::string compact_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  std::string s = buf;
  if (s.find('e') != std::string::npos) s = fixed(v, 0);  // no exponents in messages people read
  return s;
}

std::string violation_noun(const std::string& scenario) {
  const scenarios::Scenario* s = scenarios::find_scenario(scenario);
  return s ? std::string(s->violation_noun()) : "violations";
}

std::string violation_sentence(const Result& r) {
  return r.variant + " " + r.scenario + ": " +
         with_commas(static_cast<uint64_t>(std::max<int64_t>(0, r.correctness.violations))) + " " +
         violation_noun(r.scenario) + " of " + with_commas(r.ops_total) + " ops";
}

bool is_inconclusive(const Result& r) { return r.correctness.verdict == "inconclusive"; }

std::string row_verdict(const Result& r) {
  const Correctness& c = r.correctness;
  if (is_inconclusive(r)) return "inconclusive";  // before "not checked": it may be unchecked too
  if (!c.checked || c.verdict == "not-checked") return "not checked";
  if (c.violations <= 0) return "pass";
  return c.safe_by_design ? "VIOLATED" : "violated (expected)";
}

std::string verdict_reason(const Result& r) {
  if (!r.correctness.reason.empty()) return r.correctness.reason;
  if (!is_inconclusive(r)) return "";
  // A report written without a reason (older writer, hand-made file): say what the counts say.
  if (r.ops_ok == 0) return "no op succeeded: 0 of " + with_commas(r.ops_total) + " ops ok";
  return "too many ops failed or are indeterminate: " + with_commas(r.ops_failed + r.ops_indeterminate) +
         " of " + with_commas(r.ops_total);
}

std::string inconclusive_sentence(const Result& r) {
  return row_name(r) + " inconclusive: " + verdict_reason(r);
}

std::string not_run_sentence(const NotRun& n) {
  return n.scenario + "/" + n.variant +
         " not run: " + (n.reason.empty() ? (n.interrupted ? "interrupted" : "aborted") : n.reason);
}

std::string cleanup_sentence(const Cleanup& c, const std::string& key_prefix) {
  std::string s = "cleanup incomplete: ";
  if (c.keys_left < 0) s += "an unknown number of keys";
  else s += with_commas(static_cast<uint64_t>(c.keys_left)) + (c.keys_left == 1 ? " key" : " keys");
  s += " left";
  if (!key_prefix.empty()) s += " under " + key_prefix;
  if (!c.reason.empty()) s += " (" + c.reason + ")";
  return s;
}

}  // namespace lh::reports
