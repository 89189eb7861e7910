// TLS fixtures for the tests: certificates made by `openssl` at test time in a temporary directory (a
// throwaway CA, a server certificate for 127.0.0.1 and redis.test signed by it, a client certificate, and a
// second CA that signed nothing the servers present), and the redis-server flags that serve TLS with them.
#pragma once
#include <string>
#include <vector>

namespace lh::test {

struct TestCerts {
  std::string dir;  // removed by the destructor
  std::string ca, server_cert, server_key, client_cert, client_key, other_ca;
  TestCerts();  // throws std::runtime_error when openssl fails
  ~TestCerts();
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;
};

// --tls-port PORT and the certificate flags; `auth_clients` is tls-auth-clients (yes: a client certificate
// signed by the CA is required).
std::vector<std::string> tls_server_args(const TestCerts& certs, int tls_port, bool auth_clients = false);

}  // namespace lh::test
