#include "harness/scenarios/details.hpp"

#include <nlohmann/json.hpp>

namespace lh::scenarios {

std::vector<DetailLabel> labels_of(std::span<const DetailField> fields) {
  std::vector<DetailLabel> out;
  out.reserve(fields.size());
  for (const DetailField& f : fields) out.push_back({f.key, f.label});
  return out;
}

std::string schema_of(std::span<const DetailField> fields) {
  nlohmann::ordered_json properties = nlohmann::ordered_json::object();
  for (const DetailField& f : fields) {
    nlohmann::ordered_json p;
    switch (f.type) {
      case DetailType::integer:
        p["type"] = "integer";
        break;
      case DetailType::number:
        p["type"] = "number";
        break;
      case DetailType::string:
        p["type"] = "string";
        break;
      case DetailType::integer_or_null:
        p["type"] = nlohmann::ordered_json::array({"integer", "null"});
        break;
    }
    p["description"] = std::string(f.label);
    properties[std::string(f.key)] = std::move(p);
  }
  nlohmann::ordered_json schema = {{"type", "object"}, {"properties", std::move(properties)}};
  return schema.dump();
}

}  // namespace lh::scenarios
