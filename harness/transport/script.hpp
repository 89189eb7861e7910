// A Lua script and its SHA1 digest, computed locally (and checked against SCRIPT LOAD's answer).
#pragma once
#include <string>
#include <string_view>

namespace lh::scripts {

struct Script {
  std::string name;  // a built-in script's name, or the user's file name
  std::string body;
  std::string sha1;  // 40 lowercase hex digits
};

std::string sha1_hex(std::string_view data);
Script make_script(std::string name, std::string body);

}  // namespace lh::scripts
