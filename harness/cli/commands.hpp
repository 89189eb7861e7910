// The subcommands of lua-harness. Each returns the process exit code (docs/contract.md "Exit codes").
#pragma once
#include <string>
#include <string_view>

namespace lh::cli {
// A help text's examples with the registry's scenario names in them: "$1" and "$2" become the first and the
// second registered scenario, so every example names a scenario this build has (none is written here).
std::string with_scenarios(std::string_view text);

int cmd_run(int argc, char** argv);
int cmd_demo(int argc, char** argv);
int cmd_merge(int argc, char** argv);  // run's shards into one report (harness/cli/cmd_run.cpp)
int cmd_capacity(int argc, char** argv);
int cmd_lint(
    int argc,
    char**
        argv);  // the seed's mistakes in a script (harness/cli/cmd_lint.cpp)  // the highest rate meeting every --slo (harness/cli/cmd_run.cpp)
int cmd_schema(int argc, char** argv);  // harness/cli/cmd_schema.cpp
}  // namespace lh::cli

// reports side (harness/cli/cmd_compare.cpp, harness/cli/cmd_report.cpp)
int cmd_compare(int argc, char** argv);
int cmd_report(int argc, char** argv);
