// One self-contained HTML page for a run (`--html F`): inline CSS and SVG, no script, no external asset,
// readable on a laptop screen and printable. Sections: verdict and run facts, results table, thresholds,
// violations per scenario (bars, atomic vs naive), latency by percentile per scenario (HdrHistogram-style
// log axis of 1/(1-p)), throughput and p99 per second per scenario, configuration, per-row details.
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

std::string to_html(const Report& report);

}  // namespace lh::reports
