// docs/report-schema.json describes what reports::to_json writes, and the validator in tests/support checks
// it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "harness/model/report.hpp"
#include "harness/reports/report_schema.hpp"
#include "harness/scenarios/scenario.hpp"
#include "support/golden.hpp"
#include "support/json_schema.hpp"
#include "support/sample_report.hpp"

using lh::test::MatchesReportSchema;
using lh::test::validate_json_schema;
using lh::test::validate_report_schema;
using nlohmann::json;
using namespace lh::reports;

namespace {

json sample_json() { return to_json(lh::test::sample_report()); }

bool has_error(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

// docs/report-schema.json is generated (reports::report_schema_text, `lua-harness schema`): like a golden
// file, LH_UPDATE_GOLDEN=1 rewrites it; otherwise a difference names its first line.
::testing::AssertionResult MatchesDocsFile(const std::string& relative, const std::string& actual) {
  const std::string path = std::string(LH_SOURCE_DIR) + "/" + relative;
  if (const char* u = std::getenv("LH_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return ::testing::AssertionSuccess() << "updated " << path;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return ::testing::AssertionFailure() << path << " does not exist; create it with LH_UPDATE_GOLDEN=1";
  std::ostringstream s;
  s << f.rdbuf();
  if (s.str() == actual) return ::testing::AssertionSuccess();
  std::istringstream a(actual), e(s.str());
  std::string la, le;
  int line = 1;
  for (;; ++line) {
    const bool ga = static_cast<bool>(std::getline(a, la)), ge = static_cast<bool>(std::getline(e, le));
    if (!ga || !ge || la != le) break;
  }
  return ::testing::AssertionFailure()
         << relative << " is not the generated schema from line " << line
         << " (regenerate it: LH_UPDATE_GOLDEN=1 unit_tests --gtest_filter='*Golden*')";
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> out;
  for (const auto* s : lh::scenarios::all_scenarios()) out.emplace_back(s->name());
  return out;
}

}  // namespace

TEST(ReportSchema, SampleReportMatches) { EXPECT_TRUE(MatchesReportSchema(sample_json())); }

TEST(ReportSchema, ReportRoundTripsThroughJsonUnchanged) {
  json j = sample_json();
  EXPECT_EQ(to_json(report_from_json(j)), j);
}

TEST(ReportSchema, ErrorExamplesAndAPartialLastSecondRoundTripJsonReportJson) {
  Report r = lh::test::sample_report();
  r.results[1].error_examples = {{"connection", "Connection refused during connect with 127.0.0.1:40123"},
                                 {"other", "ERR \"quoted\" | piped `ticked`\nsecond line"}};
  r.results[1].series.back().span_s = 0.431;
  json j = to_json(r);
  EXPECT_TRUE(MatchesReportSchema(j));
  ASSERT_TRUE(j["results"][0].contains("error_examples"));
  EXPECT_EQ(j["results"][0]["error_examples"],
            json({{"timeout", "timeout during read with 127.0.0.1:40123"}}));
  EXPECT_EQ(j["results"][1]["error_examples"]["connection"],
            "Connection refused during connect with 127.0.0.1:40123");
  EXPECT_FALSE(j["results"][3].contains("error_examples"));  // none: omitted, not an empty object
  EXPECT_EQ(j["results"][1]["series"].back()["span_s"], 0.431);
  for (size_t i = 0; i + 1 < j["results"][1]["series"].size(); ++i)  // whole seconds: no span_s
    EXPECT_FALSE(j["results"][1]["series"][i].contains("span_s")) << i;

  Report back = report_from_json(j);
  EXPECT_EQ(back.results[1].error_examples, r.results[1].error_examples);
  EXPECT_EQ(back.results[0].error_examples.at("timeout"), "timeout during read with 127.0.0.1:40123");
  EXPECT_TRUE(back.results[3].error_examples.empty());
  EXPECT_DOUBLE_EQ(back.results[1].series.back().span_s, 0.431);
  EXPECT_EQ(back.results[1].series.front().span_s, 1.0);
  EXPECT_EQ(to_json(back), j);
}

TEST(ReportSchema, ReportsWrittenBeforeErrorExamplesAndSpanStillRead) {
  json j = sample_json();
  for (auto& res : j["results"]) {
    res.erase("error_examples");
    for (auto& p : res["series"]) p.erase("span_s");
  }
  Report r = report_from_json(j);
  for (const auto& res : r.results) {
    EXPECT_TRUE(res.error_examples.empty());
    for (const auto& p : res.series) EXPECT_EQ(p.span_s, 1.0);
  }
}

TEST(ReportSchema, RejectsASpanOutsideZeroToOneAndANonStringExample) {
  json j = sample_json();
  j["results"][0]["series"][0]["span_s"] = 0;
  j["results"][0]["series"][1]["span_s"] = 1.5;
  j["results"][0]["error_examples"]["timeout"] = 4;
  auto errors = validate_report_schema(j);
  EXPECT_TRUE(has_error(errors, "/results/0/series/0/span_s: 0 is below the minimum"));
  EXPECT_TRUE(has_error(errors, "/results/0/series/1/span_s: 1.5 is above the maximum 1"));
  EXPECT_TRUE(has_error(errors, "/results/0/error_examples/timeout: expected \"string\""));
  EXPECT_EQ(errors.size(), 3u);
}

TEST(ReportSchema, ALatencyHdrIsHdrHistogramsBase64OrRefused) {
  json j = sample_json();
  j["results"][0]["latency_hdr"] = "HISTFAAAAB94nJNpmSzMwMDAxAABzFCaEUwzAQAIpABB";
  EXPECT_TRUE(validate_report_schema(j).empty());
  j["results"][0]["latency_hdr"] = "not a histogram";
  EXPECT_TRUE(
      has_error(validate_report_schema(j), "/results/0/latency_hdr: \"not a histogram\" does not match"));
}

TEST(ReportSchema, OptionalFieldsMatchWhenPresent) {
  Report r = lh::test::sample_report();
  r.target.mode = "cluster";
  r.target.nodes = {"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"};
  r.target.failover_detected = true;
  r.target.nodes_at_end = {"127.0.0.1:7003", "127.0.0.1:7001", "127.0.0.1:7002"};
  r.config.rate = 5000;
  r.config.requests = 100000;
  r.config.keys.reset();
  r.config.script = "my.lua";
  r.config.eval = true;
  r.results[0].uncorrected_latency_us = r.results[0].latency_us;
  r.results[0].latency_hdr = r.results[0].uncorrected_latency_hdr =
      "HISTFAAAAB94nJNpmSzMwMDAxAABzFCaEUwzAQAIpABB";
  r.results[0].ops_per_node = {{"127.0.0.1:7000", 10}, {"127.0.0.1:7001", 20}};
  r.interrupted = true;
  r.exit_code = 130;
  EXPECT_TRUE(MatchesReportSchema(to_json(r)));
  EXPECT_EQ(report_from_json(to_json(r)).target.nodes_at_end, r.target.nodes_at_end);
}

TEST(ReportSchema, MinimalReportMatches) {
  Report r;
  EXPECT_TRUE(MatchesReportSchema(to_json(r)));
}

TEST(ReportSchema, ContractExampleMatches) {
  // The example of docs/contract.md "JSON report", completed with the fields every schema-1 report carries.
  json j = R"({
    "schema_version": 1,
    "tool": {"name": "lua-harness", "version": "0.1.0"},
    "started_at": "2026-11-27T10:00:00Z", "finished_at": "2026-11-27T10:00:10Z", "interrupted": false,
    "target": {"mode": "standalone", "embedded": true, "nodes": ["127.0.0.1:40123"], "redis_version": "7.0.15"},
    "config": {"clients": 50, "threads": 1, "pipeline": 1, "duration_s": 10, "requests": null, "rate": null, "keys": 1,
               "seed": 42, "warmup_s": 0, "think_time_ms": 0, "key_prefix": "lh:x:", "scenarios": ["counter"],
               "variants": ["naive"]},
    "results": [{
      "scenario": "counter", "variant": "naive",
      "ops": {"total": 1000, "ok": 990, "failed": 4, "indeterminate": 6},
      "errors": {"noscript": 0, "busy": 0, "moved": 0, "ask": 0, "tryagain": 0, "clusterdown": 0, "crossslot": 0,
                 "oom": 0, "readonly": 0, "timeout": 6, "connection": 0, "protocol": 0, "script": 0, "other": 4},
      "commands_per_op": 2.0, "retries": 0,
      "duration_s": 10.0, "throughput_ops_s": 99.0,
      "latency_us": {"min": 80, "mean": 410.5, "p50": 350, "p90": 700, "p99": 1500, "p999": 2900, "max": 4100},
      "series": [], "percentile_curve": [],
      "correctness": {"invariant": "final counter == acknowledged increments", "safe_by_design": false,
                      "checked": true, "violations": 37, "verdict": "violated",
                      "details": {"acknowledged": 990, "final": 953}, "examples": []}
    }],
    "thresholds": [{"expr": "violations==0", "scope": "counter/atomic", "ok": true, "value": 0}],
    "verdict": "pass", "exit_code": 0
  })"_json;
  EXPECT_TRUE(MatchesReportSchema(j));
  EXPECT_NO_THROW(report_from_json(j));
}

TEST(ReportSchema, RejectsMissingFieldsAndWrongTypes) {
  json j = sample_json();
  j.erase("verdict");
  j["results"][0]["ops"]["total"] = "many";
  j["results"][1]["correctness"]["verdict"] = "maybe";
  j["results"][2]["errors"].erase("noscript");
  j["config"]["pipeline"] = 0;
  auto errors = validate_report_schema(j);
  EXPECT_TRUE(has_error(errors, ": missing required property \"verdict\""));
  EXPECT_TRUE(has_error(errors, "/results/0/ops/total: expected \"integer\", got string \"many\""));
  EXPECT_TRUE(has_error(errors, "/results/1/correctness/verdict: expected one of"));
  EXPECT_TRUE(has_error(errors, "/results/2/errors: missing required property \"noscript\""));
  EXPECT_TRUE(has_error(errors, "/config/pipeline: 0 is below the minimum 1"));
  EXPECT_EQ(errors.size(), 5u);
}

TEST(ReportSchema, AcceptsFieldsAddedLaterAnywhere) {
  // The contract: fields may be added in schema_version 1. A reader validating with this schema must not
  // reject a newer report for a field it does not know, at any level.
  json j = sample_json();
  j["surprise"] = true;
  j["tool"]["build"] = "abc";
  j["target"]["tls"] = true;
  j["config"]["stages"] = json::array();
  j["results"][0]["latency_hdr"] = "HISTFAAAA";
  j["results"][0]["ops"]["retried"] = 3;
  j["results"][0]["latency_us"]["p75"] = 1;
  j["results"][0]["series"][0]["p999_us"] = 1;
  j["results"][0]["percentile_curve"][0]["count"] = 1;
  j["results"][0]["correctness"]["checked_at"] = "x";
  j["thresholds"][0]["unit"] = "ms";
  EXPECT_TRUE(MatchesReportSchema(j));
}

TEST(ReportSchema, NoObjectIsClosedToAdditions) {
  // additionalProperties may constrain a map's values ("errors": integers), never forbid new names.
  std::function<void(const json&, const std::string&)> walk = [&](const json& s, const std::string& at) {
    if (s.is_object()) {
      if (s.contains("additionalProperties")) {
        EXPECT_FALSE(s.at("additionalProperties") == false) << at;
      }
      for (const auto& [k, v] : s.items()) walk(v, at + "/" + k);
    } else if (s.is_array()) {
      for (size_t i = 0; i < s.size(); ++i) walk(s[i], at + "/" + std::to_string(i));
    }
  };
  walk(lh::test::report_schema(), "");
}

TEST(ReportSchema, EveryNewV1FieldMatchesAndRoundTrips) {
  for (const Report& r : {lh::test::interrupted_report(), lh::test::aborted_report(),
                          lh::test::error_only_report(), lh::test::inconclusive_report()}) {
    json j = to_json(r);
    EXPECT_TRUE(MatchesReportSchema(j)) << j.dump(2).substr(0, 400);
    EXPECT_TRUE(lh::test::undocumented_properties(lh::test::report_schema(), j).empty());
    EXPECT_EQ(to_json(report_from_json(j)), j);
  }
  json a = to_json(lh::test::aborted_report());
  EXPECT_EQ(a["aborted"]["reason"],
            "the target was lost during cas/atomic: Connection refused (127.0.0.1:40123)");
  EXPECT_EQ(a["cleanup"]["keys_left"], -1);
  EXPECT_EQ(a["not_run"][0]["interrupted"], false);
  EXPECT_EQ(a["warnings"].size(), 1u);
  json i = to_json(lh::test::inconclusive_report());
  EXPECT_EQ(i["results"][0]["correctness"]["verdict"], "inconclusive");
  EXPECT_EQ(i["results"][0]["correctness"]["reason"], lh::test::kNopermReason);
  EXPECT_EQ(i["results"][1]["ops"]["dropped"], 7200);
  EXPECT_EQ(i["results"][1]["ops"]["scheduled"], 150000);
  EXPECT_EQ(i["results"][1]["correctness"]["period"], "warmup+measured");
  EXPECT_EQ(i["results"][1]["pipeline"], 1);
}

TEST(ReportSchema, AnErrorOnlyReportIsValid) {
  // What a run writes when it ends before its load: no result, no node reached, no Redis version.
  json j = to_json(lh::test::error_only_report());
  ASSERT_TRUE(j["results"].empty());
  j["target"]["nodes"] = json::array();
  EXPECT_TRUE(MatchesReportSchema(j));
  EXPECT_EQ(j["error"]["message"], "cannot reach redis://127.0.0.1:1: Connection refused");
  EXPECT_EQ(j["exit_code"], 3);
  j["exit_code"] = 2;
  EXPECT_TRUE(MatchesReportSchema(j));
}

TEST(ReportSchema, RejectsMalformedV1Additions) {
  json j = to_json(lh::test::aborted_report());
  j["not_run"][0].erase("reason");
  j["cleanup"]["keys_left"] = -2;
  j["aborted"] = "lost";  // an object {"reason"}, not a string
  j["warnings"] = json::array({1});
  j["results"][0]["ops"]["dropped"] = -1;
  j["results"][0]["pipeline"] = 0;
  j["results"][1]["correctness"]["period"] = "warmup";
  j["error"] = json::object();
  auto errors = validate_report_schema(j);
  EXPECT_TRUE(has_error(errors, "/not_run/0: missing required property \"reason\""));
  EXPECT_TRUE(has_error(errors, "/cleanup/keys_left: -2 is below the minimum -1"));
  EXPECT_TRUE(has_error(errors, "/aborted: expected \"object\""));
  EXPECT_TRUE(has_error(errors, "/warnings/0: expected \"string\""));
  EXPECT_TRUE(has_error(errors, "/results/0/ops/dropped: -1 is below the minimum 0"));
  EXPECT_TRUE(has_error(errors, "/results/0/pipeline: 0 is below the minimum 1"));
  EXPECT_TRUE(has_error(errors, "/results/1/correctness/period: expected one of"));
  EXPECT_TRUE(has_error(errors, "/error: missing required property \"message\""));
  EXPECT_EQ(errors.size(), 8u);
}

TEST(ReportSchema, GoldenReportsMatchTheirReports) {
  // tests/data/golden/*.report.json: the JSON of each sample report, which tests/consumers/ validates with
  // Ajv in strict mode and renders with the binary.
  EXPECT_TRUE(
      lh::test::MatchesGolden("sample.report.json", to_json(lh::test::sample_report()).dump(2) + "\n"));
  EXPECT_TRUE(lh::test::MatchesGolden("interrupted.report.json",
                                      to_json(lh::test::interrupted_report()).dump(2) + "\n"));
  EXPECT_TRUE(
      lh::test::MatchesGolden("aborted.report.json", to_json(lh::test::aborted_report()).dump(2) + "\n"));
  EXPECT_TRUE(
      lh::test::MatchesGolden("error.report.json", to_json(lh::test::error_only_report()).dump(2) + "\n"));
  EXPECT_TRUE(lh::test::MatchesGolden("inconclusive.report.json",
                                      to_json(lh::test::inconclusive_report()).dump(2) + "\n"));
}

TEST(ReportSchema, RejectsNegativeCountsAndAnotherSchemaVersion) {
  json j = sample_json();
  j["results"][0]["ops"]["failed"] = -1;
  j["schema_version"] = 2;
  auto errors = validate_report_schema(j);
  EXPECT_TRUE(has_error(errors, "/results/0/ops/failed: -1 is below the minimum 0"));
  EXPECT_TRUE(has_error(errors, "/schema_version: expected 1, got 2"));
}

TEST(JsonSchemaValidator, SupportsTheSubsetItDocuments) {
  json schema = R"({
    "type": "object", "required": ["a"],
    "properties": {"a": {"$ref": "#/$defs/pos"}, "b": {"type": ["string", "null"]}, "c": {"items": {"enum": [1, 2]}},
                   "d": {"const": "x"}, "e": {"type": "number", "maximum": 1}},
    "additionalProperties": {"type": "boolean"},
    "$defs": {"pos": {"type": "integer", "minimum": 0}}
  })"_json;
  EXPECT_TRUE(
      validate_json_schema(schema, R"({"a": 3, "b": null, "c": [1, 2], "d": "x", "e": 0.5, "z": true})"_json)
          .empty());
  EXPECT_TRUE(validate_json_schema(schema, R"({"a": 3.0})"_json).empty());  // 3.0 is an integer
  EXPECT_EQ(validate_json_schema(schema, R"({"a": -1})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1.5})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1, "b": 2})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1, "c": [1, 3]})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1, "d": "y"})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1, "e": 2})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({"a": 1, "z": 1})"_json).size(), 1u);
  EXPECT_EQ(validate_json_schema(schema, R"({})"_json).size(), 1u);
}

