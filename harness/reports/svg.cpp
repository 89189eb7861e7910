#include "harness/reports/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/reports/xml.hpp"

namespace lh::reports::svg {

namespace {

// The plot area inside a 600 x 300 viewBox: room on the left for y labels, below for x labels.
constexpr double kW = 600, kH = 300;
constexpr double kLeft = 58, kRight = 30, kTop = 30, kBottom = 46;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct Frame {
  const Axis& x;
  const Axis& y;
  double px(double v) const {
    double span = x.max - x.min;
    return kLeft + (span > 0 ? (v - x.min) / span : 0) * (kW - kLeft - kRight);
  }
  double py(double v) const {
    double span = y.max - y.min;
    return kH - kBottom - (span > 0 ? (v - y.min) / span : 0) * (kH - kTop - kBottom);
  }
};

void axes(std::ostringstream& s, const Frame& f) {
  s << "<g class=\"grid\">";
  for (const auto& t : f.y.ticks)
    s << "<line x1=\"" << num(kLeft) << "\" x2=\"" << num(kW - kRight) << "\" y1=\"" << num(f.py(t.at))
      << "\" y2=\"" << num(f.py(t.at)) << "\"/>";
  for (const auto& t : f.x.ticks)
    s << "<line x1=\"" << num(f.px(t.at)) << "\" x2=\"" << num(f.px(t.at)) << "\" y1=\"" << num(kTop)
      << "\" y2=\"" << num(kH - kBottom) << "\"/>";
  s << "</g><g class=\"axis\">";
  s << "<line x1=\"" << num(kLeft) << "\" x2=\"" << num(kW - kRight) << "\" y1=\"" << num(kH - kBottom)
    << "\" y2=\"" << num(kH - kBottom) << "\"/>";
  s << "<line x1=\"" << num(kLeft) << "\" x2=\"" << num(kLeft) << "\" y1=\"" << num(kTop) << "\" y2=\""
    << num(kH - kBottom) << "\"/>";
  for (const auto& t : f.y.ticks)
    if (!t.label.empty())
      s << "<text class=\"ylabel\" x=\"" << num(kLeft - 6) << "\" y=\"" << num(f.py(t.at) + 4) << "\">"
        << xml_escape(t.label) << "</text>";
  for (const auto& t : f.x.ticks)
    if (!t.label.empty())
      s << "<text class=\"xlabel\" x=\"" << num(f.px(t.at)) << "\" y=\"" << num(kH - kBottom + 16) << "\">"
        << xml_escape(t.label) << "</text>";
  s << "<text class=\"xtitle\" x=\"" << num((kLeft + kW - kRight) / 2) << "\" y=\"" << num(kH - 8) << "\">"
    << xml_escape(f.x.title) << "</text>";
  s << "<text class=\"ytitle\" x=\"" << num(kLeft) << "\" y=\"" << num(kTop - 12) << "\">"
    << xml_escape(f.y.title) << "</text>";
  s << "</g>";
}

// Legend entries laid out right to left from the top-right corner.
template <class Entries>
void legend(std::ostringstream& s, const Entries& entries) {
  double x = kW - kRight;
  s << "<g class=\"legend\">";
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    double text_w = 7.0 * static_cast<double>(it->first.size());
    x -= text_w;
    s << "<text x=\"" << num(x) << "\" y=\"" << num(kTop - 12) << "\">" << xml_escape(it->first) << "</text>";
    x -= 16;
    s << "<rect x=\"" << num(x) << "\" y=\"" << num(kTop - 22)
      << "\" width=\"11\" height=\"11\" rx=\"2\" fill=\"" << xml_escape(it->second) << "\"/>";
    x -= 14;
  }
  s << "</g>";
}

std::string open_figure(const std::string& css_class, const std::string& caption) {
  return "<figure class=\"" + xml_escape(css_class) + "\"><figcaption>" + xml_escape(caption) +
         "</figcaption><svg viewBox=\"0 0 600 300\" role=\"img\" aria-label=\"" + xml_escape(caption) + "\">";
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

std::string line_chart(const std::string& css_class, const std::string& caption, const Axis& x, const Axis& y,
                       const std::vector<Line>& lines) {
  std::ostringstream s;
  s << open_figure(css_class, caption);
  Frame f{x, y};
  axes(s, f);
  for (const auto& line : lines) {
    s << "<g class=\"series\" data-label=\"" << xml_escape(line.label)
      << "\"><polyline fill=\"none\" stroke=\"" << xml_escape(line.color) << "\" points=\"";
    for (size_t i = 0; i < line.points.size(); ++i)
      s << (i ? " " : "") << num(f.px(line.points[i].x)) << "," << num(f.py(line.points[i].y));
    s << "\"/>";
    for (const auto& p : line.points)
      s << "<circle cx=\"" << num(f.px(p.x)) << "\" cy=\"" << num(f.py(p.y)) << "\" r=\"2.5\" fill=\""
        << xml_escape(line.color) << "\"><title>" << xml_escape(line.label + " " + p.title)
        << "</title></circle>";
    s << "</g>";
  }
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(lines.size());
  for (const auto& l : lines) entries.emplace_back(l.label, l.color);
  legend(s, entries);
  s << "</svg></figure>\n";
  return s.str();
}

std::string bar_chart(const std::string& css_class, const std::string& caption, const std::string& y_title,
                      const std::vector<Bar>& bars, std::string (*format)(double)) {
  std::vector<std::string> groups;
  std::vector<std::pair<std::string, std::string>> entries;  // label -> colour, first appearance order
  double max_value = 0;
  for (const auto& b : bars) {
    if (std::find(groups.begin(), groups.end(), b.group) == groups.end()) groups.push_back(b.group);
    if (std::none_of(entries.begin(), entries.end(), [&](const auto& e) { return e.first == b.label; }))
      entries.emplace_back(b.label, b.color);
    max_value = std::max(max_value, b.value);
  }
  Axis y = nice_linear_axis(max_value, y_title, format);
  Axis x;  // bars are laid out by index; the axis only frames them
  x.min = 0;
  x.max = static_cast<double>(std::max<size_t>(groups.size(), 1));
  std::ostringstream s;
  s << open_figure(css_class, caption);
  Frame f{x, y};
  axes(s, f);
  double group_w = (kW - kLeft - kRight) / x.max;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<const Bar*> in;
    for (const auto& b : bars)
      if (b.group == groups[g]) in.push_back(&b);
    double slot = group_w * 0.8 / static_cast<double>(in.size());
    double bar_w = std::min(slot * 0.85, 60.0);
    double start = kLeft + g * group_w + (group_w - slot * static_cast<double>(in.size())) / 2;
    for (size_t i = 0; i < in.size(); ++i) {
      const Bar& b = *in[i];
      double x0 = start + slot * static_cast<double>(i) + (slot - bar_w) / 2;
      double top = f.py(b.value);
      double h = std::max(kH - kBottom - top, 1.0);  // a zero still shows as a hairline on the axis
      s << "<rect class=\"bar\" data-group=\"" << xml_escape(b.group) << "\" data-label=\""
        << xml_escape(b.label) << "\" data-value=\"" << b.value << "\" x=\"" << num(x0) << "\" y=\""
        << num(kH - kBottom - h) << "\" width=\"" << num(bar_w) << "\" height=\"" << num(h) << "\" fill=\""
        << xml_escape(b.color) << "\"><title>" << xml_escape(b.group + "/" + b.label + ": " + b.value_label)
        << "</title></rect>";
      s << "<text class=\"barlabel\" x=\"" << num(x0 + bar_w / 2) << "\" y=\"" << num(kH - kBottom - h - 4)
        << "\">" << xml_escape(b.value_label) << "</text>";
    }
    s << "<text class=\"xlabel\" x=\"" << num(kLeft + (static_cast<double>(g) + 0.5) * group_w) << "\" y=\""
      << num(kH - kBottom + 16) << "\">" << xml_escape(groups[g]) << "</text>";
  }
  legend(s, entries);
  s << "</svg></figure>\n";
  return s.str();
}

}  // namespace lh::reports::svg
