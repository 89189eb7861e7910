// GitHub-flavoured Markdown summary of a run (`--markdown F`, `--markdown github` for the step summary).
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

// Heading with the verdict, one line of run facts, the results table, thresholds, correctness notes.
std::string to_markdown(const Report& report);

}  // namespace lh::reports
