#include "harness/transport/script.hpp"

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
  Script s{std::move(name), std::move(body), {}};
  s.sha1 = sha1_hex(s.body);
  return s;
}

}  // namespace lh::scripts
