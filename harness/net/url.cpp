#include "harness/net/url.hpp"

#include <charconv>

#include "harness/util/strcat.hpp"

namespace lh::net {

namespace {

// %XX decoding for user and password (a password may hold '@' or ':').
std::string percent_decode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int v = 0;
      if (i + 2 >= s.size() ||
          std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr != s.data() + i + 3)
        throw UrlError(cat("bad %-escape in the ", what, " of a --target URL"));
      out.push_back(static_cast<char>(v));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

int parse_int(std::string_view s, int lo, int hi, const std::string& what, const std::string& shown) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi)
    throw UrlError(cat("--target ", shown, ": ", what, " '", s, "' is not a number in [", lo, ", ", hi, "]"));
  return v;
}

}  // namespace

std::string RedisUrl::redacted() const {
  std::string s = "redis://";
  if (!user.empty() || !password.empty()) {
    s += user;
    if (!password.empty()) s += ":***";
    s += "@";
  }
  s += cat(host, ':', port);
  if (db != 0) s += cat('/', db);
  return s;
}

RedisUrl parse_redis_url(std::string_view url) {
  RedisUrl u;
  std::string_view rest = url;
  constexpr std::string_view scheme = "redis://";
  if (rest.substr(0, scheme.size()) == scheme) {
    rest.remove_prefix(scheme.size());
  } else if (rest.find("://") != std::string_view::npos) {
    throw UrlError(cat("--target: unsupported URL scheme in '", url.substr(0, url.find("://") + 3),
                       "...' (use redis://[user[:password]@]host[:port][/db])"));
  }
  // Userinfo ends at the last '@' (a raw '@' in a password is tolerated).
  std::string shown_user;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view info = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = info.find(':');
    u.user = percent_decode(info.substr(0, colon), "user");
    if (colon != std::string_view::npos) u.password = percent_decode(info.substr(colon + 1), "password");
  }
  RedisUrl shown_u = u;  // for messages: redacted, host filled below
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    shown_u.host = std::string(hostport);
    if (!db.empty()) u.db = parse_int(db, 0, 1'000'000, "database", shown_u.redacted());
  }
  if (hostport.empty()) throw UrlError(cat("--target '", scheme, "...': no host in the URL"));
  std::string_view host = hostport;
  if (hostport.front() == '[') {  // [::1]:6379
    auto close = hostport.find(']');
    if (close == std::string_view::npos) throw UrlError("--target: unterminated '[' in the host of the URL");
    host = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw UrlError("--target: unexpected text after ']' in the URL");
      u.port = parse_int(after.substr(1), 1, 65535, "port", cat("redis://[", host, "]"));
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    u.port = parse_int(hostport.substr(colon + 1), 1, 65535, "port", cat("redis://", host));
  }
  if (host.empty()) throw UrlError("--target: no host in the URL");
  u.host = std::string(host);
  return u;
}

}  // namespace lh::net
