// `lua-harness schema`: prints the JSON Schema of the report (draft 2020-12), as docs/report-schema.json
// holds it: the base of harness/reports/report_schema.cpp plus each built-in scenario's details. Exit 0, or 2
// on bad usage or when stdout cannot be written.
#include <iostream>
#include <string>

#include "harness/cli/commands.hpp"
#include "harness/reports/report_schema.hpp"
#include "harness/util/exit_errors.hpp"

namespace lh::cli {

namespace {

const char* kUsage = "usage: lua-harness schema";

}  // namespace

int cmd_schema(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout
          << kUsage << "\n\n"
          << "Prints the JSON Schema (draft 2020-12) of the report `lua-harness run --report F` writes: the\n"
             "fields of every report, and for each built-in scenario the shape of its correctness.details.\n"
             "It is docs/report-schema.json. The schema is open: fields may be added in schema_version 1.\n\n"
             "examples:\n"
             "  lua-harness schema > report-schema.json\n"
             "  lua-harness schema | diff - docs/report-schema.json   # the repository's copy is current\n";
      return kExitOk;
    }
    std::cerr << "lua-harness schema: unexpected argument '" << a << "'\n" << kUsage << "\n";
    return kExitUsage;
  }
  std::cout << reports::report_schema_text();
  if (!std::cout.flush()) {
    std::cerr << "lua-harness schema: cannot write to stdout\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace lh::cli
