#include "harness/scenarios/rate_limiter_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 18> kDetails = {{
    {"limit", "limit (admissions per window)"},
    {"window_ms", "window W (ms)"},
    {"clock", "clock that stamps requests", DetailType::string},
    {"keys", "keys"},
    {"admitted", "requests admitted"},
    {"limited", "requests limited"},
    {"indeterminate", "requests indeterminate"},
    {"failed", "requests failed"},
    {"lambda_ms", "λ: longest stamp-to-reply time (ms)"},
    {"lambda_basis", "how λ was found", DetailType::string},
    {"atomicity_window_ms", "atomicity window W - λ (ms)", DetailType::integer_or_null},
    {"overadmissions_in_atomicity_window", "over-admissions in the atomicity window"},
    {"reordering_overadmissions", "more over-admissions, explained by reordering"},
    {"overadmissions_in_full_window", "over-admissions in full windows"},
    {"max_admitted_in_full_window", "most admissions in one full window"},
    {"member_collisions", "admissions whose member collided"},
    {"note", "note", DetailType::string},
    {"ignored_events", "events of unknown keys (ignored)"},
}};

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

std::span<const DetailField> rate_limiter_details() { return kDetails; }

void RateLimiterState::fold(std::size_t k) const {
  auto& r = runs_[k];
  if (folded_[k] == r.size()) return;
  std::stable_sort(r.begin(), r.end(), [](const Run& x, const Run& y) { return x.stamp < y.stamp; });
  std::size_t out = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (out > 0 && r[out - 1].stamp == r[i].stamp) {
      r[out - 1].count += r[i].count;
    } else {
      r[out++] = r[i];
    }
  }
  r.resize(out);
  folded_[k] = out;
}

void RateLimiterState::add(const Event& e) {
  ++events_;
  if (e.key >= runs_.size()) {
    ++ignored_;
    return;
  }
  const Outcome o = e.result();
  if (o == Outcome::failed) {
    ++failed_;
    return;
  }
  if (o != Outcome::ok) {
    ++indeterminate_;  // may or may not have been admitted: never counted either way
    return;
  }
  const int64_t decision = e.b & 0xFFFFFFFF;
  if (decision == kRlLimited) {
    ++limited_;
    return;
  }
  ++admitted_;
  collided_ += decision == kRlCollided;
  const uint32_t stamped = static_cast<uint32_t>(static_cast<uint64_t>(e.b) >> 32);
  max_lat_us_ =
      std::max<int64_t>(max_lat_us_, static_cast<int64_t>(e.end_us) - (stamped ? stamped : e.start_us));
  min_stamp_ = std::min(min_stamp_, e.a);
  max_stamp_ = std::max(max_stamp_, e.a);
  auto& r = runs_[e.key];
  if (!r.empty() && r.back().stamp == e.a) {
    ++r.back().count;
    return;
  }
  r.push_back({e.a, 1, e.client, static_cast<uint32_t>(e.seq)});
  if (r.size() >= 2 * folded_[e.key] + 1024) fold(e.key);
}

void RateLimiterState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<RateLimiterState>(*this, other);
  if (o.runs_.size() != runs_.size())
    throw std::invalid_argument("cannot merge rate-limiter states of " + std::to_string(o.runs_.size()) +
                                " and " + std::to_string(runs_.size()) + " keys");
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    runs_[k].insert(runs_[k].end(), o.runs_[k].begin(), o.runs_[k].end());
    fold(k);
  }
  admitted_ += o.admitted_;
  limited_ += o.limited_;
  collided_ += o.collided_;
  indeterminate_ += o.indeterminate_;
  failed_ += o.failed_;
  ignored_ += o.ignored_;
  max_lat_us_ = std::max(max_lat_us_, o.max_lat_us_);
  min_stamp_ = std::min(min_stamp_, o.min_stamp_);
  max_stamp_ = std::max(max_stamp_, o.max_stamp_);
  events_ += o.events_;
}

nlohmann::json RateLimiterState::save() const {
  nlohmann::json keys = nlohmann::json::array();
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    fold(k);
    nlohmann::json runs = nlohmann::json::array();
    for (const Run& r : runs_[k]) runs.push_back({r.stamp, r.count, r.client, r.seq});
    keys.push_back(std::move(runs));
  }
  return {{"form", "rate-limiter"},
          {"keys", runs_.size()},
          {"events", events_},
          {"admitted", admitted_},
          {"limited", limited_},
          {"collided", collided_},
          {"indeterminate", indeterminate_},
          {"failed", failed_},
          {"ignored", ignored_},
          {"max_stamp_to_reply_us", max_lat_us_},
          {"min_stamp", admitted_ ? nlohmann::json(min_stamp_) : nlohmann::json(nullptr)},
          {"max_stamp", admitted_ ? nlohmann::json(max_stamp_) : nlohmann::json(nullptr)},
          {"admissions", std::move(keys)}};
}

