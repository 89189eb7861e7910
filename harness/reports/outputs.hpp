// Writes whichever report files were asked for. `run` and `report` accept the same flags:
//   --html F  --markdown F  --junit F  --gbench F
// F = "-" writes to stdout. --markdown github appends to the file named by $GITHUB_STEP_SUMMARY (the
// GitHub Actions job summary).
#pragma once
#include <string>

#include "harness/model/report.hpp"

namespace lh::reports {

struct OutputOptions {
  std::string html, markdown, junit, gbench;  // empty = not asked for
  bool any() const { return !html.empty() || !markdown.empty() || !junit.empty() || !gbench.empty(); }
};

// Writes each requested file (all of them are attempted; the first error is thrown after the others were
// written). Throws std::runtime_error with a one-line message naming the file (or $GITHUB_STEP_SUMMARY when
// `--markdown github` is asked for and it is unset); callers exit 2 on it.
void write_outputs(const Report& report, const OutputOptions& options);

// Writes text to path ("-" = stdout), replacing the file (append = add to its end). Throws as above;
// `flag` ("--html") names the option in the message.
void write_text_file(const std::string& path, const std::string& text, const std::string& flag,
                     bool append = false);

}  // namespace lh::reports
