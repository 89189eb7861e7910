#include "harness/model/report_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace lh::reports {

Report load_report_file(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    text = s.str();
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream s;
    s << f.rdbuf();
    if (f.bad()) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    text = s.str();
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 1: ..." -> keep the part after the tag.
    if (size_t p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw std::runtime_error(path + ": not JSON: " + what);
  }
  try {
    return report_from_json(j);
  } catch (const std::exception& e) {
    // report_from_json's messages already say what is wrong ("not a lua-harness report: ...",
    // "malformed lua-harness report: results[2]: key 'ops' not found", "unsupported schema_version 2 ...").
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace lh::reports
