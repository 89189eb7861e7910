// The subcommands of lua-harness. Each returns the process exit code (docs/contract.md "Exit codes").
#pragma once

namespace lh::cli {
int cmd_run(int argc, char** argv);
int cmd_demo(int argc, char** argv);
}  // namespace lh::cli

// reports side (harness/cli/cmd_compare.cpp, harness/cli/cmd_report.cpp)
int cmd_compare(int argc, char** argv);
int cmd_report(int argc, char** argv);
