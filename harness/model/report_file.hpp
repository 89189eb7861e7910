// Reading a saved JSON report (`compare`, `report`): every failure is one line that names the file.
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

// path "-" reads stdin. Throws std::runtime_error: "PATH: cannot read: No such file or directory",
// "PATH: not JSON: <parser message>", "PATH: not a lua-harness report: <why>". Callers exit 2.
Report load_report_file(const std::string& path);

}  // namespace lh::reports
