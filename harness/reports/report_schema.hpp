// The JSON Schema of the report (draft 2020-12), generated: a base that knows no scenario, plus each built-in
// scenario's details_schema(), applied to the results of that scenario. docs/report-schema.json is this text
// (a unit test keeps them equal), and `lua-harness schema` prints it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace lh::reports {

// The schema as a document, keys in the order people read them.
nlohmann::ordered_json report_schema();
// The schema as docs/report-schema.json holds it: report_schema().dump(2) and a final newline.
std::string report_schema_text();

}  // namespace lh::reports
