#include "harness/scenarios/embedded_lua.hpp"

#include <stdexcept>
#include <string>

#include "harness/util/strcat.hpp"

namespace lh::scripts {

const Script& builtin_script(std::string_view name) {
  // Built once, never freed: scripts are referenced by pointer for the whole process.
  static const std::vector<Script> all = [] {
    std::vector<Script> v;
    for (const auto& e : embedded_scripts())
      v.push_back(make_script(std::string(e.name), std::string(e.body)));
    return v;
  }();
  for (const auto& s : all)
    if (s.name == name) return s;
  throw std::out_of_range("no built-in script lua/" + std::string(name) + ".lua");
}

const Script& builtin_function(const Script& s) {
  static const std::vector<Script> twins = [] {
    std::vector<Script> v;
    for (const auto& e : embedded_scripts()) {
      const std::string lib = "lh_" + std::string(e.name);
      v.push_back(make_function(std::string(e.name),
                                cat("#!lua name=", lib, "\nredis.register_function('", lib,
                                    "', function(KEYS, ARGV)\n", e.body, "\nend)\n"),
                                lib));
    }
    return v;
  }();
  for (const auto& t : twins)
    if (t.name == s.name) return t;
  throw std::out_of_range("no built-in script lua/" + s.name + ".lua to make a function of");
}

}  // namespace lh::scripts
