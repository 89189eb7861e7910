#include "harness/transport/script.hpp"

#include <stdexcept>

#include <openssl/sha.h>

namespace lh::scripts {

std::string sha1_hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(std::size_t{2} * SHA_DIGEST_LENGTH, '0');
  for (std::size_t i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0xF];
  }
  return out;
}

Script make_script(std::string name, std::string body) {
  Script s{std::move(name), std::move(body), {}, {}, {}};
  s.sha1 = sha1_hex(s.body);
  return s;
}

Script make_function(std::string name, std::string body, std::string fcall) {
  // Redis's shebang: "#!lua name=mylib" (perhaps with more key=value pairs), the library's first line.
  const std::string_view first = std::string_view(body).substr(0, body.find('\n'));
  constexpr std::string_view kShebang = "#!lua";
  std::string library;
  if (first.substr(0, kShebang.size()) == kShebang) {
    const auto at = first.find(" name=");
    if (at != std::string_view::npos) {
      const auto from = at + 6;
      library = std::string(first.substr(from, first.find_first_of(" \r", from) - from));
    }
  }
  if (library.empty())
    throw std::invalid_argument(
        "not a Redis Functions library: its first line must be \"#!lua name=LIBRARY\" (got \"" +
        std::string(first.substr(0, 60)) + "\")");
  Script s = make_script(std::move(name), std::move(body));
  s.function = std::move(fcall);
  s.library = std::move(library);
  return s;
}

}  // namespace lh::scripts
