// The rate limiter checker as it was before it streamed (7cfaa44), kept verbatim as the reference the
// streaming state must agree with (checker_state_test.cpp).
#include "reference_checkers.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios::reference {

namespace {

// Admissions beyond `limit` in windows (t - len, t] over one key's sorted stamps: the fewest admissions to
// remove so that no such window holds more than `limit` (keeping greedily in stamp order is optimal).
// `kept` is scratch. When `first_excess` is given, the stamps of the first few excess admissions go there.
int64_t overadmissions(std::span<const uint64_t> stamps, int64_t len, int64_t limit,
                       std::vector<uint64_t>& kept, std::vector<uint64_t>* first_excess = nullptr) {
  kept.clear();
  std::size_t head = 0;
  int64_t excess = 0;
  for (uint64_t s : stamps) {
    while (head < kept.size() && static_cast<int64_t>(kept[head]) <= static_cast<int64_t>(s) - len) ++head;
    if (static_cast<int64_t>(kept.size() - head) < limit) {
      kept.push_back(s);
    } else {
      ++excess;
      if (first_excess && first_excess->size() < support::kMaxExamples) first_excess->push_back(s);
    }
  }
  return excess;
}

// The most admissions any window (t - len, t] holds.
int64_t max_in_window(std::span<const uint64_t> stamps, int64_t len) {
  int64_t best = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    while (static_cast<int64_t>(stamps[j]) <= static_cast<int64_t>(stamps[i]) - len) ++j;
    best = std::max<int64_t>(best, static_cast<int64_t>(i - j + 1));
  }
  return best;
}

}  // namespace

