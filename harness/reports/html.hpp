// One self-contained HTML page for a run (`--html F`): inline CSS and SVG, no script, no external asset,
// readable on a laptop screen and printable. Sections: verdict and run facts; capacity (`lua-harness
// capacity`: the answer in one sentence, the steps, the latency-throughput curve with the SLO lines); results
// table; thresholds; violations and throughput per row (horizontal bars, each row labelled in its own column);
// latency by percentile per scenario (HdrHistogram-style log axis of 1/(1-p), latency on a log axis);
// throughput and p99 per second per scenario (stacked on one x axis; p99 on a log axis, broken where no op
// completed; a last partial second under 0.5 s left out of both); configuration; per-row details.
// A workload's rows are charted together and named by their entries ("limiter (custom/evalsha)", "total").
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

std::string to_html(const Report& report);

}  // namespace lh::reports
