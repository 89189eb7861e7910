// redis://[user[:password]@]host[:port][/db] target URLs. The password is never printed: use redacted().
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace lh::net {

struct UrlError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct RedisUrl {
  std::string user;      // empty: the default user
  std::string password;  // empty: no AUTH
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;

  std::string address() const { return host + ":" + std::to_string(port); }
  // redis://user:***@host:port/db — safe for logs and reports.
  std::string redacted() const;
};

// Throws UrlError with a message that quotes the URL redacted (never the password).
RedisUrl parse_redis_url(std::string_view url);

}  // namespace lh::net