// Let λ be the longest time between stamping an admitted request and its reply, plus the stamp's resolution
// (1 ms). Each request executes within λ of its own stamp, so the atomic script cannot admit more than L in
// any window of length W - λ: a trim by an earlier-executed request only removes stamps at least W - λ older
// than anything in that window. Over-admissions there are atomicity violations. The extra ones visible only
// in full windows of length W are real (the limiter let them through) but explained by requests reaching the
// server out of stamp order: reported as reordering_overadmissions, with λ. The server clock stamps at
// execution (λ = 0): its full-window count is the verdict.
reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in) {
  const auto& h = in.history;
  int64_t admitted = 0, limited = 0, collided = 0, indeterminate = 0, failed = 0, ignored = 0;
  int64_t max_lat_us = 0, min_stamp = INT64_MAX, max_stamp = INT64_MIN;
  for (const Event& e : h) {
    if (e.key >= in.keys) {
      ++ignored;
      continue;
    }
    const Outcome o = e.result();
    if (o == Outcome::failed) {
      ++failed;
      continue;
    }
    if (o != Outcome::ok) {
      ++indeterminate;  // may or may not have been admitted: never counted either way
      continue;
    }
    const int64_t decision = e.b & 0xFFFFFFFF;
    if (decision == kRlLimited) {
      ++limited;
      continue;
    }
    ++admitted;
    collided += decision == kRlCollided;
    const uint32_t stamped = static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32);
    max_lat_us =
        std::max<int64_t>(max_lat_us, static_cast<int64_t>(e.end_us) - (stamped ? stamped : e.start_us));
    min_stamp = std::min(min_stamp, e.a);
    max_stamp = std::max(max_stamp, e.a);
  }
  const int64_t lambda_ms = in.server_clock ? 0 : (max_lat_us + 999) / 1000 + 1;
  const int64_t short_ms = in.window_ms - lambda_ms;

  // Admitted stamps grouped by key and sorted: key << 40 | (stamp - min_stamp), radix-sorted.
  std::vector<uint64_t> v, scratch;
  v.reserve(static_cast<std::size_t>(admitted));
  const bool span_fits = admitted == 0 || max_stamp - min_stamp < (int64_t(1) << 40);
  for (const Event& e : h) {
    if (e.key >= in.keys || e.result() != Outcome::ok || (e.b & 0xFFFFFFFF) == kRlLimited) continue;
    v.push_back(static_cast<uint64_t>(e.key) << 40 | static_cast<uint64_t>(span_fits ? e.a - min_stamp : 0));
  }
  support::radix_sort(v, scratch, 0, 8);
  std::vector<uint64_t>& kept = scratch;  // free again after the sort
  int64_t excess_short = 0, excess_full = 0, max_full = 0;
  // (key, stamp offset) of the first excess admissions.
  std::vector<std::pair<uint16_t, uint64_t>> examples_at;
  std::vector<uint64_t> firsts;
  constexpr uint64_t mask = (uint64_t(1) << 40) - 1;
  for (std::size_t i = 0; i < v.size();) {
    const uint64_t key = v[i] >> 40;
    std::size_t j = i;
    while (j < v.size() && (v[j] >> 40) == key) v[j++] &= mask;
    const std::span<const uint64_t> group(v.data() + i, j - i);
    excess_full += overadmissions(group, in.window_ms, in.limit, kept);
    max_full = std::max(max_full, max_in_window(group, in.window_ms));
    if (short_ms >= 1) {
      firsts.clear();
      excess_short += overadmissions(group, short_ms, in.limit, kept, &firsts);
      for (uint64_t s : firsts)
        if (examples_at.size() < support::kMaxExamples)
          examples_at.emplace_back(static_cast<uint16_t>(key), s);
    }
    i = j;
  }

  reports::Correctness c;
  c.invariant = "per key, no window of the stated length holds more than " + std::to_string(in.limit) +
                " admitted requests, in the limiter's own timebase";
  c.safe_by_design = in.safe_by_design;
  c.details = {
      {"limit", in.limit},
      {"window_ms", in.window_ms},
      {"clock", in.server_clock ? "server" : "client"},
      {"keys", in.keys},
      {"admitted", admitted},
      {"limited", limited},
      {"indeterminate", indeterminate},
      {"failed", failed},
      {"lambda_ms", lambda_ms},
      {"lambda_basis", in.server_clock ? "server TIME stamps at execution: 0"
                                       : "longest stamp-to-reply time of an admitted request + 1 ms"},
      {"atomicity_window_ms", short_ms >= 1 ? nlohmann::json(short_ms) : nlohmann::json(nullptr)},
      {"overadmissions_in_atomicity_window", excess_short},
      {"reordering_overadmissions", std::max<int64_t>(0, excess_full - excess_short)},
      {"overadmissions_in_full_window", excess_full},
      {"max_admitted_in_full_window", max_full},
      {"member_collisions", collided}};
  if (short_ms < 1)
    c.details["note"] = "λ >= W: no window is short enough to prove atomicity; only full windows reported";
  if (!span_fits) c.details["note"] = "stamps span more than 2^40 ms: not checked";
  if (ignored) c.details["ignored_events"] = ignored;
  support::set_verdict(c, excess_short);
  if (!span_fits) {
    c.verdict = "not-checked";
    c.checked = false;
  }

  // Evidence: which requests were the excess ones, found back by key and stamp in one pass.
  std::vector<const Event*> culprit(examples_at.size(), nullptr);
  std::size_t missing = examples_at.size();
  for (const Event& e : h) {
    if (missing == 0) break;
    if (e.key >= in.keys || e.result() != Outcome::ok || (e.b & 0xFFFFFFFF) == kRlLimited) continue;
    for (std::size_t i = 0; i < examples_at.size(); ++i)
      if (!culprit[i] && examples_at[i].first == e.key &&
          static_cast<uint64_t>(e.a - min_stamp) == examples_at[i].second) {
        culprit[i] = &e;
        --missing;
        break;
      }
  }
  for (const Event* e : culprit) {
    if (!e) continue;
    c.examples.push_back("key " + std::to_string(e->key) + ": " + support::who(*e) +
                         " admitted at now=" + std::to_string(e->a) + " ms beyond the limit: more than " +
                         std::to_string(in.limit) + " admissions within " + std::to_string(short_ms) +
                         " ms (W " + std::to_string(in.window_ms) + " - λ " + std::to_string(lambda_ms) +
                         ")");
  }
  if (excess_full > excess_short && c.examples.size() < support::kMaxExamples)
    c.examples.push_back(std::to_string(excess_full - excess_short) +
                         " more admissions beyond the limit in full " + std::to_string(in.window_ms) +
                         " ms windows, explained by requests reaching the server out of stamp order (λ " +
                         std::to_string(lambda_ms) + " ms)");
  return c;
}

}  // namespace lh::scenarios::reference
