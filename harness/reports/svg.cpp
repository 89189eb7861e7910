#include "harness/reports/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/reports/xml.hpp"

namespace lh::reports::svg {

namespace {

// A line chart's viewBox and plot area: room on the left for y labels, below for x labels and the x title.
// The legend goes below those, on as many rows as it needs, so the viewBox grows downwards only and the plot
// area is the same in every line chart.
constexpr double kW = 600, kH = 300;
constexpr double kLeft = 58, kRight = 30, kTop = 30, kBottom = 46;
constexpr double kLegendRow = 18;
// Text is 11 user units high (the CSS); these are upper bounds of a character's advance: the legend's sans
// serif, and the bars' monospace labels (0.6 em in DejaVu Sans Mono, Menlo, Consolas), with a margin.
constexpr double kSansChar = 7.0, kMonoChar = 7.0;
constexpr double kLineH = 13;  // one line of wrapped bar label
constexpr size_t kMaxLabelChars = 30;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

size_t code_points(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Where an axis puts a value, as a share of its length from min (0) to max (1).
double share(const Axis& a, double v) {
  if (a.log) {
    const double lo = std::log10(a.min), hi = std::log10(a.max);
    const double at = v > a.min ? std::log10(v) : lo;
    return hi > lo ? (at - lo) / (hi - lo) : 0;
  }
  const double span = a.max - a.min;
  return span > 0 ? (v - a.min) / span : 0;
}

// The plot area [x0, x1] x [y0, y1] in viewBox units (y grows downwards) and the axes it maps.
struct Frame {
  const Axis& x;
  const Axis& y;
  double x0, x1, y0, y1;
  double px(double v) const { return x0 + share(x, v) * (x1 - x0); }
  double py(double v) const { return y1 - share(y, v) * (y1 - y0); }
};

void line(std::ostringstream& s, double x1, double y1, double x2, double y2, const char* cls = nullptr) {
  s << "<line";
  if (cls) s << " class=\"" << cls << "\"";
  s << " x1=\"" << num(x1) << "\" x2=\"" << num(x2) << "\" y1=\"" << num(y1) << "\" y2=\"" << num(y2)
    << "\"/>";
}

void text(std::ostringstream& s, const char* cls, double x, double y, const std::string& t) {
  s << "<text class=\"" << cls << "\" x=\"" << num(x) << "\" y=\"" << num(y) << "\">" << xml_escape(t)
    << "</text>";
}

// The plot's box (what a test measures to line two charts up), the grid and the axis lines.
void grid(std::ostringstream& s, const Frame& f, bool x_grid, bool y_grid) {
  s << "<rect class=\"plot\" x=\"" << num(f.x0) << "\" y=\"" << num(f.y0) << "\" width=\"" << num(f.x1 - f.x0)
    << "\" height=\"" << num(f.y1 - f.y0) << "\" fill=\"none\"/>";
  s << "<g class=\"grid\">";
  if (y_grid)
    for (const auto& t : f.y.ticks) line(s, f.x0, f.py(t.at), f.x1, f.py(t.at));
  if (x_grid)
    for (const auto& t : f.x.ticks) line(s, f.px(t.at), f.y0, f.px(t.at), f.y1);
  s << "</g><g class=\"axis\">";
  line(s, f.x0, f.y1, f.x1, f.y1);
  line(s, f.x0, f.y0, f.x0, f.y1);
}

void x_labels(std::ostringstream& s, const Frame& f, double title_y) {
  for (const auto& t : f.x.ticks)
    if (!t.label.empty()) text(s, "xlabel", f.px(t.at), f.y1 + 16, t.label);
  text(s, "xtitle", (f.x0 + f.x1) / 2, title_y, f.x.title);
}

void y_labels(std::ostringstream& s, const Frame& f) {
  for (const auto& t : f.y.ticks)
    if (!t.label.empty()) text(s, "ylabel", f.x0 - 6, f.py(t.at) + 4, t.label);
  text(s, "ytitle", f.x0, f.y0 - 12, f.y.title);
}

struct LegendEntry {
  enum Shape { kSwatch, kDot, kRing };  // a line's colour, or a point's marker (filled, hollow)
  std::string label, color;
  Shape shape = kSwatch;
};

// Left to right from the plot's left edge below the x title, wrapping onto a new row at the right edge.
// Returns the rows used.
int legend_rows(const std::vector<LegendEntry>& entries, std::ostringstream* s, double top) {
  if (entries.empty()) return 0;
  int rows = 1;
  double x = kLeft;
  if (s) *s << "<g class=\"legend\">";
  for (const auto& e : entries) {
    const double w = 16 + kSansChar * static_cast<double>(code_points(e.label));
    if (x > kLeft && x + w > kW - 8) {
      ++rows;
      x = kLeft;
    }
    if (s) {
      const double y = top + (rows - 1) * kLegendRow;
      if (e.shape == LegendEntry::kRing)
        *s << "<circle cx=\"" << num(x + 5) << "\" cy=\"" << num(y - 4)
           << "\" r=\"3.5\" fill=\"#fff\" stroke=\"" << xml_escape(e.color) << "\" stroke-width=\"2\"/>";
      else if (e.shape == LegendEntry::kDot)
        *s << "<circle cx=\"" << num(x + 5) << "\" cy=\"" << num(y - 4) << "\" r=\"3.5\" fill=\""
           << xml_escape(e.color) << "\"/>";
      else
        *s << "<rect x=\"" << num(x) << "\" y=\"" << num(y - 10)
           << "\" width=\"11\" height=\"11\" rx=\"2\" fill=\"" << xml_escape(e.color) << "\"/>";
      *s << "<text x=\"" << num(x + 16) << "\" y=\"" << num(y) << "\">" << xml_escape(e.label) << "</text>";
    }
    x += w + 14;
  }
  if (s) *s << "</g>";
  return rows;
}

void rules(std::ostringstream& s, const Frame& f, const std::vector<Rule>& rs) {
  std::vector<double> label_ys;
  for (const auto& r : rs) {
    s << "<g class=\"rule " << xml_escape(r.css_class) << "\">";
    if (r.vertical) {
      const double x = f.px(r.at);
      line(s, x, f.y0, x, f.y1);
      const bool left = x > f.x1 - 120;  // near the right edge: the label goes on the left of the line
      s << "<text x=\"" << num(left ? x - 4 : x + 4) << "\" y=\"" << num(f.y0 + 12) << "\" text-anchor=\""
        << (left ? "end" : "start") << "\">" << xml_escape(r.label) << "</text>";
    } else {
      const double y = f.py(r.at);
      line(s, f.x0, y, f.x1, y);
      // Above the line at the right; below it when the top is near; on the left when another label is close.
      const double ty = y - 4 < f.y0 + 10 ? y + 12 : y - 4;
      const bool crowded =
          std::any_of(label_ys.begin(), label_ys.end(), [&](double o) { return std::fabs(o - ty) < 12; });
      label_ys.push_back(ty);
      s << "<text x=\"" << num(crowded ? f.x0 + 4 : f.x1 - 4) << "\" y=\"" << num(ty) << "\" text-anchor=\""
        << (crowded ? "start" : "end") << "\">" << xml_escape(r.label) << "</text>";
    }
    s << "</g>";
  }
}

std::string open_figure(const std::string& css_class, const std::string& caption, const std::string& rows,
                        double height) {
  std::string h = "<figure class=\"" + xml_escape(css_class) + "\"><figcaption>" + xml_escape(caption);
  if (!rows.empty()) h += " <span class=\"rows\">(" + xml_escape(rows) + ")</span>";
  const std::string label = caption + (rows.empty() ? "" : " (" + rows + ")");
  return h + "</figcaption><svg viewBox=\"0 0 600 " + num(height) + "\" role=\"img\" aria-label=\"" +
         xml_escape(label) + "\">";
}

std::string close_figure(const std::vector<std::string>& notes) {
  std::string h = "</svg>";
  for (const auto& n : notes) h += "<p class=\"note\">" + xml_escape(n) + "</p>";
  return h + "</figure>\n";
}

}  // namespace

Axis nice_linear_axis(double data_max, const std::string& title, std::string (*format)(double)) {
  Axis a;
  a.title = title;
  if (!(data_max > 0)) data_max = 1;
  double raw = data_max / 5;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  int n = static_cast<int>(std::ceil(data_max / step - 1e-9));
  for (int i = 0; i <= n; ++i) a.ticks.push_back({i * step, format(i * step)});
  a.min = 0;
  a.max = n * step;
  return a;
}

Axis log_axis(double data_min, double data_max, const std::string& title, std::string (*format)(double)) {
  Axis a;
  a.title = title;
  a.log = true;
  if (!(data_min > 0) || !std::isfinite(data_min) || !(data_max > 0) || !std::isfinite(data_max)) {
    data_min = 1;
    data_max = 10;
  }
  data_max = std::max(data_max, data_min);
  constexpr double kSteps[] = {1, 2, 5};
  constexpr double kSlack = 1e-9;  // 2.0000000001 is 2
  // The 1-2-5 values around the data: k is the decade, i the step in it.
  auto value = [&](int k, int i) { return kSteps[i] * std::pow(10.0, k); };
  int lo_k = static_cast<int>(std::floor(std::log10(data_min) + kSlack));
  int lo_i = 0;
  for (int i = 2; i >= 0; --i)
    if (value(lo_k, i) <= data_min * (1 + kSlack)) {
      lo_i = i;
      break;
    }
  int hi_k = static_cast<int>(std::floor(std::log10(data_max) + kSlack));
  int hi_i = 3;  // the next decade's 1
  for (int i = 0; i < 3; ++i)
    if (value(hi_k, i) >= data_max * (1 - kSlack)) {
      hi_i = i;
      break;
    }
  if (hi_i == 3) {
    ++hi_k;
    hi_i = 0;
  }
  if (lo_k == hi_k && lo_i == hi_i) {  // one value: show the step above it too
    if (++hi_i == 3) {
      ++hi_k;
      hi_i = 0;
    }
  }
  const int decades = hi_k - lo_k + (hi_i > 0 ? 1 : 0);
  if (decades > 4) {  // whole decades at both ends, so the first and last ticks are labelled
    lo_i = 0;
    if (hi_i > 0) {
      ++hi_k;
      hi_i = 0;
    }
  }
  a.min = value(lo_k, lo_i);
  a.max = value(hi_k, hi_i);
  for (int k = lo_k; k <= hi_k; ++k)
    for (int i = 0; i < 3; ++i) {
      if ((k == lo_k && i < lo_i) || (k == hi_k && i > hi_i)) continue;
      if (i > 0 && decades > 8) continue;
      const double v = value(k, i);
      a.ticks.push_back({v, i == 0 || decades <= 4 ? format(v) : std::string()});
    }
  if (a.ticks.size() < 4) {  // a narrow range (1 ms to 2 ms): finer steps, so the axis still reads
    a.ticks.clear();
    for (int k = lo_k; k <= hi_k; ++k)
      for (double m : {1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0}) {
        const double v = m * std::pow(10.0, k);
        if (v >= a.min * (1 - kSlack) && v <= a.max * (1 + kSlack)) a.ticks.push_back({v, format(v)});
      }
  }
  return a;
}

std::string line_chart(const LineChart& c) {
  std::vector<LegendEntry> entries;
  entries.reserve(c.lines.size() + 2);
  for (const auto& l : c.lines) entries.push_back({l.label, l.color});
  if (c.marker_legend) {
    entries.push_back({"met", "#6b7280", LegendEntry::kDot});
    entries.push_back({"failed", "#6b7280", LegendEntry::kRing});
  }
  const double legend_top = kH + 6;
  const int rows = legend_rows(entries, nullptr, legend_top);
  const double height = rows ? legend_top + rows * kLegendRow : kH;

  std::ostringstream s;
  s << open_figure(c.css_class, c.caption, c.rows, height);
  Frame f{c.x, c.y, kLeft, kW - kRight, kTop, kH - kBottom};
  grid(s, f, true, true);
  y_labels(s, f);
  x_labels(s, f, kH - 8);
  s << "</g>";
  rules(s, f, c.rules);
  for (const auto& l : c.lines) {
    const std::string color = xml_escape(l.color);
    s << "<g class=\"series\" data-label=\"" << xml_escape(l.label) << "\">";
    // One polyline per unbroken run: a point without a value ends the run.
    bool open = false;
    for (const auto& p : l.points) {
      if (std::isnan(p.y)) {
        if (open) s << "\"/>";
        open = false;
        continue;
      }
      s << (open ? " " : "<polyline fill=\"none\" stroke=\"" + color + "\" points=\"") << num(f.px(p.x))
        << "," << num(f.py(p.y));
      open = true;
    }
    if (open) s << "\"/>";
    for (const auto& p : l.points) {
      if (std::isnan(p.y)) continue;
      s << "<circle" << (p.hollow ? " class=\"failed\"" : "") << " cx=\"" << num(f.px(p.x)) << "\" cy=\""
        << num(f.py(p.y)) << "\"";
      if (p.hollow) s << " r=\"3.5\" fill=\"#fff\" stroke=\"" << color << "\" stroke-width=\"2\">";
      else s << " r=\"2.5\" fill=\"" << color << "\">";
      s << "<title>" << xml_escape(l.label + " " + p.title) << "</title></circle>";
    }
    s << "</g>";
  }
  std::ostringstream legend;
  legend_rows(entries, &legend, legend_top + 10);
  s << legend.str() << close_figure(c.notes);
  return s.str();
}

std::vector<std::string> wrap_label(const std::string& label, size_t max_chars) {
  // The label as code points, so a line never splits a UTF-8 sequence.
  std::vector<std::string> cps;
  for (char ch : label) {
    if ((static_cast<unsigned char>(ch) & 0xC0) == 0x80 && !cps.empty()) cps.back() += ch;
    else cps.emplace_back(1, ch);
  }
  std::vector<std::string> lines;
  size_t at = 0;
  max_chars = std::max<size_t>(max_chars, 1);
  while (cps.size() - at > max_chars) {
    size_t cut = 0;  // code points taken onto this line
    for (size_t i = 1; i <= max_chars; ++i) {
      const std::string& before = cps[at + i - 1];
      if (before == " " || before == "/" || before == "-" || cps[at + i] == "(") cut = i;
    }
    if (cut == 0) cut = max_chars;
    std::string l;
    for (size_t i = at; i < at + cut; ++i) l += cps[i];
    while (!l.empty() && l.back() == ' ') l.pop_back();
    lines.push_back(l);
    at += cut;
    while (at < cps.size() && cps[at] == " ") ++at;
  }
  std::string rest;
  for (size_t i = at; i < cps.size(); ++i) rest += cps[i];
  if (!rest.empty() || lines.empty()) lines.push_back(rest);
  return lines;
}

std::string bar_chart(const std::string& css_class, const std::string& caption, const std::string& rows,
                      const std::string& value_title, const std::vector<Bar>& bars,
                      std::string (*format)(double)) {
  constexpr double kTopPad = 12, kRowPad = 8, kGroupGap = 8, kBottomPad = 44, kMaxBarH = 14;
  std::vector<std::vector<std::string>> labels;
  labels.reserve(bars.size());
  size_t label_chars = 0, value_chars = 0;
  double max_value = 0;
  for (const auto& b : bars) {
    labels.push_back(wrap_label(b.row, kMaxLabelChars));
    for (const auto& l : labels.back()) label_chars = std::max(label_chars, code_points(l));
    value_chars = std::max(value_chars, code_points(b.value_label));
    max_value = std::max(max_value, b.value);
  }
  const double x0 = 10 + kMonoChar * static_cast<double>(label_chars) + 8;
  const double x1 = kW - std::max(kMonoChar * static_cast<double>(value_chars) + 14, 24.0);
  // Row tops: each row as tall as its label's lines, a gap where the group changes.
  std::vector<double> tops;
  tops.reserve(bars.size());
  double y = kTopPad;
  for (size_t i = 0; i < bars.size(); ++i) {
    if (i > 0 && bars[i].group != bars[i - 1].group) y += kGroupGap;
    tops.push_back(y);
    y += static_cast<double>(labels[i].size()) * kLineH + kRowPad;
  }
  const double y1 = y, height = y1 + kBottomPad;

  Axis xa = nice_linear_axis(max_value, value_title, format);
  Axis ya;  // rows are laid out by index; this axis only frames them
  Frame f{xa, ya, x0, x1, kTopPad, y1};
  std::ostringstream s;
  s << open_figure(css_class, caption, rows, height);
  grid(s, f, true, false);
  x_labels(s, f, y1 + 34);
  s << "</g>";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double row_h = static_cast<double>(labels[i].size()) * kLineH + kRowPad;
    const double mid = tops[i] + row_h / 2;
    const double bar_h = std::min(row_h - 6, kMaxBarH);
    const double end = std::max(f.px(b.value), x0 + 1);  // a zero still shows as a hairline on the axis
    s << "<rect class=\"bar\" data-group=\"" << xml_escape(b.group) << "\" data-label=\""
      << xml_escape(b.label) << "\" data-value=\"" << b.value << "\" data-row=\"" << xml_escape(b.row)
      << "\" x=\"" << num(x0) << "\" y=\"" << num(mid - bar_h / 2) << "\" width=\"" << num(end - x0)
      << "\" height=\"" << num(bar_h) << "\" fill=\"" << xml_escape(b.color) << "\"><title>"
      << xml_escape(b.row + ": " + b.value_label) << "</title></rect>";
    // The first baseline, so the label's lines sit centred on the row (a baseline is 4 below its line's
    // middle).
    const double first = mid - (static_cast<double>(labels[i].size()) - 1) * kLineH / 2 + 4;
    if (labels[i].size() == 1) {
      text(s, "barlabel", x0 - 8, first, labels[i][0]);
    } else {
      s << "<text class=\"barlabel\" x=\"" << num(x0 - 8) << "\" y=\"" << num(first) << "\">";
      for (size_t k = 0; k < labels[i].size(); ++k)
        s << "<tspan x=\"" << num(x0 - 8) << "\" dy=\"" << (k ? num(kLineH) : "0") << "\">"
          << xml_escape(labels[i][k]) << "</tspan>";
      s << "</text>";
    }
    text(s, "barvalue", end + 4, mid + 4, b.value_label);
  }
  s << close_figure({});
  return s.str();
}

}  // namespace lh::reports::svg
