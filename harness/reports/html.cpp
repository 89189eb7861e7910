#include "harness/reports/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "harness/reports/console.hpp"
#include "harness/reports/format.hpp"
#include "harness/reports/svg.hpp"
#include "harness/reports/thresholds.hpp"
#include "harness/reports/xml.hpp"
#include "harness/scenarios/scenario.hpp"
#include "harness/util/strcat.hpp"

namespace lh::reports {

namespace {

const char* kStyle = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#ffffff;--panel:#f9fafb;--pass:#15803d;--fail:#b91c1c;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:20px 28px 40px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:12px 18px;border-bottom:1px solid var(--line);padding-bottom:12px}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:28px 0 10px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:700;font-size:13px;letter-spacing:.04em;color:#fff}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}
.facts{color:var(--muted);margin:0;flex-basis:100%}
.warn{color:var(--warn);font-weight:600}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right}
table.config th{width:16%;background:none}
table.config td{width:34%}
tr.bad td{background:#fef2f2}
.v-pass{color:var(--pass);font-weight:600}.v-bad{color:var(--fail);font-weight:700}.v-expected{color:var(--warn)}.v-none{color:var(--muted)}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--panel);padding:1px 4px;border-radius:4px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
@media (max-width:1000px){.charts{grid-template-columns:1fr}}
.pair{display:flex;flex-direction:column;gap:16px;min-width:0}
figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px 4px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:2px}
figcaption .rows{font-weight:normal;color:var(--muted)}
svg{width:100%;min-width:480px;height:auto;display:block;font-size:11px}
svg .grid line{stroke:#e5e7eb;stroke-width:1}
svg .axis line{stroke:#9ca3af;stroke-width:1}
svg .xlabel,svg .xtitle{text-anchor:middle;fill:#4b5563}
svg .ylabel{text-anchor:end;fill:#4b5563}
svg .ytitle,svg .xtitle{fill:#374151;font-weight:600}
svg .ytitle{text-anchor:start}
svg .barlabel,svg .barvalue{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:11px}
svg .barlabel{text-anchor:end;fill:#111827}
svg .barvalue{text-anchor:start;fill:#374151}
svg polyline{stroke-width:2;stroke-linejoin:round}
svg .legend text{fill:#374151}
svg .rule line{stroke-dasharray:6 4;stroke-width:1.5}
svg .rule.slo line{stroke:#b91c1c}svg .rule.slo text{fill:#b91c1c;font-weight:600}
svg .rule.max-rate line{stroke:#15803d}svg .rule.max-rate text{fill:#15803d;font-weight:600}
.capacity-answer{font-size:16px}
table.capacity{margin-bottom:12px}
tr.failed td{background:#fef2f2}
.note{color:var(--muted);font-size:13px;margin:4px 0 0}
details{margin:6px 0;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
summary{cursor:pointer;font-weight:600}
table.checker-details{width:auto;min-width:30%;margin:6px 0}
table.checker-details th{background:none;font-weight:normal;color:var(--muted)}
details.raw{border:none;padding:0;margin:2px 0}
details.raw summary{font-weight:normal;color:var(--muted)}
pre{white-space:pre-wrap;word-break:break-word;font:12px ui-monospace,Menlo,Consolas,monospace;margin:6px 0}
footer{color:var(--muted);margin-top:32px;font-size:12px}
@media print{.charts{grid-template-columns:1fr 1fr}main{max-width:none}}
)css";

std::string esc(const std::string& s) { return xml_escape(s); }

const char* const kPalette[] = {"#2563eb", "#dc2626", "#7c3aed", "#059669", "#d97706", "#0891b2",
                                "#4d7c0f", "#be185d", "#475569", "#9333ea", "#0d9488", "#ca8a04"};

std::string variant_color(const std::string& variant) {
  if (variant == "atomic") return kPalette[0];
  if (variant == "naive") return kPalette[1];
  if (variant == "transaction") return kPalette[2];
  if (variant == "gt") return kPalette[3];
  if (variant == "eval") return kPalette[4];
  size_t h = std::hash<std::string>{}(variant);
  return kPalette[5 + h % 4];
}

// A chart's lines in distinct colours: each keeps its variant's colour unless an earlier line of the chart
// has it (two workload entries of one variant), then it takes the first palette colour no line has.
void distinct_colors(std::vector<svg::Line>& lines) {
  std::set<std::string> used;
  for (auto& l : lines) {
    if (used.count(l.color))
      for (const char* c : kPalette)
        if (!used.count(c)) {
          l.color = c;
          break;
        }
    used.insert(l.color);
  }
}

// The row as charts and headings name it: "SCENARIO/VARIANT"; a workload entry by its name, with its
// scenario/variant ("limiter (custom/evalsha)"); the workload's total row "total".
std::string row_label(const Result& x) {
  if (x.name.empty()) return row_name(x);
  if (x.name == "total") return "total";
  return x.name + " (" + x.scenario + "/" + x.variant + ")";
}

// The per-scenario charts group rows by scenario, and a workload's rows (entries and total) into one chart,
// where each line is named by its row; in a scenario's chart, by its variant.
std::string chart_group(const Result& x) { return x.name.empty() ? x.scenario : "workload"; }
std::string line_label(const Result& x) { return x.name.empty() ? x.variant : row_label(x); }

std::vector<std::string> groups_of(const Report& r) {
  std::vector<std::string> out;
  for (const auto& x : r.results)
    if (std::find(out.begin(), out.end(), chart_group(x)) == out.end()) out.push_back(chart_group(x));
  return out;
}

std::string joined_labels(const std::vector<svg::Line>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : ", ") + l.label;
  return s;
}

// What a bar chart plots, for its heading: "counter (atomic, naive), cas (atomic, naive)"; a workload's rows
// by their labels.
std::string bar_rows(const std::vector<const Result*>& rows) {
  struct Group {
    std::string name, labels;
    bool workload;
  };
  std::vector<Group> groups;
  for (const Result* x : rows) {
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == chart_group(*x); });
    if (it == groups.end()) it = groups.insert(groups.end(), {chart_group(*x), "", !x->name.empty()});
    it->labels += (it->labels.empty() ? "" : ", ") + line_label(*x);
  }
  std::string s;
  for (const auto& g : groups)
    s += (s.empty() ? "" : ", ") + (g.workload ? g.labels : g.name + " (" + g.labels + ")");
  return s;
}

// A latency tick in the unit that reads best: "200 µs", "1 ms", "50 ms", "2 s" (ticks are 1-2-5 values).
std::string latency_label(double ms) {
  if (ms < 1) return compact_number(std::round(ms * 1e6) / 1e3) + " \xC2\xB5s";
  if (ms < 1000) return compact_number(std::round(ms * 1e3) / 1e3) + " ms";
  return compact_number(std::round(ms) / 1e3) + " s";
}

// An ops/s tick: "0", "500", "12.5k", "1.2M" (short enough for the y labels' column).
std::string rate_label(double v) {
  if (v >= 1e6) return compact_number(std::round(v / 1e4) / 1e2) + "M";
  if (v >= 1e3) return compact_number(std::round(v / 10) / 1e2) + "k";
  return compact_number(v);
}

// "99.9%" for the decade k of 1/(1-p): 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9%.
std::string decade_label(int k) {
  if (k == 0) return "0%";
  if (k == 1) return "90%";
  return "99" + (k > 2 ? "." + std::string(static_cast<size_t>(k - 2), '9') : std::string()) + "%";
}

std::string percentile_text(double p) {
  std::string s = compact_number(std::round(p * 10000) / 10000);
  return s + "%";
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Latency on a log y axis: a transaction variant's multi-second tail and an atomic variant's 300 us median
// are both readable on one chart.
std::string percentile_chart(const Report& r, const std::string& group) {
  constexpr double kHundred = 100.0;
  double max_x = 0, min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  for (const auto& x : r.results) {
    if (chart_group(x) != group) continue;
    for (const auto& p : x.percentile_curve) {
      if (p.percentile < kHundred) max_x = std::max(max_x, std::log10(kHundred / (kHundred - p.percentile)));
      const double ms = static_cast<double>(p.value_us) / 1000.0;
      max_ms = std::max(max_ms, ms);
      if (ms > 0) min_ms = std::min(min_ms, ms);
    }
  }
  int decades = std::max(2, static_cast<int>(std::ceil(max_x + 1e-9)));
  svg::LineChart c;
  c.css_class = "chart chart-percentile";
  c.caption = group + ": latency by percentile";
  c.x.min = 0;
  c.x.max = decades;
  c.x.title = "percentile (log scale of 1/(1-p))";
  for (int k = 0; k <= decades; ++k) c.x.ticks.push_back({static_cast<double>(k), decade_label(k)});
  c.y = svg::log_axis(min_ms, max_ms, "latency (log scale)", latency_label);
  for (const auto& x : r.results) {
    if (chart_group(x) != group || x.percentile_curve.empty()) continue;
    svg::Line l{line_label(x), variant_color(x.variant), {}};
    for (const auto& p : x.percentile_curve) {
      double px = p.percentile >= kHundred ? decades : std::log10(kHundred / (kHundred - p.percentile));
      double ms = static_cast<double>(p.value_us) / 1000.0;
      l.points.push_back(
          {std::min(px, static_cast<double>(decades)), ms,
           percentile_text(p.percentile) + ": " + us_as_ms(static_cast<double>(p.value_us)) + " ms"});
    }
    c.lines.push_back(std::move(l));
  }
  if (c.lines.empty()) return "";
  distinct_colors(c.lines);
  c.rows = joined_labels(c.lines);
  return svg::line_chart(c);
}

// A partial last second shorter than this is left out of both per-second charts: it holds only the ops in
// flight when the load stopped, so ops / span_s over a few milliseconds reads as a spike (one op 5 us after
// the end would be 200,000 ops/s) or, with no op, a dip to 0, and its p99 is that of a handful of ops, drawn
// a hair right of the last whole second as a vertical tick. From half a second on, ops / span_s is a fair
// rate and its p99 a fair sample: both are drawn. The ops left out still count in every total.
constexpr double kMinSpanS = 0.5;

// 0.301074 -> "0.301", 0.0002 -> "0.0002": three significant digits, no exponent.
std::string span_label(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", s);
  std::string t = buf;
  return t.find('e') == std::string::npos ? t : fixed(s, 6);
}

// "a, b, c", or the first `max` and "and N more".
std::string first_few(const std::vector<std::string>& items, size_t max = 6) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < max; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > max) s += lh::cat(" and ", items.size() - max, " more");
  return s;
}

// Throughput and p99 per second of a scenario's rows, stacked one above the other on the same x axis (the
// same seconds, the same plot area), so a second lines up between them. A point is drawn at the time its
// second ends; a partial last second (span_s < 1: the run ended mid-second) ends at second + span_s and plots
// its rate, ops / span_s, and its p99 when it covers at least kMinSpanS, and is left out of both otherwise. A
// second in which no op completed has no p99 (the series holds 0, "nothing measured"): the line breaks there.
std::string series_pair(const Report& r, const std::string& group) {
  double max_s = 1, max_rate = 0, min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  svg::LineChart tp, lat;
  std::vector<std::string> partial, left_out, gaps;
  for (const auto& x : r.results) {
    if (chart_group(x) != group || x.series.empty()) continue;
    const std::string label = line_label(x);
    svg::Line lt{label, variant_color(x.variant), {}};
    svg::Line ll = lt;
    for (const auto& p : x.series) {
      const double span = p.span_s > 0 && p.span_s < 1 ? p.span_s : 1.0;  // absent or out of range: whole
      if (span < kMinSpanS) {
        left_out.push_back(lh::cat(label, "'s last ", span_label(span), " s (", with_commas(p.ops), " ops)"));
        continue;
      }
      const double end = static_cast<double>(p.second) + span;
      max_s = std::max(max_s, end);
      std::string when = lh::cat("second ", p.second + 1);
      if (span < 1) when += lh::cat(" (its first ", span_label(span), " s)");
      const double rate = static_cast<double>(p.ops) / span;
      max_rate = std::max(max_rate, rate);
      std::string title = when + ": " + with_commas(static_cast<uint64_t>(std::llround(rate))) + " ops/s";
      if (span < 1) {
        title += lh::cat(" (", with_commas(p.ops), " ops)");
        partial.push_back(lh::cat(label, " (", span_label(span), " s)"));
      }
      lt.points.push_back({end, rate, std::move(title)});  // "ops done by t"
      if (p.ops == 0) {
        ll.points.push_back({end, kNan, ""});
        gaps.push_back(lh::cat(label, " second ", p.second + 1));
        continue;
      }
      const double ms = static_cast<double>(p.p99_us) / 1000.0;
      max_ms = std::max(max_ms, ms);
      if (ms > 0) min_ms = std::min(min_ms, ms);
      ll.points.push_back({end, ms, when + ": " + us_as_ms(static_cast<double>(p.p99_us)) + " ms p99"});
    }
    if (lt.points.empty()) continue;  // only a sliver: nothing to draw, and no legend entry for it
    tp.lines.push_back(std::move(lt));
    lat.lines.push_back(std::move(ll));
  }
  if (tp.lines.empty()) return "";
  distinct_colors(tp.lines);
  distinct_colors(lat.lines);
  tp.x = lat.x =
      svg::nice_linear_axis(max_s, "seconds into the run", [](double v) { return compact_number(v); });
  tp.y = svg::nice_linear_axis(max_rate, "ops/s", rate_label);
  lat.y = svg::log_axis(min_ms, max_ms, "p99 latency (log scale)", latency_label);
  tp.css_class = "chart chart-series chart-throughput";
  lat.css_class = "chart chart-series chart-p99";
  tp.caption = group + ": throughput per second";
  lat.caption = group + ": p99 latency per second";
  tp.rows = lat.rows = joined_labels(tp.lines);
  if (!partial.empty())
    tp.notes.push_back("The run ended mid-second: a last second covering " + span_label(kMinSpanS) +
                       " s or more is drawn as ops / its span at the time it ends: " + first_few(partial) +
                       ".");
  if (!left_out.empty()) {
    const std::string note =
        "Left out of both charts, under " + span_label(kMinSpanS) +
        " s (the ops in flight when the load stopped; ops / span would be a spike): " + first_few(left_out) +
        ".";
    tp.notes.push_back(note);
    lat.notes.push_back(note);
  }
  if (!gaps.empty())
    lat.notes.push_back("No op completed in " + first_few(gaps) +
                        ": no p99 was measured there, so the line breaks (a gap, not a 0).");
  return "<div class=\"pair\">" + svg::line_chart(tp) + svg::line_chart(lat) + "</div>\n";
}

std::string violations_chart(const Report& r) {
  std::vector<svg::Bar> bars;
  std::vector<const Result*> rows;
  for (const auto& x : r.results) {
    if (!x.correctness.checked) continue;
    double v = static_cast<double>(std::max<int64_t>(0, x.correctness.violations));
    bars.push_back({chart_group(x), x.variant, row_label(x), variant_color(x.variant), v,
                    with_commas(static_cast<uint64_t>(v))});
    rows.push_back(&x);
  }
  if (bars.empty()) return "";
  return svg::bar_chart("chart chart-violations", "Violations found by each scenario's checker",
                        bar_rows(rows), "violations", bars, rate_label);
}

// The price of each variant: completed ops per second, side by side with the violations it allowed.
std::string throughput_bars(const Report& r) {
  std::vector<svg::Bar> bars;
  std::vector<const Result*> rows;
  for (const auto& x : r.results) {
    bars.push_back({chart_group(x), x.variant, row_label(x), variant_color(x.variant), x.throughput_ops_s,
                    ops_per_s(x.throughput_ops_s)});
    rows.push_back(&x);
  }
  if (bars.empty()) return "";
  return svg::bar_chart("chart chart-throughput-bars", "Throughput of each variant", bar_rows(rows), "ops/s",
                        bars, rate_label);
}

// A latency SLO of `lua-harness capacity` (`p99_ms<2`, `limiter:p50_ms<=1.5`): the line the curve is judged
// against. Other SLOs (error_rate<0.01) have no place on a latency axis.
struct LatencySlo {
  std::string text;
  std::string percentile;  // "p99"
  double ms = 0;
};

// The SLOs a latency line can show: a percentile held under a bound (the threshold grammar's p50/p90/p99/p999_ms
// with < or <=, any scope).
std::vector<LatencySlo> latency_slos(const std::vector<std::string>& slos) {
  std::vector<LatencySlo> out;
  for (const auto& s : slos) {
    ThresholdSpec spec;
    try {
      spec = parse_threshold(s);
    } catch (const std::invalid_argument&) {
      continue;  // a report from elsewhere: not a line to draw
    }
    const bool percentile = spec.metric == "p50_ms" || spec.metric == "p90_ms" || spec.metric == "p99_ms" ||
                            spec.metric == "p999_ms";
    if (percentile && (spec.op == "<" || spec.op == "<=") && spec.number >= 0)
      out.push_back({s, spec.metric.substr(0, spec.metric.size() - 3), spec.number});
  }
  return out;
}

std::string ms_text(double ms) { return us_as_ms(ms * 1000.0); }

std::string share_text(double share) {
  if (share <= 0) return "0 %";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g %%", share * 100);
  return buf;
}

// The latency-throughput curve: p50 and p99 against the achieved rate, steps sorted by it, a step that met
// every SLO filled and one that failed hollow, a dashed line per latency SLO, a vertical one at the answer.
std::string capacity_curve(const Capacity& c) {
  std::vector<const CapacityStep*> steps;
  for (const auto& s : c.steps) steps.push_back(&s);
  if (steps.empty()) return "";
  std::stable_sort(steps.begin(), steps.end(),
                   [](const CapacityStep* a, const CapacityStep* b) { return a->achieved < b->achieved; });
  const std::vector<LatencySlo> slos = latency_slos(c.slos);
  double max_x = c.max_rate.value_or(0), min_ms = std::numeric_limits<double>::infinity(), max_ms = 0;
  auto see_ms = [&](double ms) {
    if (!(ms > 0)) return;
    min_ms = std::min(min_ms, ms);
    max_ms = std::max(max_ms, ms);
  };
  svg::LineChart ch;
  ch.css_class = "chart chart-capacity";
  ch.caption = "Latency against throughput, one point per step";
  ch.marker_legend = true;
  svg::Line p50{"p50", "#2563eb", {}}, p99{"p99", "#7c3aed", {}};
  for (const CapacityStep* s : steps) {
    max_x = std::max(max_x, s->achieved);
    see_ms(s->p50_ms);
    see_ms(s->p99_ms);
    const std::string at = "at " + ops_per_s(s->achieved) + " ops/s (target " + ops_per_s(s->rate) + "): ";
    const char* verdict = s->met ? " ms (met)" : " ms (failed)";
    // 0 ms: the step measured nothing (no op succeeded): no point.
    p50.points.push_back(
        {s->achieved, s->p50_ms > 0 ? s->p50_ms : kNan, lh::cat(at, ms_text(s->p50_ms), verdict), !s->met});
    p99.points.push_back(
        {s->achieved, s->p99_ms > 0 ? s->p99_ms : kNan, lh::cat(at, ms_text(s->p99_ms), verdict), !s->met});
  }
  for (const auto& s : slos) see_ms(s.ms);
  ch.lines = {p50, p99};
  ch.rows = "p50, p99";
  ch.x = svg::nice_linear_axis(max_x, "achieved, ops/s", rate_label);
  ch.y = svg::log_axis(min_ms, max_ms, "latency (log scale)", latency_label);
  for (const auto& s : slos) ch.rules.push_back({false, s.ms, s.text, "slo"});
  if (c.max_rate)
    ch.rules.push_back({true, *c.max_rate, "max " + ops_per_s(*c.max_rate) + " ops/s", "max-rate"});
  ch.notes.push_back("Filled points met every SLO, hollow ones failed; dashed lines: the latency SLOs" +
                     std::string(c.max_rate ? " and the highest rate that met them" : "") +
                     ". Steps sorted by achieved rate.");
  return svg::line_chart(ch);
}

void capacity_section(std::ostringstream& h, const Capacity& c) {
  h << "<h2>Capacity</h2>\n<p class=\"capacity-answer " << (c.max_rate ? "v-pass" : "v-bad") << "\">"
    << esc(capacity_sentence(c)) << "</p>\n";
  std::string slos;
  for (const auto& s : c.slos) slos += (slos.empty() ? "" : ", ") + s;
  h << "<p class=\"note\">SLOs: " << esc(slos.empty() ? "-" : slos) << " &middot; rates "
    << ops_per_s(c.rate_start) << " to " << ops_per_s(c.rate_max) << " ops/s, precision "
    << esc(compact_number(c.precision * 100)) << " % &middot; each step "
    << esc(compact_number(c.step_duration_s)) << " s after " << esc(compact_number(c.step_warmup_s))
    << " s of warmup</p>\n";
  h << "<table class=\"capacity\"><thead><tr><th class=\"num\">step</th><th class=\"num\">target ops/s</th>"
       "<th class=\"num\">achieved ops/s</th><th class=\"num\">p50 ms</th><th class=\"num\">p99 ms</th>"
       "<th class=\"num\">error rate</th><th class=\"num\">dropped</th><th class=\"num\">violations</th>"
       "<th>met</th><th>why it failed</th></tr></thead><tbody>";
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const CapacityStep& s = c.steps[i];
    std::string why;
    for (const auto& f : s.failed) why += (why.empty() ? "" : "; ") + f;
    h << "<tr" << (s.met ? "" : " class=\"failed\"") << "><td class=\"num\">" << i + 1
      << "</td><td class=\"num\">" << ops_per_s(s.rate) << "</td><td class=\"num\">" << ops_per_s(s.achieved)
      << "</td><td class=\"num\">" << ms_text(s.p50_ms) << "</td><td class=\"num\">" << ms_text(s.p99_ms)
      << "</td><td class=\"num\">" << share_text(s.error_rate) << "</td><td class=\"num\">"
      << with_commas(s.dropped) << "</td><td class=\"num\">"
      << with_commas(static_cast<uint64_t>(std::max<int64_t>(0, s.violations))) << "</td><td class=\""
      << (s.met ? "v-pass\">\xE2\x9C\x93" : "v-bad\">\xE2\x9C\x97") << "</td><td>" << esc(why)
      << "</td></tr>";
  }
  h << "</tbody></table>\n<div class=\"charts\">" << capacity_curve(c) << "</div>\n";
}

void results_table(std::ostringstream& h, const Report& r) {
  const bool named =
      std::any_of(r.results.begin(), r.results.end(), [](const Result& x) { return !x.name.empty(); });
  h << "<table class=\"results\"><thead><tr>" << (named ? "<th>name</th>" : "")
    << "<th>scenario</th><th>variant</th><th class=\"num\">ops/s</th>"
       "<th class=\"num\">p50 ms</th><th class=\"num\">p99 ms</th><th class=\"num\">p99.9 ms</th>"
       "<th class=\"num\">ok / failed / indet</th><th "
       "class=\"num\">violations</th><th>verdict</th></tr></thead><tbody>";
  for (const auto& x : r.results) {
    std::string verdict = row_verdict(x);
    std::string cls = verdict == "pass"          ? "v-pass"
                      : fails_run(x)             ? "v-bad"
                      : verdict == "not checked" ? "v-none"
                                                 : "v-expected";
    h << "<tr" << (fails_run(x) ? " class=\"bad\"" : "") << ">";
    if (named) h << "<td>" << esc(x.name) << "</td>";
    h << "<td>" << esc(x.scenario)
      << "</td><td><span class=\"swatch\" style=\"background:" << variant_color(x.variant) << "\"></span>"
      << esc(x.variant) << "</td><td class=\"num\">" << ops_per_s(x.throughput_ops_s)
      << "</td><td class=\"num\">" << us_as_ms(static_cast<double>(x.latency_us.p50))
      << "</td><td class=\"num\">" << us_as_ms(static_cast<double>(x.latency_us.p99))
      << "</td><td class=\"num\">" << us_as_ms(static_cast<double>(x.latency_us.p999))
      << "</td><td class=\"num\">" << with_commas(x.ops_ok) << " / " << with_commas(x.ops_failed) << " / "
      << with_commas(x.ops_indeterminate) << "</td><td class=\"num\">"
      << (x.correctness.checked
              ? with_commas(static_cast<uint64_t>(std::max<int64_t>(0, x.correctness.violations)))
              : "-")
      << "</td><td class=\"" << cls << "\">" << esc(verdict) << "</td></tr>";
  }
  h << "</tbody></table>\n";
  for (const auto& x : r.results)
    if (is_inconclusive(x))
      h << "<p class=\"inconclusive v-bad\">" << esc(row_label(x))
        << " is inconclusive (it fails the run): " << esc(verdict_reason(x)) << "</p>\n";
  if (!r.not_run.empty()) {
    h << "<p class=\"not-run-title\"><b>Not run:</b></p><ul class=\"not-run\">";
    for (const auto& n : r.not_run)
      h << "<li class=\"" << (n.interrupted ? "v-expected" : "v-bad") << "\">" << esc(not_run_sentence(n))
        << "</li>";
    h << "</ul>\n";
  }
  h << "<p class=\"note\">A naive variant's violations are the expected demonstration of the race, not a "
       "failure; "
       "a violation in an atomic or transaction variant is.</p>\n";
}

void thresholds_table(std::ostringstream& h, const Report& r) {
  if (r.thresholds.empty()) return;
  h << "<h2>Thresholds</h2><table class=\"thresholds\"><thead><tr><th></th><th>threshold</th><th>scope</th>"
       "<th class=\"num\">value</th><th>decided by</th></tr></thead><tbody>";
  for (const auto& t : r.thresholds)
    h << "<tr" << (t.ok ? "" : " class=\"bad\"") << "><td class=\""
      << (t.ok ? "v-pass\">PASS" : "v-bad\">FAIL") << "</td><td><code>" << esc(t.expr) << "</code></td><td>"
      << esc(t.scope) << "</td><td class=\"num\">" << esc(compact_number(t.value)) << "</td><td>"
      << esc(t.detail) << "</td></tr>";
  h << "</tbody></table>\n";
}

template <class T>
std::string opt_text(const std::optional<T>& v, const std::string& none) {
  return v ? compact_number(static_cast<double>(*v)) : none;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "-" : s;
}

void config_table(std::ostringstream& h, const Report& r) {
  const Config& c = r.config;
  std::vector<std::pair<std::string, std::string>> rows = {
      {"target", r.target.mode + (r.target.embedded ? " (embedded)" : "")},
      {"nodes", joined(r.target.nodes)},
      {"Redis version", r.target.redis_version.empty() ? "-" : r.target.redis_version},
      {"clients", std::to_string(c.clients)},
      {"threads", std::to_string(c.threads)},
      {"pipeline", std::to_string(c.pipeline)},
      {"duration per variant", c.requests ? "-" : compact_number(c.duration_s) + " s"},
      {"requests per variant", opt_text(c.requests, "-")},
      {"rate", c.rate ? compact_number(*c.rate) + " ops/s (open loop)" : "closed loop"},
      {"keys", opt_text(c.keys, "scenario default")},
      {"warmup", compact_number(c.warmup_s) + " s"},
      {"think time", compact_number(c.think_time_ms) + " ms"},
      {"seed", std::to_string(c.seed)},
      {"key prefix", c.key_prefix.empty() ? "-" : c.key_prefix},
      {"scenarios", joined(c.scenarios)},
      {"variants", joined(c.variants)},
      {"started", r.started_at},
      {"finished", r.finished_at},
      {"lua-harness", r.tool_version},
  };
  if (!c.workload.empty()) rows.push_back({"workload", c.workload});
  if (!c.stages.empty()) {
    std::string st;
    for (const auto& g : c.stages)
      st += (st.empty() ? "" : ", ") + compact_number(g.duration_s) + " s to " + ops_per_s(g.rate) + " ops/s";
    rows.push_back({"stages", st});
  }
  if (!c.script.empty())
    rows.push_back({"script", c.script + (c.eval ? " (EVAL every call)" : " (EVALSHA)")});
  if (r.target.mode == "cluster")
    rows.push_back({"failover detected", r.target.failover_detected ? "yes" : "no"});
  if (r.target.tls)
    rows.push_back(
        {"TLS", r.target.tls_verified ? "yes, certificate verified" : "yes, NOT verified (--tls-insecure)"});
  if (!r.target.nodes_at_end.empty()) rows.push_back({"masters at the end", joined(r.target.nodes_at_end)});
  // Two settings per line: the table stays short enough to take in at a glance.
  h << "<h2>Configuration</h2><table class=\"config\"><tbody>";
  for (size_t i = 0; i < rows.size(); i += 2) {
    h << "<tr>";
    for (size_t k = i; k < i + 2; ++k)
      if (k < rows.size()) h << "<th>" << esc(rows[k].first) << "</th><td>" << esc(rows[k].second) << "</td>";
      else h << "<th></th><td></td>";
    h << "</tr>";
  }
  h << "</tbody></table>\n";
}

// One value of correctness.details for people: integers with thousands separators, other numbers in their
// shortest form, strings as they are, anything else as compact JSON.
std::string detail_value(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return with_commas(v.get<uint64_t>());
  if (v.is_number_integer()) {
    const int64_t n = v.get<int64_t>();
    return n < 0 ? "-" + with_commas(static_cast<uint64_t>(-(n + 1)) + 1)
                 : with_commas(static_cast<uint64_t>(n));
  }
  if (v.is_number_float()) return compact_number(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The checker's details in the scenario's own words and order (Scenario::detail_labels), then every key it
// does not label under its JSON name (a newer checker's, or a report of a scenario this build does not know),
// so nothing in the report is hidden; the JSON itself stays one click away.
void checker_details(std::ostringstream& h, const Result& x) {
  const nlohmann::json& d = x.correctness.details;
  if (d.empty()) return;
  if (d.is_object()) {
    std::vector<std::pair<std::string, const nlohmann::json*>> rows;
    std::set<std::string> shown;
    if (const scenarios::Scenario* s = scenarios::find_scenario(x.scenario))
      for (const auto& l : s->detail_labels()) {
        const std::string key(l.key);
        auto it = d.find(key);
        if (it == d.end() || !shown.insert(key).second) continue;
        rows.emplace_back(std::string(l.label), &*it);
      }
    for (auto it = d.begin(); it != d.end(); ++it)
      if (!shown.count(it.key())) rows.emplace_back(it.key(), &it.value());
    h << "<table class=\"checker-details\"><tbody>";
    for (const auto& [label, value] : rows)
      h << "<tr><th>" << esc(label) << "</th><td" << (value->is_number() ? " class=\"num\"" : "") << ">"
        << esc(detail_value(*value)) << "</td></tr>";
    h << "</tbody></table>";
  }
  h << "<details class=\"raw\"><summary>details as JSON</summary><pre>" << esc(d.dump(2))
    << "</pre></details>";
}

void row_details(std::ostringstream& h, const Report& r) {
  h << "<h2>Details</h2>\n";
  for (const auto& x : r.results) {
    h << "<details" << (fails_run(x) ? " open" : "") << "><summary>" << esc(row_label(x)) << ": "
      << esc(row_verdict(x)) << "</summary>";
    h << "<p><b>invariant:</b> " << esc(x.correctness.invariant.empty() ? "-" : x.correctness.invariant)
      << (x.correctness.safe_by_design ? " (safe by design)" : " (not safe by design)") << "</p>";
    h << "<p><b>commands per op:</b> " << esc(compact_number(x.commands_per_op))
      << " &middot; <b>pipeline:</b> " << x.pipeline << " &middot; <b>retries:</b> " << x.retries
      << " &middot; <b>duration:</b> " << esc(compact_number(x.duration_s))
      << " s &middot; <b>latency:</b> min " << us_as_ms(static_cast<double>(x.latency_us.min)) << " / mean "
      << us_as_ms(x.latency_us.mean) << " / max " << us_as_ms(static_cast<double>(x.latency_us.max))
      << " ms</p>";
    std::string errors;
    for (const auto& [k, v] : x.errors)
      if (v) errors += (errors.empty() ? "" : ", ") + k + " " + with_commas(v);
    if (!x.correctness.reason.empty())
      h << "<p class=\"reason\"><b>" << (is_inconclusive(x) ? "why inconclusive" : "note") << ":</b> "
        << esc(x.correctness.reason) << "</p>";
    if (x.correctness.period != "measured")
      h << "<p class=\"note\">The checker judged " << esc(x.correctness.period)
        << " ops (its final state includes the warmup); the op counts cover the measured period.</p>";
    if (x.ops_scheduled || x.ops_dropped)
      h << "<p><b>open loop:</b> " << with_commas(x.ops_scheduled.value_or(0)) << " ops scheduled, "
        << with_commas(x.ops_dropped.value_or(0)) << " dropped (every client busy when their time came)</p>";
    h << "<p><b>errors:</b> " << esc(errors.empty() ? "none" : errors) << "</p>";
    for (const auto& [k, message] : x.error_examples)
      h << "<p class=\"note error-example\">first " << esc(k) << " error: <code>" << esc(message)
        << "</code></p>";
    checker_details(h, x);
    for (const auto& e : x.correctness.examples) h << "<pre>" << esc(e) << "</pre>";
    h << "</details>\n";
  }
}

}  // namespace

std::string to_html(const Report& r) {
  bool pass = r.verdict == "pass";
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>lua-harness report: " << (pass ? "pass" : "fail") << " (" << esc(r.started_at) << ")</title>\n"
    << "<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n";
  h << "<header><h1>lua-harness report</h1><span class=\"badge " << (pass ? "pass\">PASS" : "fail\">FAIL")
    << "</span><span>exit code " << r.exit_code << "</span>";
  h << "<p class=\"facts\">" << esc(r.started_at) << " &middot; " << esc(r.target.mode)
    << (r.target.embedded ? " (embedded)" : "");
  if (!r.target.redis_version.empty()) h << " &middot; Redis " << esc(r.target.redis_version);
  h << " &middot; " << r.config.clients << " clients on " << r.config.threads
    << (r.config.threads == 1 ? " thread" : " threads") << " &middot; seed " << r.config.seed << "</p>";
  if (r.interrupted) h << "<p class=\"warn\">The run was interrupted: the results cover only part of it.</p>";
  if (r.error) h << "<p class=\"run-error v-bad\">The run ended before its load: " << esc(*r.error) << "</p>";
  if (r.aborted)
    h << "<p class=\"run-aborted v-bad\">The run was aborted: " << esc(*r.aborted)
      << ". The results cover the variants that finished.</p>";
  if (r.cleanup)
    h << "<p class=\"cleanup warn\">" << esc(cleanup_sentence(*r.cleanup, r.config.key_prefix)) << ".</p>";
  for (const auto& w : r.warnings) h << "<p class=\"warning warn\">Warning: " << esc(w) << "</p>";
  h << "</header>\n";

  if (r.capacity) capacity_section(h, *r.capacity);
  h << "<h2>Results</h2>\n";
  results_table(h, r);
  thresholds_table(h, r);

  std::string bars = violations_chart(r);
  if (!bars.empty())
    h << "<h2>Correctness and cost: atomic vs naive</h2>\n<div class=\"charts\">" << bars
      << throughput_bars(r) << "</div>\n";

  std::ostringstream curves, series;
  for (const auto& g : groups_of(r)) {
    curves << percentile_chart(r, g);
    series << series_pair(r, g);
  }
  if (!curves.str().empty())
    h << "<h2>Latency by percentile</h2>\n<p class=\"note\">x axis: 1/(1-p) on a log scale, as HdrHistogram "
         "plots it, so the tail (99%, 99.9%, ...) gets as much room as the median; y axis: latency on a log "
         "scale, so a multi-second tail does not flatten the other variants.</p>\n<div "
         "class=\"charts\">"
      << curves.str() << "</div>\n";
  if (!series.str().empty())
    h << "<h2>Throughput and p99 latency over time</h2>\n<p class=\"note\">Each scenario's throughput and p99 "
         "share one x axis, so a second lines up between the two; p99 on a log scale. A point is drawn at the "
         "end of its second.</p>\n<div class=\"charts\">"
      << series.str() << "</div>\n";

  config_table(h, r);
  row_details(h, r);
  h << "<footer>Generated by lua-harness " << esc(r.tool_version) << " from a schema_version "
    << r.schema_version << " report.</footer>\n</main>\n</body>\n</html>\n";
  return h.str();
}

}  // namespace lh::reports
