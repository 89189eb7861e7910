// Inline SVG charts for the HTML report: no script, no external asset, each chart a <figure> whose SVG scales
// to its container (viewBox). Pure functions of their data, so tests can count the points they draw.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lh::reports::svg {

struct Tick {
  double at;          // in the axis' (possibly transformed) coordinate
  std::string label;  // "" = grid line without a label
};

struct Axis {
  double min = 0, max = 1;
  std::vector<Tick> ticks;
  std::string title;  // "latency, ms"
};

struct Point {
  double x, y;        // in axis coordinates
  std::string title;  // tooltip: "99.9%: 2.90 ms"
};

struct Line {
  std::string label;  // legend entry: "atomic"
  std::string color;  // CSS colour
  std::vector<Point> points;
};

// Linear ticks from 0 (or min) to a "nice" max >= the data max (1, 2, 2.5 or 5 times a power of ten);
// returns the axis with max raised to the last tick. `format` turns a tick value into its label.
Axis nice_linear_axis(double data_max, const std::string& title, std::string (*format)(double));

// A line chart: one <polyline> and one <circle> per point (with a <title> tooltip) per line, a legend.
// css_class lands on the <figure> ("chart chart-percentile"), caption above the plot.
std::string line_chart(const std::string& css_class, const std::string& caption, const Axis& x, const Axis& y,
                       const std::vector<Line>& lines);

struct Bar {
  std::string group;  // x-axis group (scenario)
  std::string label;  // bar within the group (variant)
  std::string color;
  double value;
  std::string value_label;  // printed above the bar
};

// Grouped vertical bars (groups in first-appearance order), value labels above, legend by bar label;
// `format` labels the y ticks.
std::string bar_chart(const std::string& css_class, const std::string& caption, const std::string& y_title,
                      const std::vector<Bar>& bars, std::string (*format)(double));

}  // namespace lh::reports::svg
