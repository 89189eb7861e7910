#include "support/json_schema.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <stdexcept>

namespace lh::test {

using nlohmann::json;

namespace {

const std::set<std::string> kAnnotations = {"$schema",  "$id",     "title",   "description",
                                            "$comment", "default", "examples"};
const std::set<std::string> kKeywords = {"type",    "required", "properties", "additionalProperties",
                                         "items",   "enum",     "const",      "minimum",
                                         "maximum", "$ref",     "$defs",      "allOf",
                                         "if",      "then",     "else",       "pattern"};

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "other";
  }
}

bool has_type(const json& v, const std::string& t) {
  if (t == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() &&
            v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
  if (t == "number") return v.is_number();
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_boolean();
  if (t == "string") return v.is_string();
  if (t == "array") return v.is_array();
  if (t == "object") return v.is_object();
  throw std::invalid_argument("json schema: unknown type name '" + t + "'");
}

std::string escape_pointer_token(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}
  std::vector<std::string> errors;

  void validate(const json& schema, const json& v, const std::string& path, int depth = 0) {
    if (depth > 64) throw std::invalid_argument("json schema: $ref nesting deeper than 64 (a cycle?)");
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) fail(path, "no value is allowed here");
      return;
    }
    if (!schema.is_object())
      throw std::invalid_argument("json schema: a schema must be an object or a boolean");
    for (const auto& [k, _] : schema.items())
      if (!kKeywords.count(k) && !kAnnotations.count(k))
        throw std::invalid_argument("json schema: keyword '" + k +
                                    "' is not supported by tests/support/json_schema");

    if (schema.contains("$ref")) validate(resolve(schema.at("$ref").get<std::string>()), v, path, depth + 1);
    if (schema.contains("type")) {
      const json& t = schema.at("type");
      std::vector<std::string> types =
          t.is_array() ? t.get<std::vector<std::string>>() : std::vector{t.get<std::string>()};
      bool ok = false;
      for (const auto& name : types) ok = ok || has_type(v, name);
      if (!ok) {
        fail(path, "expected " + t.dump() + ", got " + type_name(v) + " " + v.dump());
        return;  // the other keywords would only repeat the problem
      }
    }
    if (schema.contains("const") && v != schema.at("const"))
      fail(path, "expected " + schema.at("const").dump() + ", got " + v.dump());
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& e : schema.at("enum")) found = found || v == e;
      if (!found) fail(path, "expected one of " + schema.at("enum").dump() + ", got " + v.dump());
    }
    // "pattern": an ECMA-262 regular expression, matched anywhere in the string (JSON Schema's rule).
    if (v.is_string() && schema.contains("pattern") &&
        !std::regex_search(v.get<std::string>(),
                           std::regex(schema.at("pattern").get<std::string>(), std::regex::ECMAScript)))
      fail(path, v.dump().substr(0, 60) + " does not match the pattern " + schema.at("pattern").dump());
    if (v.is_number()) {
      if (schema.contains("minimum") && v.get<double>() < schema.at("minimum").get<double>())
        fail(path, v.dump() + " is below the minimum " + schema.at("minimum").dump());
      if (schema.contains("maximum") && v.get<double>() > schema.at("maximum").get<double>())
        fail(path, v.dump() + " is above the maximum " + schema.at("maximum").dump());
    }
    if (schema.contains("allOf"))
      for (const auto& sub : schema.at("allOf")) validate(sub, v, path, depth + 1);
    if (schema.contains("if")) {
      Validator probe(root_);
      probe.validate(schema.at("if"), v, path, depth + 1);
      const char* branch = probe.errors.empty() ? "then" : "else";
      if (schema.contains(branch)) validate(schema.at(branch), v, path, depth + 1);
    }
    if (v.is_object()) object(schema, v, path, depth);
    if (v.is_array() && schema.contains("items"))
      for (size_t i = 0; i < v.size(); ++i)
        validate(schema.at("items"), v[i], path + "/" + std::to_string(i), depth);
  }

 private:
  const json& root_;

  void fail(const std::string& path, const std::string& msg) { errors.push_back(path + ": " + msg); }

  const json& resolve(const std::string& ref) {
    if (ref.empty() || ref[0] != '#')
      throw std::invalid_argument("json schema: only local $ref is supported: " + ref);
    json::json_pointer p(ref.substr(1));
    if (!root_.contains(p)) throw std::invalid_argument("json schema: $ref " + ref + " points nowhere");
    return root_.at(p);
  }

  void object(const json& schema, const json& v, const std::string& path, int depth) {
    if (schema.contains("required"))
      for (const auto& name : schema.at("required"))
        if (!v.contains(name.get<std::string>()))
          fail(path, "missing required property \"" + name.get<std::string>() + "\"");
    const json empty = json::object();
    const json& props = schema.contains("properties") ? schema.at("properties") : empty;
    for (const auto& [k, value] : v.items()) {
      std::string child = path + "/" + escape_pointer_token(k);
      if (props.contains(k)) {
        validate(props.at(k), value, child, depth);
      } else if (schema.contains("additionalProperties")) {
        const json& extra = schema.at("additionalProperties");
        if (extra.is_boolean() && !extra.get<bool>())
          fail(path, "property \"" + k + "\" is not allowed (additionalProperties is false)");
        else validate(extra, value, child, depth);
      }
    }
  }
};

