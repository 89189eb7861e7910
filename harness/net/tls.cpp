#include "harness/net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <fstream>

#include "harness/util/strcat.hpp"

namespace lh::net {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the last error on this thread, without its "error:0A000086:SSL routines::" prefix.
std::string last_openssl_error() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : "error " + std::to_string(e);
}

void readable(const std::string& flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TlsSetupError(cat(flag, " ", path, ": cannot read the file"));
}

}  // namespace

TlsContext::TlsContext(TlsOptions options) : options_(std::move(options)), ctx_(ssl::context::tls_client) {
  const TlsOptions& o = options_;
  ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX* native = ctx_.native_handle();
  ERR_clear_error();
  if (!o.ca_file.empty()) {
    readable("--tls-ca", o.ca_file);
    if (SSL_CTX_load_verify_locations(native, o.ca_file.c_str(), nullptr) != 1)
      throw TlsSetupError(
          cat("--tls-ca ", o.ca_file, ": not a PEM certificate bundle (", last_openssl_error(), ")"));
  } else if (SSL_CTX_set_default_verify_paths(native) != 1) {
    throw TlsSetupError(cat("TLS: the system's trust store could not be loaded (", last_openssl_error(),
                            "): give --tls-ca FILE"));
  }
  if (o.cert_file.empty() != o.key_file.empty())
    throw TlsSetupError(o.cert_file.empty() ? "--tls-key needs --tls-cert (the certificate it belongs to)"
                                            : "--tls-cert needs --tls-key (its private key)");
  if (!o.cert_file.empty()) {
    readable("--tls-cert", o.cert_file);
    readable("--tls-key", o.key_file);
    if (SSL_CTX_use_certificate_chain_file(native, o.cert_file.c_str()) != 1)
      throw TlsSetupError(
          cat("--tls-cert ", o.cert_file, ": not a PEM certificate (", last_openssl_error(), ")"));
    if (SSL_CTX_use_PrivateKey_file(native, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      const std::string why = last_openssl_error();
      if (why.find("mismatch") != std::string::npos)
        throw TlsSetupError(cat("--tls-key ", o.key_file, " does not belong to --tls-cert ", o.cert_file));
      throw TlsSetupError(
          cat("--tls-key ", o.key_file, ": not a PEM private key without a passphrase (", why, ")"));
    }
    if (SSL_CTX_check_private_key(native) != 1)
      throw TlsSetupError(cat("--tls-key ", o.key_file, " does not belong to --tls-cert ", o.cert_file));
  }
  ctx_.set_verify_mode(o.insecure ? ssl::verify_none : ssl::verify_peer);
}

std::string tls_failure_reason(void* handle, const std::string& what) {
  auto* s = static_cast<SSL*>(handle);
  if (s) {
    const long v = SSL_get_verify_result(s);
    if (v != X509_V_OK) return cat("certificate verify failed: ", X509_verify_cert_error_string(v));
  }
  if (what.find("wrong version number") != std::string::npos ||
      what.find("packet length too long") != std::string::npos)
    return what + " (the port does not speak TLS: use redis:// for a plain port)";
  return what;
}

}  // namespace lh::net