TEST(JsonSchemaValidator, PatternMatchesAnywhereInAString) {
  EXPECT_TRUE(validate_json_schema(R"({"pattern": "^HISTF"})"_json, "HISTFAAA").empty());
  EXPECT_TRUE(validate_json_schema(R"({"pattern": "b+"})"_json, "abba").empty());
  EXPECT_FALSE(validate_json_schema(R"({"pattern": "^HISTF"})"_json, "xHISTF").empty());
  EXPECT_TRUE(validate_json_schema(R"({"pattern": "^HISTF"})"_json, 5).empty());  // strings only
}

TEST(JsonSchemaValidator, RefusesKeywordsItDoesNotCheck) {
  EXPECT_THROW(validate_json_schema(R"({"minLength": 1})"_json, "a"), std::invalid_argument);
  EXPECT_THROW(validate_json_schema(R"({"oneOf": []})"_json, 1), std::invalid_argument);
  EXPECT_THROW(validate_json_schema(R"({"$ref": "#/$defs/missing"})"_json, 1), std::invalid_argument);
}

TEST(JsonSchemaValidator, ReportSchemaDocumentsEveryFieldToJsonWrites) {
  // Every property to_json writes for a fully populated report is named in the schema, so a new field cannot
  // slip into reports undocumented (the schema itself is open: undocumented_properties checks this).
  Report r = lh::test::sample_report();
  r.target.mode = "cluster";
  r.config.script = "x.lua";
  r.results[0].uncorrected_latency_us = r.results[0].latency_us;
  r.results[0].ops_per_node = {{"n1", 1}};
  r.results[0].series.back().span_s = 0.5;
  ASSERT_FALSE(r.results[0].error_examples.empty());
  EXPECT_TRUE(MatchesReportSchema(to_json(r)));
  json j = to_json(r);
  ASSERT_TRUE(j["results"][0]["series"].back().contains("span_s"));
  j["results"][0]["series"].back()["extra"] = 1;
  j["results"][0]["latency_us"]["p75"] = 1;
  j["target"]["extra"] = 1;
  j["config"]["extra"] = 1;
  j["results"][0]["correctness"]["extra"] = 1;
  j["thresholds"][0]["extra"] = 1;
  EXPECT_TRUE(validate_report_schema(j).empty());  // open for additions
  auto extra = lh::test::undocumented_properties(lh::test::report_schema(), j);
  EXPECT_EQ(extra, (std::vector<std::string>{"/config/extra", "/results/0/correctness/extra",
                                             "/results/0/latency_us/p75", "/results/0/series/9/extra",
                                             "/target/extra", "/thresholds/0/extra"}));
  // Maps (errors, error_examples, ops_per_node) take any key; a built-in scenario's details are
  // documented by its details_schema(), so a key its checker does not write is reported.
  j = to_json(r);
  j["results"][0]["errors"]["newclass"] = 0;
  EXPECT_TRUE(lh::test::undocumented_properties(lh::test::report_schema(), j).empty());
  j["results"][0]["correctness"]["details"]["anything"] = 1;
  EXPECT_EQ(lh::test::undocumented_properties(lh::test::report_schema(), j),
            (std::vector<std::string>{"/results/0/correctness/details/anything"}));
}

TEST(JsonSchemaValidator, UndocumentedPropertiesFollowsRefsAndItems) {
  json schema = R"({
    "type": "object", "properties": {"a": {"$ref": "#/$defs/x"}, "m": {"type": "object", "additionalProperties": {"type": "integer"}}},
    "$defs": {"x": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "integer"}}}}}
  })"_json;
  EXPECT_EQ(lh::test::undocumented_properties(
                schema, R"({"a": [{"k": 1}, {"k": 2, "z": 3}], "m": {"q": 1}, "b": 1})"_json),
            (std::vector<std::string>{"/a/1/z", "/b"}));
}

