// A Lua script and its SHA1 digest, computed locally (and checked against SCRIPT LOAD's answer).
#pragma once
#include <string>
#include <string_view>

namespace lh::scripts {

struct Script {
  std::string name;  // "cas", or the user's file name
  std::string body;
  std::string sha1;  // 40 lowercase hex digits
};

std::string sha1_hex(std::string_view data);
Script make_script(std::string name, std::string body);
// An embedded script by name (lua/NAME.lua). Throws std::out_of_range naming it when absent.
const Script& builtin_script(std::string_view name);

}  // namespace lh::scripts