// The schemas that apply to v: schema itself, what its $ref points at, and the allOf branches whose
// "if" holds for v (their "then"; a branch without "if" applies as it is), each followed in turn.
void applicable(const json& root, const json& schema, const json& v, std::vector<const json*>& out,
                int depth = 0) {
  if (depth > 64 || !schema.is_object()) return;
  out.push_back(&schema);
  if (schema.contains("$ref")) {
    json::json_pointer p(schema.at("$ref").get<std::string>().substr(1));
    if (root.contains(p)) applicable(root, root.at(p), v, out, depth + 1);
  }
  if (schema.contains("allOf"))
    for (const auto& sub : schema.at("allOf")) {
      if (!sub.contains("if")) {
        applicable(root, sub, v, out, depth + 1);
        continue;
      }
      Validator probe(root);
      probe.validate(sub.at("if"), v, "");
      const char* branch = probe.errors.empty() ? "then" : "else";
      if (sub.contains(branch)) applicable(root, sub.at(branch), v, out, depth + 1);
    }
}

// Walks instance and schemas together (properties, items, $ref, allOf) and lists the names no
// applicable schema mentions.
void undocumented(const json& root, const std::vector<const json*>& schemas, const json& v,
                  const std::string& path, std::vector<std::string>& out, int depth = 0) {
  if (depth > 64) return;
  std::vector<const json*> all;
  for (const json* s : schemas) applicable(root, *s, v, all);
  if (v.is_object()) {
    bool has_properties = false, open = false;
    for (const json* s : all) {
      has_properties = has_properties || s->contains("properties");
      open = open || s->contains("additionalProperties");
    }
    for (const auto& [k, value] : v.items()) {
      std::vector<const json*> child;
      for (const json* s : all)
        if (s->contains("properties") && s->at("properties").contains(k))
          child.push_back(&s->at("properties").at(k));
      std::string child_path = path + "/" + escape_pointer_token(k);
      if (!child.empty()) undocumented(root, child, value, child_path, out, depth + 1);
      else if (has_properties && !open) out.push_back(child_path);
    }
  }
  if (v.is_array()) {
    std::vector<const json*> items;
    for (const json* s : all)
      if (s->contains("items")) items.push_back(&s->at("items"));
    if (!items.empty())
      for (size_t i = 0; i < v.size(); ++i)
        undocumented(root, items, v[i], path + "/" + std::to_string(i), out, depth + 1);
  }
}

}  // namespace

std::vector<std::string> undocumented_properties(const json& schema, const json& instance) {
  std::vector<std::string> out;
  undocumented(schema, {&schema}, instance, "", out);
  return out;
}

std::vector<std::string> validate_json_schema(const json& schema, const json& instance) {
  Validator v(schema);
  v.validate(schema, instance, "");
  return v.errors;
}

const json& report_schema() {
  static const json schema = [] {
    const std::string path = std::string(LH_SOURCE_DIR) + "/docs/report-schema.json";
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    return json::parse(f);
  }();
  return schema;
}

std::vector<std::string> validate_report_schema(const json& report) {
  return validate_json_schema(report_schema(), report);
}

::testing::AssertionResult MatchesReportSchema(const json& report) {
  auto errors = validate_report_schema(report);
  if (errors.empty()) return ::testing::AssertionSuccess();
  auto r = ::testing::AssertionFailure()
           << errors.size() << " schema error(s) against docs/report-schema.json:";
  for (const auto& e : errors) r << "\n  " << e;
  return r;
}

}  // namespace lh::test
