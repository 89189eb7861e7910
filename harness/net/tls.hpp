// TLS for rediss:// targets: one client context per run, built from the --tls-* flags, shared by every
// connection (the load's, the admin clients', every cluster node's). Certificate and host name are verified
// by default: against --tls-ca, else the system's trust store; the name is --tls-sni when given, else the
// URL's host (an IP address is matched against the certificate's IP SANs). --tls-insecure turns both off.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <stdexcept>
#include <string>

namespace lh::net {

struct TlsOptions {
  std::string ca_file;    // --tls-ca: PEM CA bundle; empty = the system's trust store
  std::string cert_file;  // --tls-cert: client certificate (PEM), for servers with tls-auth-clients
  std::string key_file;   // --tls-key: its private key (PEM)
  std::string sni;        // --tls-sni: the server name to send and verify; empty = the URL's host
  bool insecure = false;  // --tls-insecure: verify nothing
  bool any_given() const {
    return !ca_file.empty() || !cert_file.empty() || !key_file.empty() || !sni.empty() || insecure;
  }
};

// A bad file or a key that does not match its certificate: one line naming the flag and the file.
struct TlsSetupError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class TlsContext {
 public:
  // Throws TlsSetupError.
  explicit TlsContext(TlsOptions options);
  boost::asio::ssl::context& native() noexcept { return ctx_; }
  const TlsOptions& options() const noexcept { return options_; }

 private:
  TlsOptions options_;
  boost::asio::ssl::context ctx_;
};

// The reason a handshake failed, in words: "certificate verify failed: unable to get local issuer
// certificate" when the peer's certificate was refused, else OpenSSL's own message, with a hint when the
// port does not speak TLS at all.
std::string tls_failure_reason(void* ssl /* SSL* */, const std::string& what);

}  // namespace lh::net
