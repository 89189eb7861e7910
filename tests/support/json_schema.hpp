// A small JSON Schema validator for the subset that docs/report-schema.json uses, so every test can check
// that the reports it produces match the documented schema (Debian ships no C++ JSON-schema validator).
//
// Supported keywords: type (a name or a list of names; "integer" accepts 3 and 3.0), required, properties,
// additionalProperties (false or a schema), items (one schema for every element), enum, const, minimum,
// maximum, $ref (local only: "#/$defs/name" or any "#/json/pointer" into the root schema).
// Annotations are ignored: $schema $id title description $comment default examples.
// Any other keyword throws std::invalid_argument, so the schema can never silently demand more than is
// checked.
#pragma once
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lh::test {

// Validates `instance` against `schema`. Returns every error, each "PATH: message" with PATH a JSON pointer
// into the instance ("/results/0/ops/total", "" for the root); an empty vector means valid.
std::vector<std::string> validate_json_schema(const nlohmann::json& schema, const nlohmann::json& instance);

// Every property of `instance` that the schema does not name: a property of an object whose schema lists
// `properties` and has no `additionalProperties` (a map such as "errors" has one: its keys are data). The
// report schema is open (fields may be added in schema_version 1), so validation accepts unknown fields;
// this is how the tests still make sure nothing reaches a report undocumented. Same PATH form as above:
// "/results/0/latency_us/p75".
std::vector<std::string> undocumented_properties(const nlohmann::json& schema,
                                                 const nlohmann::json& instance);

// docs/report-schema.json, read once from the source tree (LH_SOURCE_DIR). Throws if missing or not JSON.
const nlohmann::json& report_schema();

// Validates a report document (reports::to_json(report), or the parsed file `run --report F` wrote) against
// docs/report-schema.json. Returns the errors as above; empty = the report matches the schema.
//   EXPECT_TRUE(lh::test::validate_report_schema(j).empty());
std::vector<std::string> validate_report_schema(const nlohmann::json& report);

// The same as a GoogleTest assertion that lists every error on failure:
//   EXPECT_TRUE(lh::test::MatchesReportSchema(j));
::testing::AssertionResult MatchesReportSchema(const nlohmann::json& report);

}  // namespace lh::test