TEST(ReportSchema, GoldenDocsReportSchemaIsTheGeneratedOne) {
  EXPECT_TRUE(MatchesDocsFile("docs/report-schema.json", report_schema_text()));
  EXPECT_EQ(json::parse(report_schema_text()), lh::test::report_schema());
}

TEST(ReportSchema, TheScenariosComeFromTheRegistry) {
  const nlohmann::ordered_json schema = report_schema();
  const auto& result = schema["$defs"]["result"];
  std::string names;
  for (const auto& n : scenario_names()) names += n + ", ";
  EXPECT_EQ(result["properties"]["scenario"]["description"], names + "or custom for --script.");
  const std::string violations = schema["$defs"]["correctness"]["properties"]["violations"]["description"];
  for (const auto* s : lh::scenarios::all_scenarios())
    EXPECT_NE(violations.find(std::string(s->violation_noun()) + " (" + std::string(s->name()) + ")"),
              std::string::npos)
        << violations;
  // One entry per scenario: its details_schema(), applied to its results only.
  const auto& all = lh::scenarios::all_scenarios();
  ASSERT_EQ(result["allOf"].size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& entry = result["allOf"][i];
    EXPECT_EQ(entry["if"]["properties"]["scenario"]["const"], std::string(all[i]->name()));
    EXPECT_EQ(entry["if"]["required"], nlohmann::ordered_json::array({"scenario"}));
    EXPECT_EQ(entry["then"]["properties"]["correctness"]["properties"]["details"],
              nlohmann::ordered_json::parse(all[i]->details_schema()));
  }
}

