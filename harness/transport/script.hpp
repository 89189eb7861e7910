// A Lua script and its SHA1 digest, computed locally (and checked against SCRIPT LOAD's answer).
#pragma once
#include <string>
#include <string_view>

namespace lh::scripts {

struct Script {
  std::string name;  // a built-in script's name, or the user's file name
  std::string body;
  std::string sha1;  // 40 lowercase hex digits
  // A Redis Functions library (run --function LIB.lua --fcall NAME): calls are FCALL `function`, and loading
  // it is FUNCTION LOAD REPLACE `body`, whose answer is `library` (the name its first line declares). Both
  // empty for an EVAL script.
  std::string function;
  std::string library;

  bool is_function() const { return !function.empty(); }
};

std::string sha1_hex(std::string_view data);
Script make_script(std::string name, std::string body);
// A Functions library whose function `fcall` the load calls. Throws std::invalid_argument when the body does not
// start with Redis's "#!lua name=LIBRARY" line.
Script make_function(std::string name, std::string body, std::string fcall);

}  // namespace lh::scripts
