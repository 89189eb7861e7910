// Small text helpers shared by the writers (console, markdown, JUnit, HTML), so every format says the same
// thing the same way: "SCENARIO/VARIANT", "12,345", "naive SCENARIO: 37 lost updates of 10,000 ops".
#pragma once
#include <cstdint>
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

std::string row_name(const Result& r);      // "SCENARIO/VARIANT"; a --workload row: its name
std::string with_commas(uint64_t n);        // 1234567 -> "1,234,567"
std::string ops_per_s(double rate);         // 1234.6 -> "1,235" (rounded; a negative or NaN rate -> "0")
std::string fixed(double v, int decimals);  // fixed(0.3504, 3) -> "0.350"
std::string us_as_ms(double us);            // 350 -> "0.350", 12345 -> "12.3", 1234567 -> "1,235"
std::string compact_number(double v);       // shortest readable form: 5, 0.25, 20000, 1e+06 -> "1000000"
// The scenario's own word for its violations (Scenario::violation_noun: "lost updates"); "violations" for
// --script runs and for a scenario this build does not know (a report written by another version).
std::string violation_noun(const std::string& scenario);
// "naive SCENARIO: 37 lost updates of 10,000 ops" (the count of violations in words the scenario uses).
std::string violation_sentence(const Result& r);
// The row's correctness verdict for people: "pass", "VIOLATED" (safe by design, violations > 0),
// "violated (expected)" (not safe by design), "not checked", "inconclusive" (nothing could be concluded:
// no op succeeded, or too many failed; it fails the run).
std::string row_verdict(const Result& r);
// Whether a row fails the run is reports::fails_run(r) (harness/model/report.hpp): one definition for the
// writers, the gates and the runner's exit code.
bool is_inconclusive(const Result& r);
// Why the row is inconclusive (or not checked), in words: Correctness::reason, or a generic sentence built
// from the op counts when the report carries none ("no op succeeded: 0 of 1,200 ops ok").
std::string verdict_reason(const Result& r);
// "SCENARIO/VARIANT inconclusive: no op succeeded: NOPERM ... for 258,960 of 258,960 ops".
std::string inconclusive_sentence(const Result& r);

// The run-level facts every writer shows in words, each one line without a trailing period:
// "SCENARIO/naive not run: interrupted".
std::string not_run_sentence(const NotRun& n);
// "cleanup incomplete: 12 keys left under lh:abc: (NOPERM ...)"; "an unknown number of keys" when keys_left <
// 0.
std::string cleanup_sentence(const Cleanup& c, const std::string& key_prefix);

}  // namespace lh::reports
