// redis://[user[:password]@]host[:port][/db] target URLs, and rediss:// for TLS. The password is never printed: messages use
// display() (the URL as the user wrote it, the password masked) or redacted() (normalised, the password
// masked).
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lh::net {

struct UrlError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class TlsContext;

struct RedisUrl {
  bool tls = false;  // rediss://
  // The run's TLS settings (net/tls.hpp), attached by the runner to every rediss:// URL; a cluster node's URL
  // is a copy of its seed's, so it inherits them.
  std::shared_ptr<TlsContext> tls_context;
  std::string user;      // empty: the default user
  std::string password;  // empty: no AUTH
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  // The text parse_redis_url() was given, the password replaced by ***; "" when not parsed from text (an
  // embedded server's address).
  std::string as_written;

  std::string address() const { return host + ":" + std::to_string(port); }
  // redis://user:***@host:port/db (rediss:// for TLS) — safe for logs and reports.
  std::string redacted() const;
  // For messages: as_written while it still names this host, port and db (a cluster node's URL is a copy of
  // the seed's with another address), else redacted(). A user recognises what they typed.
  std::string display() const;
};

// Throws UrlError with a one-line message that starts with "--target" and quotes the URL as written, the
// password masked. A user without a password is refused (it would silently connect as the default user).
RedisUrl parse_redis_url(std::string_view url);

// `url` as written with the password (if any) replaced by ***; no validation.
std::string mask_url_password(std::string_view url);

// Registers the password of `url` for lh::redact() (util/secrets.hpp) in every form it can appear: as written
// (percent-encoded or not), decoded, and a userinfo without a colon (redis://s3cret@host: a password written
// without its colon). No validation: a URL that does not parse registers what it can.
void add_url_secrets(std::string_view url);

}  // namespace lh::net
