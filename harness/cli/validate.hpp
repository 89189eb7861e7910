// Early validation of `run` and `demo`: everything that can be known before any server is contacted or
// started is checked first, so that a mistake costs exit 2 at once instead of surfacing after the whole load
// (when the results would be lost) or silently changing what runs.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "harness/cli/options.hpp"

namespace lh::cli {

// Throws UsageError (exit 2) with one line naming the flag, for what the flags' own parsers (add_run_options)
// cannot know alone and is knowable before the load: the targets' URLs (database 0 only for a cluster) and the
// flags that exclude or need each other (--embedded-cluster/--target, --script/--scenario, --key/--arg need
// --script, --replicas needs --embedded-cluster, --cluster needs --target), any text option given as '', the
// outputs (check_outputs), --redis-server (an executable regular file, or a name found in PATH) and --script (a
// readable, non-empty regular file). Threshold scopes are checked by the caller.
void validate_before_load(const RunOptions& o, const po::variables_map& vm);

// Output files as (flag, path) pairs, empty paths skipped: at most one writes to stdout ("-"), no two name
// the same file (nor `protected_input`, e.g. the --script file, when given), and each can be written
// (check_output_path; `--markdown github`: $GITHUB_STEP_SUMMARY is set and writable). Throws UsageError.
void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::string& protected_input = "", const std::string& protected_flag = "");

// `path` ("-" = stdout, always fine) can be written by the end of the run: not a directory, its directory
// exists and takes a new file, an existing file opens for writing. Probes by opening; a file it had to create
// for that is removed again, an existing one is not changed. Throws UsageError naming `flag` and the path.
void check_output_path(const std::string& flag, const std::string& path);

}  // namespace lh::cli
