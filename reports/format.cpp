#include "reports/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace lh::reports {

std::string row_name(const Result& r) {
  return r.scenario + "/" + r.variant;
}

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
  static const std::map<std::string, std::string> nouns = {
      {"counter", "lost updates"},         {"cas", "conflicting swaps"},
      {"rate-limiter", "over-admissions"}, {"lock", "lock-safety violations"},
      {"inventory", "oversold units"},     {"leaderboard", "lost high scores"},
  };
  auto it = nouns.find(scenario);
  return it == nouns.end() ? "violations" : it->second;
}

std::string violation_sentence(const Result& r) {
  return r.variant + " " + r.scenario + ": " +
         with_commas(static_cast<uint64_t>(std::max<int64_t>(0, r.correctness.violations))) + " " +
         violation_noun(r.scenario) + " of " + with_commas(r.ops_total) + " ops";
}

std::string row_verdict(const Result& r) {
  const Correctness& c = r.correctness;
  if (!c.checked || c.verdict == "not-checked") return "not checked";
  if (c.violations <= 0) return "pass";
  return c.safe_by_design ? "VIOLATED" : "violated (expected)";
}

bool row_failed(const Result& r) {
  return r.correctness.checked && r.correctness.safe_by_design && r.correctness.violations > 0;
}

}  // namespace lh::reports
