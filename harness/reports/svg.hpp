// Inline SVG charts for the HTML report: no script, no external asset, each chart a <figure> whose SVG scales
// to its container (viewBox). Pure functions of their data, so tests can count the points they draw.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace lh::reports::svg {

struct Tick {
  double at;          // in data units (on a log axis too), or the caller's transformed coordinate
  std::string label;  // "" = grid line without a label
};

struct Axis {
  double min = 0, max = 1;
  // A log10 scale: min > 0; ticks, points and rules stay in data units and are placed by their log. A value
  // <= min (a 0 us latency) sits on the bottom edge.
  bool log = false;
  std::vector<Tick> ticks;
  std::string title;  // "latency, ms"
};

struct Point {
  double x, y;  // in data units; y NaN: nothing was measured there, so the line breaks (a gap, no marker)
  std::string title;    // tooltip: "99.9%: 2.90 ms"
  bool hollow = false;  // drawn as an open circle (a capacity step that failed its SLOs)
};

struct Line {
  std::string label;  // legend entry: "atomic"
  std::string color;  // CSS colour
  std::vector<Point> points;
};

// A reference line across the plot, dashed and labelled: an SLO (horizontal, at a y value) or a marker
// (vertical, at an x value).
struct Rule {
  bool vertical = false;
  double at = 0;
  std::string label;      // "p99_ms<2"
  std::string css_class;  // "slo", "max-rate"
};

// Linear ticks from 0 (or min) to a "nice" max >= the data max (1, 2, 2.5 or 5 times a power of ten);
// returns the axis with max raised to the last tick. `format` turns a tick value into its label.
Axis nice_linear_axis(double data_max, const std::string& title, std::string (*format)(double));

// A log10 axis from the 1-2-5 value at or below data_min to the one at or above data_max (both > 0; anything
// else gives 1..10). Ticks: 1, 2, 5 in each decade, labelled, up to four decades; beyond that the decades
// alone are labelled (2 and 5 stay as grid lines), and beyond eight the decades alone are drawn. A range with
// fewer than four such ticks (1 ms to 2 ms) gets 1, 1.2, 1.5, 2, 3, 4, 5, 6, 8 instead.
Axis log_axis(double data_min, double data_max, const std::string& title, std::string (*format)(double));

struct LineChart {
  std::string css_class;           // lands on the <figure>: "chart chart-percentile"
  std::string caption;             // the heading above the plot
  std::string rows;                // what it plots, after the caption in its own span: "atomic, naive"
  std::vector<std::string> notes;  // sentences below the plot (<p class="note">)
  Axis x, y;
  std::vector<Line> lines;
  std::vector<Rule> rules;
  bool marker_legend = false;  // adds "met" (filled) and "failed" (hollow) to the legend
};

// A line chart in a 600 x 300 viewBox whose plot area is the same for every line chart (so two charts of the
// same width line up), marked by <rect class="plot">: per line one <polyline> per unbroken run of points and
// one <circle> per measured point (with a <title> tooltip), the rules, a legend.
std::string line_chart(const LineChart& chart);

struct Bar {
  std::string group;  // the scenario: a little space between groups
  std::string label;  // data-label (the variant)
  std::string row;    // the label drawn in the left column: "counter/atomic", "limiter (custom/evalsha)"
  std::string color;
  double value;
  std::string value_label;  // printed right of the bar
};

// Horizontal bars, one row per bar in the given order: the row labels in a left column as wide as the longest
// one (monospace, so its width is known; a label over 30 characters wraps onto more lines), the value right
// of each bar, the value axis below, labelled by `format`. The viewBox grows with the rows, so no two labels
// meet.
std::string bar_chart(const std::string& css_class, const std::string& caption, const std::string& rows,
                      const std::string& value_title, const std::vector<Bar>& bars,
                      std::string (*format)(double));

// The label split into lines of at most `max_chars` characters (UTF-8 code points), broken after a space, '/'
// or '-', or before '(' where possible, mid-word otherwise.
std::vector<std::string> wrap_label(const std::string& label, size_t max_chars);

}  // namespace lh::reports::svg
