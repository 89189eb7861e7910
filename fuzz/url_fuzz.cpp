// Fuzz target: the --target URL parser (net/url). Any input either parses or throws UrlError, and what a
// parsed URL shows (redacted(), display()) does not depend on its password: the same URL with another
// password in its place shows exactly the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/net/url.hpp"

namespace {

// `url` with the password span replaced (the split parse_redis_url makes: userinfo ends at the last '@', the
// password starts after its first ':'); "" when the URL has no password.
std::string with_other_password(std::string_view url, std::string_view other) {
  std::size_t start = 0;
  if (auto sep = url.find("://"); sep != std::string_view::npos) start = sep + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return "";
  const auto colon = url.substr(start, at - start).find(':');
  if (colon == std::string_view::npos) return "";
  return std::string(url.substr(0, start + colon + 1)) + std::string(other) + std::string(url.substr(at));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)lh::net::mask_url_password(text);
  try {
    const lh::net::RedisUrl u = lh::net::parse_redis_url(text);
    if (u.password.empty()) return 0;
    const std::string other = with_other_password(text, "OtherPassword1");
    lh::net::RedisUrl v;
    try {
      v = lh::net::parse_redis_url(other);
    } catch (const lh::net::UrlError&) {
      __builtin_trap();  // only the password changed: the URL must still parse
    }
    if (v.password != "OtherPassword1" || v.user != u.user || v.host != u.host || v.port != u.port)
      __builtin_trap();
    if (u.redacted() != v.redacted() || u.display() != v.display()) __builtin_trap();  // shows the password
  } catch (const lh::net::UrlError&) {
  }
  return 0;
}
