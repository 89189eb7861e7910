#include "harness/net/url.hpp"

#include <cctype>
#include <charconv>
#include <climits>

#include "harness/util/secrets.hpp"
#include "harness/util/strcat.hpp"

namespace lh::net {

namespace {

constexpr std::string_view kScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr std::string_view kForm = "redis[s]://[user[:password]@]host[:port][/db]";

// %XX decoding for user and password (a password may hold '@' or ':').
std::string percent_decode(std::string_view s, std::string_view what, const std::string& shown) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int v = 0;
      if (i + 3 > s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2])) ||
          std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr != s.data() + i + 3)
        throw UrlError(
            cat("--target ", shown, ": bad %-escape in the ", what, " (use %XX, e.g. %40 for '@')"));
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

std::string mask_url_password(std::string_view url) {
  // The same split as parse_redis_url: userinfo ends at the last '@', the password starts after its first
  // ':'.
  std::size_t start = 0;
  if (auto sep = url.find("://"); sep != std::string_view::npos) start = sep + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const auto colon = url.substr(start, at - start).find(':');
  if (colon == std::string_view::npos || start + colon + 1 == at) return std::string(url);  // no password
  return cat(url.substr(0, start + colon + 1), "***", url.substr(at));
}

void add_url_secrets(std::string_view url) {
  std::size_t start = 0;
  if (auto sep = url.find("://"); sep != std::string_view::npos) start = sep + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return;
  const std::string_view info = url.substr(start, at - start);
  const auto colon = info.find(':');
  const std::string_view raw = colon == std::string_view::npos ? info : info.substr(colon + 1);
  if (raw.empty()) return;
  add_secret(std::string(raw));
  try {
    add_secret(percent_decode(raw, "password", ""));
  } catch (const UrlError&) {  // a bad escape: the URL is refused, and only its masked form is shown
  }
}

std::string RedisUrl::redacted() const {
  std::string s = tls ? "rediss://" : "redis://";
  if (!user.empty() || !password.empty()) {
    s += user;
    if (!password.empty()) s += ":***";
    s += "@";
  }
  s += cat(host, ':', port);
  if (db != 0) s += cat('/', db);
  return s;
}

std::string RedisUrl::display() const {
  if (as_written.empty()) return redacted();
  try {
    // as_written parses (its password is "***"); it is shown only while it still names this node and db.
    const RedisUrl w = parse_redis_url(as_written);
    if (w.host == host && w.port == port && w.db == db && w.tls == tls) return as_written;
  } catch (const UrlError&) {
  }
  return redacted();
}

RedisUrl parse_redis_url(std::string_view url) {
  if (url.empty()) throw UrlError(cat("--target '': an empty URL (use ", kForm, ")"));
  RedisUrl u;
  u.as_written = mask_url_password(url);
  const std::string& shown = u.as_written;
  std::string_view rest = url;
  if (rest.substr(0, kScheme.size()) == kScheme) {
    rest.remove_prefix(kScheme.size());
  } else if (rest.substr(0, kTlsScheme.size()) == kTlsScheme) {
    rest.remove_prefix(kTlsScheme.size());
    u.tls = true;
  } else if (rest.find("://") != std::string_view::npos) {
    throw UrlError(cat("--target ", shown, ": unsupported URL scheme '", url.substr(0, url.find("://") + 3),
                       "' (use ", kForm, ")"));
  }
  // Userinfo ends at the last '@' (a raw '@' in a password is tolerated).
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view info = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = info.find(':');
    u.user = percent_decode(info.substr(0, colon), "user", shown);
    if (colon != std::string_view::npos)
      u.password = percent_decode(info.substr(colon + 1), "password", shown);
    // Without a password no AUTH is sent, so the user would be dropped silently and the run would act as the
    // default user: refuse instead. (A "nopass" ACL user accepts any password.)
    if (!u.user.empty() && u.password.empty())
      // Not echoed: what stands before '@' may be a password written without its colon (redis://s3cret@host).
      throw UrlError(cat("--target ", u.tls ? kTlsScheme : kScheme, "***@", rest,
                         ": a user without a password: give both (", u.tls ? kTlsScheme : kScheme,
                         "USER:PASSWORD@", rest, "), or omit the user"));
  }
  if (auto q = rest.find_first_of("?#"); q != std::string_view::npos)
    throw UrlError(cat("--target ", shown, ": URL parameters ('", rest.substr(q),
                       "') are not supported (give the database as /N)"));
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) u.db = parse_int(db, 0, INT_MAX, "database", shown);
  }
  if (hostport.empty()) throw UrlError(cat("--target ", shown, ": no host in the URL (use ", kForm, ")"));
  std::string_view host = hostport;
  if (hostport.front() == '[') {  // [::1]:6379
    auto close = hostport.find(']');
    if (close == std::string_view::npos)
      throw UrlError(cat("--target ", shown, ": unterminated '[' in the host"));
    host = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        throw UrlError(cat("--target ", shown, ": unexpected text after ']' in the host"));
      u.port = parse_int(after.substr(1), 1, 65535, "port", shown);
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    u.port = parse_int(hostport.substr(colon + 1), 1, 65535, "port", shown);
  }
  if (host.empty()) throw UrlError(cat("--target ", shown, ": no host in the URL (use ", kForm, ")"));
  u.host = std::string(host);
  return u;
}

}  // namespace lh::net
