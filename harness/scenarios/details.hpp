// What a checker writes into correctness.details, described once next to the checker: each key with a label
// for people and its JSON type. A scenario's detail_labels() and details_schema() are made from that list.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lh::scenarios {

// A label for one key of a scenario's correctness.details, for the writers ("lost_updates" -> "lost updates").
struct DetailLabel {
  std::string_view key;
  std::string_view label;
};

// The JSON type of one detail: "integer", "number", "string", or an integer that may be null.
enum class DetailType { integer, number, string, integer_or_null };

// One key a checker may write into correctness.details.
struct DetailField {
  std::string_view key;
  std::string_view label;  // short, for people: "lost updates"
  DetailType type = DetailType::integer;
};

// The labels of `fields`, in their order.
std::vector<DetailLabel> labels_of(std::span<const DetailField> fields);
// A JSON Schema (draft 2020-12) object for correctness.details holding `fields`: each key's type, its label
// as description. Open: other keys are allowed, none is required (a reader ignores keys it does not know).
std::string schema_of(std::span<const DetailField> fields);

}  // namespace lh::scenarios
