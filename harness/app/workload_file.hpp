// --workload FILE.json: several scripts and built-in scenario variants in one load, each virtual client
// picking its next op by weight.
//
//   {"scripts": [
//     {"name": "limiter", "script": "rate_limit.lua", "keys": ["rl:${rand:1-1000}"],
//      "args": ["1000", "100", "${now_ms}", "${uuid}"], "weight": 10},
//     {"name": "stock", "scenario": "inventory", "variant": "atomic", "weight": 1}
//   ]}
//
// name: letters, digits, '_', '-', '.' (it names the entry's result row and threshold scope `name:p99_ms<2`,
// and a scenario entry's keys live under PREFIX + name + ':'). script: a path, relative to the file's folder;
// keys/args: its KEYS and ARGV templates (run's --key/--arg grammar), under the run prefix, shared by every
// script entry (a lock script and its release can name one key). scenario + variant: a built-in scenario's
// variant, checked by its checker. weight: a number above 0 (default 1).
#pragma once
#include <string>
#include <vector>

namespace lh::app {

struct WorkloadEntry {
  std::string name;
  std::string script_path;  // resolved against the file's folder; empty for a scenario entry
  std::string scenario, variant;
  std::vector<std::string> keys, args;
  double weight = 1;
};

// Reads and checks the file; throws UsageError with one line naming the file, the entry (its index and name)
// and the field, e.g. "--workload mix.json: scripts[1] (\"stock\"): variant 'fast': inventory has atomic,
// naive, transaction".
std::vector<WorkloadEntry> read_workload(const std::string& path);

// The same from the file's text (`path` names it in the errors and roots its relative script paths).
std::vector<WorkloadEntry> parse_workload(const std::string& text, const std::string& path);

}  // namespace lh::app
