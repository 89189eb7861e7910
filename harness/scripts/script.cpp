#include "harness/scripts/script.hpp"

#include <openssl/sha.h>

#include <stdexcept>

#include "harness/scripts/embedded.hpp"

namespace lh::scripts {

std::string sha1_hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * SHA_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xF];
  }
  return out;
}

Script make_script(std::string name, std::string body) {
  Script s{std::move(name), std::move(body), {}};
  s.sha1 = sha1_hex(s.body);
  return s;
}

const Script& builtin_script(std::string_view name) {
  // Built once, never freed: scripts are referenced by pointer for the whole process.
  static const std::vector<Script> all = [] {
    std::vector<Script> v;
    for (const auto& e : embedded_scripts()) v.push_back(make_script(std::string(e.name), std::string(e.body)));
    return v;
  }();
  for (const auto& s : all)
    if (s.name == name) return s;
  throw std::out_of_range("no built-in script lua/" + std::string(name) + ".lua");
}

}  // namespace lh::scripts