void RateLimiterState::load(const nlohmann::json& j) {
  engine::expect_form(j, "rate-limiter");
  const auto& keys = engine::state_field(j, "admissions");
  if (!keys.is_array() || keys.size() != runs_.size())
    throw std::invalid_argument("check_state.admissions: not an array of " + std::to_string(runs_.size()) +
                                " keys");
  int64_t total = 0;
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    runs_[k].clear();
    for (const auto& r : keys[k]) {
      if (!r.is_array() || r.size() != 4 || !r[0].is_number_integer() || !r[1].is_number_unsigned() ||
          !r[2].is_number_unsigned() || !r[3].is_number_unsigned())
        throw std::invalid_argument("check_state.admissions: a run is [stamp, admissions, client, seq]");
      runs_[k].push_back(
          {r[0].get<int64_t>(), r[1].get<uint32_t>(), r[2].get<uint16_t>(), r[3].get<uint32_t>()});
      total += r[1].get<int64_t>();
    }
    folded_[k] = 0;
    fold(k);
  }
  admitted_ = support::load_int(j, "admitted");
  if (total != admitted_)
    throw std::invalid_argument("check_state.admissions: " + std::to_string(total) +
                                " admissions, but admitted " + std::to_string(admitted_));
  limited_ = support::load_int(j, "limited");
  collided_ = support::load_int(j, "collided");
  indeterminate_ = support::load_int(j, "indeterminate");
  failed_ = support::load_int(j, "failed");
  ignored_ = support::load_int(j, "ignored");
  max_lat_us_ = support::load_int(j, "max_stamp_to_reply_us");
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
  min_stamp_ = admitted_ ? support::load_int(j, "min_stamp") : INT64_MAX;
  max_stamp_ = admitted_ ? support::load_int(j, "max_stamp") : INT64_MIN;
}

std::size_t RateLimiterState::bytes() const {
  std::size_t b = runs_.capacity() * sizeof(std::vector<Run>);
  for (const auto& r : runs_) b += r.capacity() * sizeof(Run);
  return b;
}

// Let λ be the longest time between stamping an admitted request and its reply, plus the stamp's resolution
// (1 ms). Each request executes within λ of its own stamp, so the atomic script cannot admit more than L in
// any window of length W - λ: a trim by an earlier-executed request only removes stamps at least W - λ older
// than anything in that window. Over-admissions there are atomicity violations. The extra ones visible only
// in full windows of length W are real (the limiter let them through) but explained by requests reaching the
// server out of stamp order: reported as reordering_overadmissions, with λ. The server clock stamps at
// execution (λ = 0): its full-window count is the verdict.
reports::Correctness RateLimiterState::finish(int64_t limit, int64_t window_ms, bool server_clock,
                                              bool safe_by_design) const {
  const int64_t admitted = admitted_, limited = limited_, collided = collided_,
                indeterminate = indeterminate_, failed = failed_, ignored = ignored_;
  const int64_t lambda_ms = server_clock ? 0 : (max_lat_us_ + 999) / 1000 + 1;
  const int64_t short_ms = window_ms - lambda_ms;
  const bool span_fits = admitted == 0 || max_stamp_ - min_stamp_ < (int64_t(1) << 40);

  // One key at a time: its admitted stamps, sorted (expanded from the runs), offset from the lowest stamp.
  std::vector<uint64_t> group, kept;
  int64_t excess_short = 0, excess_full = 0, max_full = 0;
  std::vector<std::pair<std::size_t, const Run*>> culprit;  // (key, run) of the first excess admissions
  std::vector<uint64_t> firsts;
  for (std::size_t k = 0; k < runs_.size(); ++k) {
    fold(k);
    const auto& runs = runs_[k];
    if (runs.empty()) continue;
    group.clear();
    for (const Run& r : runs)
      group.insert(group.end(), r.count, static_cast<uint64_t>(span_fits ? r.stamp - min_stamp_ : 0));
    excess_full += overadmissions(group, window_ms, limit, kept);
    max_full = std::max(max_full, max_in_window(group, window_ms));
    if (short_ms >= 1) {
      firsts.clear();
      excess_short += overadmissions(group, short_ms, limit, kept, &firsts);
      for (uint64_t st : firsts) {
        if (culprit.size() >= support::kMaxExamples) break;
        const int64_t stamp = static_cast<int64_t>(st) + min_stamp_;
        const auto it = std::lower_bound(runs.begin(), runs.end(), stamp,
                                         [](const Run& r, int64_t v) { return r.stamp < v; });
        if (it != runs.end() && it->stamp == stamp) culprit.emplace_back(k, &*it);
      }
    }
  }

  reports::Correctness c;
  c.invariant = "per key, no window of the stated length holds more than " + std::to_string(limit) +
                " admitted requests, in the limiter's own timebase";
  c.safe_by_design = safe_by_design;
  c.details = {{"limit", limit},
               {"window_ms", window_ms},
               {"clock", server_clock ? "server" : "client"},
               {"keys", runs_.size()},
               {"admitted", admitted},
               {"limited", limited},
               {"indeterminate", indeterminate},
               {"failed", failed},
               {"lambda_ms", lambda_ms},
               {"lambda_basis", server_clock ? "server TIME stamps at execution: 0"
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

  // Evidence: the first admission of each excess one's stamp (its run's first admitted op).
  for (const auto& [key, run] : culprit) {
    const Run& r = *run;
    c.examples.push_back("key " + std::to_string(key) + ": client " + std::to_string(r.client) + " op " +
                         std::to_string(r.seq) + " admitted at now=" + std::to_string(r.stamp) +
                         " ms beyond the limit: more than " + std::to_string(limit) + " admissions within " +
                         std::to_string(short_ms) + " ms (W " + std::to_string(window_ms) + " - λ " +
                         std::to_string(lambda_ms) + ")");
  }
  if (excess_full > excess_short && c.examples.size() < support::kMaxExamples)
    c.examples.push_back(std::to_string(excess_full - excess_short) +
                         " more admissions beyond the limit in full " + std::to_string(window_ms) +
                         " ms windows, explained by requests reaching the server out of stamp order (λ " +
                         std::to_string(lambda_ms) + " ms)");
  return c;
}

reports::Correctness check_rate_limiter(const RateLimiterCheckInput& in) {
  RateLimiterState s(in.keys);
  for (const Event& e : in.history) s.add(e);
  return s.finish(in.limit, in.window_ms, in.server_clock, in.safe_by_design);
}

}  // namespace lh::scenarios
