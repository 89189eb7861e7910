#include "harness/app/workload_file.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/scenarios/scenario.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

namespace {

using nlohmann::json;

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.') return false;
  return true;
}

}  // namespace

std::vector<WorkloadEntry> parse_workload(const std::string& text, const std::string& path) {
  const std::string file = "--workload " + path;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw UsageError(file + ": not JSON: " + what);
  }
  if (!doc.is_object()) throw UsageError(file + ": expected an object {\"scripts\": [...]}");
  for (const auto& [k, v] : doc.items())
    if (k != "scripts") throw UsageError(cat(file, ": unknown field '", k, "' (expected \"scripts\")"));
  if (!doc.contains("scripts") || !doc.at("scripts").is_array() || doc.at("scripts").empty())
    throw UsageError(file + ": \"scripts\" must be a non-empty array of entries");
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::vector<WorkloadEntry> out;
  std::set<std::string> names;
  std::size_t i = 0;
  for (const auto& e : doc.at("scripts")) {
    std::string where = file + ": scripts[" + std::to_string(i++) + "]";
    if (!e.is_object()) throw UsageError(where + ": expected an object");
    WorkloadEntry w;
    if (!e.contains("name") || !e.at("name").is_string())
      throw UsageError(where + ": name: required, a string");
    w.name = e.at("name").get<std::string>();
    where += " (\"" + w.name + "\")";
    if (!valid_name(w.name))
      throw UsageError(where +
                       ": name: 1 to 64 letters, digits, '_', '-' or '.' (it names a result row and a "
                       "threshold scope)");
    if (w.name == "total") throw UsageError(where + ": name: \"total\" is the mix's own row");
    if (!names.insert(w.name).second) throw UsageError(where + ": name: used by an earlier entry");
    for (const auto& [k, v] : e.items())
      if (k != "name" && k != "script" && k != "scenario" && k != "variant" && k != "keys" && k != "args" &&
          k != "weight")
        throw UsageError(cat(where, ": unknown field '", k,
                             "' (expected name, script or scenario + variant, keys, args, weight)"));
    auto strings = [&](const char* field) {
      std::vector<std::string> v;
      if (!e.contains(field)) return v;
      const json& a = e.at(field);
      if (!a.is_array()) throw UsageError(where + ": " + field + ": expected an array of strings");
      for (const auto& x : a) {
        if (x.is_string()) v.push_back(x.get<std::string>());
        else if (x.is_number()) v.push_back(x.dump());  // "args": [60, 100] reads as the numbers' text
        else throw UsageError(where + ": " + field + ": expected an array of strings");
      }
      return v;
    };
    const bool has_script = e.contains("script"), has_scenario = e.contains("scenario");
    if (has_script == has_scenario)
      throw UsageError(where + ": give either \"script\" (a Lua file) or \"scenario\" + \"variant\"");
    if (has_script) {
      if (!e.at("script").is_string() || e.at("script").get<std::string>().empty())
        throw UsageError(where + ": script: expected a file path");
      if (e.contains("variant"))
        throw UsageError(where + ": variant: only with \"scenario\" (a script entry runs its script)");
      const std::filesystem::path p = e.at("script").get<std::string>();
      w.script_path = (p.is_absolute() || base.empty() ? p : base / p).string();
      std::ifstream probe(w.script_path);
      if (!probe) throw UsageError(where + ": script: cannot read " + w.script_path);
      w.keys = strings("keys");
      w.args = strings("args");
    } else {
      if (!e.at("scenario").is_string()) throw UsageError(where + ": scenario: expected a name");
      w.scenario = e.at("scenario").get<std::string>();
      const scenarios::Scenario* s = scenarios::find_scenario(w.scenario);
      if (!s) {
        std::vector<std::string> known;
        for (const auto* k : scenarios::all_scenarios()) known.emplace_back(k->name());
        throw UsageError(where + ": scenario: unknown '" + w.scenario + "' (known: " + joined(known) + ")");
      }
      if (!e.contains("variant") || !e.at("variant").is_string())
        throw UsageError(where + ": variant: required with a scenario (" + w.scenario + " has " +
                         joined(s->variants()) + ")");
      w.variant = e.at("variant").get<std::string>();
      const auto offered = s->variants();
      if (std::find(offered.begin(), offered.end(), w.variant) == offered.end())
        throw UsageError(where + ": variant '" + w.variant + "': " + w.scenario + " has " + joined(offered));
      if (e.contains("keys") || e.contains("args"))
        throw UsageError(where + ": keys/args: only with \"script\" (a built-in scenario makes its own)");
    }
    if (e.contains("weight")) {
      const json& wt = e.at("weight");
      if (!wt.is_number() || !(wt.get<double>() > 0) || !(wt.get<double>() <= 1e9))
        throw UsageError(where + ": weight: expected a number above 0, at most 1e9");
      w.weight = wt.get<double>();
    }
    out.push_back(std::move(w));
  }
  // A scenario entry's keys are PREFIX + name + ':' ...: a script entry's key template may not start there, or
  // its writes would falsify that entry's checker.
  for (const auto& sc : out) {
    if (sc.scenario.empty()) continue;
    for (const auto& script : out)
      for (const auto& k : script.keys)
        if (k.rfind(sc.name + ":", 0) == 0)
          throw UsageError(cat(file, ": entry \"", script.name, "\": key '", k,
                               "' is under scenario entry \"", sc.name, "\"'s keys (", sc.name,
                               ":...): its writes would falsify that entry's "
                               "checker; name the key otherwise"));
  }
  return out;
}

std::vector<WorkloadEntry> read_workload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--workload " + path + ": cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  return parse_workload(s.str(), path);
}

}  // namespace lh::app
