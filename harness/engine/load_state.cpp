#include "harness/engine/load_state.hpp"

#include <stdexcept>
#include <string>

namespace lh::engine {

namespace {

using nlohmann::json;

std::invalid_argument bad(std::string_view field, std::string_view what) {
  return std::invalid_argument("merge_state." + std::string(field) + ": " + std::string(what));
}

const json& field(const json& j, std::string_view name) {
  const auto it = j.find(name);
  if (it == j.end()) throw bad(name, "missing");
  return *it;
}

uint64_t count(const json& j, std::string_view name) {
  const auto& x = field(j, name);
  if (!x.is_number_unsigned()) throw bad(name, "not a count");
  return x.get<uint64_t>();
}

json save_histogram(const stats::Histogram& h) {
  const auto r = h.raw();
  json counts = json::array();
  for (const auto& [i, c] : r.counts) counts.push_back({i, c});
  return {{"total", r.total},   {"clamped", r.clamped}, {"min", r.min},    {"max", r.max},
          {"sum_hi", r.sum_hi}, {"sum_lo", r.sum_lo},   {"counts", counts}};
}

void load_histogram(const json& j, stats::Histogram& h, std::string_view name) {
  if (!j.is_object()) throw bad(name, "not an object");
  stats::Histogram::Raw r;
  try {
    r.total = count(j, "total");
    r.clamped = count(j, "clamped");
    const auto& mn = field(j, "min");
    const auto& mx = field(j, "max");
    if (!mn.is_number_integer() || !mx.is_number_integer()) throw bad(name, "min and max must be integers");
    r.min = mn.get<int64_t>();
    r.max = mx.get<int64_t>();
    r.sum_hi = count(j, "sum_hi");
    r.sum_lo = count(j, "sum_lo");
    for (const auto& c : field(j, "counts")) {
      if (!c.is_array() || c.size() != 2 || !c[0].is_number_unsigned() || !c[1].is_number_unsigned())
        throw bad(name, "counts are [index, count] pairs");
      r.counts.emplace_back(c[0].get<std::size_t>(), c[1].get<uint64_t>());
    }
    h.restore(r);
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    if (what.rfind("merge_state.", 0) == 0) throw;
    throw bad(name, what);
  }
}

}  // namespace

json save_load_result(const LoadResult& lr) {
  const Recorder& r = lr.merged;
  json errors = json::array(), first = json::array();
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    errors.push_back(r.errors[i]);
    first.push_back(r.first_error[i]);
  }
  json seconds = json::array();
  r.series.for_each_second([&](const stats::Histogram& s) { seconds.push_back(save_histogram(s)); });
  return {{"ok", r.ok},
          {"failed", r.failed},
          {"indeterminate", r.indeterminate},
          {"retries", r.retries},
          {"commands", r.commands},
          {"errors", std::move(errors)},
          {"first_error", std::move(first)},
          {"latency", save_histogram(r.latency_us)},
          {"uncorrected_latency", save_histogram(r.uncorrected_latency_us)},
          {"series", std::move(seconds)},
          {"measured_s", lr.measured_s},
          {"series_end_s", lr.series_end_s},
          {"scheduled", lr.scheduled},
          {"dropped", lr.dropped},
          {"pipeline", lr.pipeline},
          {"interrupted", lr.interrupted},
          {"connect_failures", lr.connect_failures},
          {"origin_unix_us", lr.origin_unix_us},
          {"check_state", r.check ? r.check->save() : json(nullptr)}};
}

LoadResult load_load_result(const json& j, const VariantRun& variant) {
  if (!j.is_object()) throw std::invalid_argument("merge_state: not an object");
  LoadResult lr;
  Recorder& r = lr.merged;
  r.ok = count(j, "ok");
  r.failed = count(j, "failed");
  r.indeterminate = count(j, "indeterminate");
  r.retries = count(j, "retries");
  r.commands = count(j, "commands");
  const auto& errors = field(j, "errors");
  const auto& first = field(j, "first_error");
  if (!errors.is_array() || errors.size() != r.errors.size() || !first.is_array() ||
      first.size() != r.errors.size())
    throw bad("errors", "not one count and one message per error class");
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    if (!errors[i].is_number_unsigned() || !first[i].is_string())
      throw bad("errors", "not counts and messages");
    r.errors[i] = errors[i].get<uint64_t>();
    r.first_error[i] = first[i].get<std::string>();
  }
  load_histogram(field(j, "latency"), r.latency_us, "latency");
  load_histogram(field(j, "uncorrected_latency"), r.uncorrected_latency_us, "uncorrected_latency");
  for (const auto& s : field(j, "series")) {
    stats::Histogram second = stats::Series::second_layout();
    load_histogram(s, second, "series");
    r.series.append(second);
  }
  auto number = [&](std::string_view name) {
    const auto& x = field(j, name);
    if (!x.is_number()) throw bad(name, "not a number");
    return x.get<double>();
  };
  lr.measured_s = number("measured_s");
  lr.series_end_s = number("series_end_s");
  lr.scheduled = count(j, "scheduled");
  lr.dropped = count(j, "dropped");
  lr.pipeline = static_cast<uint32_t>(count(j, "pipeline"));
  lr.connect_failures = count(j, "connect_failures");
  const auto& interrupted = field(j, "interrupted");
  if (!interrupted.is_boolean()) throw bad("interrupted", "not a boolean");
  lr.interrupted = interrupted.get<bool>();
  const auto& origin = field(j, "origin_unix_us");
  if (!origin.is_number_integer()) throw bad("origin_unix_us", "not an integer");
  lr.origin_unix_us = origin.get<int64_t>();
  r.check = variant.new_state();
  r.check->load(field(j, "check_state"));
  return lr;
}

void merge_load_result(LoadResult& into, const LoadResult& from) {
  into.merged.merge(from.merged);
  into.measured_s = std::max(into.measured_s, from.measured_s);
  into.series_end_s = std::max(into.series_end_s, from.series_end_s);
  into.scheduled += from.scheduled;
  into.dropped += from.dropped;
  into.pipeline = std::max(into.pipeline, from.pipeline);
  into.interrupted = into.interrupted || from.interrupted;
  into.connect_failures += from.connect_failures;
  if (into.last_connect_error.empty()) into.last_connect_error = from.last_connect_error;
  into.origin_unix_us = std::min(into.origin_unix_us, from.origin_unix_us);
}

}  // namespace lh::engine
