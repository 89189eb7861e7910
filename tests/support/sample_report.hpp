// A fixed, realistic Report for the writers' golden tests and the schema tests: counter and cas, each atomic
// (0 violations) and naive (lost updates / conflicting swaps), with per-second series, percentile curves,
// error examples on the atomic rows and three evaluated thresholds (two pass, `throughput>20000` fails on the
// naive rows, so verdict "fail", exit 1). Deterministic: the same bytes every build, so goldens stay stable.
#pragma once
#include "harness/model/report.hpp"

namespace lh::test {

reports::Report sample_report();

// One result row with every field filled, for tests that build their own reports.
reports::Result sample_result(const std::string& scenario, const std::string& variant,
                              double throughput_ops_s, int64_t p99_us, int64_t violations);

// A row where nothing could be concluded: a user whose ACL refuses EVALSHA, 0 of 258,960 ops ok, verdict
// "inconclusive" with its reason in words ("no op succeeded: NOPERM ... for 258,960 of 258,960 ops").
reports::Result inconclusive_result(const std::string& scenario, const std::string& variant);
extern const char* const kNopermReason;

// The sample's plan (counter, cas x atomic, naive) interrupted by SIGINT after counter: counter/atomic and
// counter/naive ran, cas/atomic and cas/naive are not_run (interrupted); exit 130.
reports::Report interrupted_report();

// The sample's plan aborted when the target was lost during cas/atomic: counter's two rows ran, cas/atomic's
// correctness is not-checked with the reason, cas/naive is not_run (aborted); cleanup could not ask the
// target (keys_left -1); a warning; exit 3.
reports::Report aborted_report();

// What a run writes when it ends before its load (error_report in harness/engine/runner.cpp): no result, no
// node reached, `error` with the message, exit 3.
reports::Report error_only_report();

// counter/atomic inconclusive (NOPERM) next to a clean counter/naive, open-loop fields and a warning; exit 1.
reports::Report inconclusive_report();

// 18 rows: six scenarios (counter, inventory, leaderboard, rate-limiter, lock, cas) x atomic, naive,
// transaction, each transaction row with a multi-second tail (p99 2.4 s, max 12 s) next to sub-millisecond
// atomic medians.
reports::Report many_rows_report();

// The sample with counter/atomic's 5th second empty (ops 0, p50/p99 0: nothing measured) and its last point a
// sliver (0.004 s holding 400 ops: 100,000 ops/s if drawn), and counter/naive's last point 0.6 s.
reports::Report gappy_report();

// A --workload run: entries "limiter" and "session-refresh-for-the-mobile-clients-in-eu-west" (both
// custom/evalsha) and the mix's "total" row (workload/mix).
reports::Report workload_report();

// `lua-harness capacity` that found an answer: 8 steps (doubling from 10,000, then bisecting), SLOs p99_ms<2,
// counter/atomic:p50_ms<=0.8 and error_rate<0.01, max_rate 45,000 limited by p99_ms<2.
reports::Report capacity_report();
// `lua-harness capacity` where even --rate-start 10,000 failed (p99_ms<2: 12): max_rate null.
reports::Report capacity_failed_report();

}  // namespace lh::test