TEST(ReportSchema, EachScenariosDetailsSchemaIsAnOpenObjectSchema) {
  for (const auto* s : lh::scenarios::all_scenarios()) {
    const json fragment = json::parse(s->details_schema());  // throws: not JSON
    ASSERT_TRUE(fragment.is_object()) << s->name();
    // Ajv's strictTypes wants the type where properties are; details is an object in every report.
    EXPECT_EQ(fragment.value("type", json()), "object") << s->name();
    EXPECT_NE(fragment.value("additionalProperties", json(true)), json(false)) << s->name();
    EXPECT_FALSE(fragment.contains("required")) << s->name() << ": an older report may lack a key";
  }
}

TEST(ReportSchema, TheBaseNamesNoScenario) {
  // Everything that names a scenario is generated from the registry: take it out and no name is left.
  nlohmann::ordered_json schema = report_schema();
  auto& result = schema["$defs"]["result"];
  result.erase("allOf");
  result["properties"]["scenario"].erase("description");
  schema["$defs"]["correctness"]["properties"]["violations"].erase("description");
  const std::string text = schema.dump();
  for (const auto& n : scenario_names())
    EXPECT_FALSE(std::regex_search(text, std::regex("\\b" + n + "\\b"))) << n;
}

TEST(ReportSchema, AScenariosDetailsAreCheckedOnItsResultsOnly) {
  // For each scenario whose details schema types a key: a value of another type is refused in that
  // scenario's results and accepted in a --script result (whose details are free form).
  for (const auto* s : lh::scenarios::all_scenarios()) {
    const json fragment = json::parse(s->details_schema());
    if (!fragment.contains("properties")) continue;
    std::string key;
    for (const auto& [k, p] : fragment["properties"].items())
      if (p.value("type", json()) == "integer" || p.value("type", json()) == "number") {
        key = k;
        break;
      }
    if (key.empty()) continue;
    json j = sample_json();
    j["results"][0]["scenario"] = std::string(s->name());
    j["results"][0]["correctness"]["details"][key] = "many";
    auto errors = validate_report_schema(j);
    EXPECT_TRUE(has_error(errors, "/results/0/correctness/details/" + key + ": expected")) << s->name();
    j["results"][0]["scenario"] = "custom";
    EXPECT_TRUE(MatchesReportSchema(j)) << s->name();
  }
}
