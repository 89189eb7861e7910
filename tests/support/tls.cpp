#include "support/tls.hpp"

#include <cstdlib>
#include <stdexcept>

#include "support/process.hpp"

namespace lh::test {

namespace {

void openssl(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && openssl " + args + " >>openssl.log 2>&1";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("openssl " + args + " failed: " + read_text(dir + "/openssl.log"));
}

// A key and a certificate signed by ca.crt (`ext`: the extensions file's contents, may be empty).
void signed_cert(const std::string& dir, const std::string& name, const std::string& subject,
                 const std::string& ext) {
  openssl(dir, "req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name + ".csr -subj '" +
                   subject + "'");
  std::string extfile;
  if (!ext.empty()) {
    write_text(dir + "/" + name + ".ext", ext);
    extfile = " -extfile " + name + ".ext";
  }
  openssl(dir, "x509 -req -in " + name + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out " +
                   name + ".crt" + extfile);
}

}  // namespace

TestCerts::TestCerts() : dir(temp_dir()) {
  openssl(dir, "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=lh test CA'");
  openssl(dir,
          "req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 2 "
          "-subj '/CN=lh other CA'");
  signed_cert(dir, "server", "/CN=redis.test", "subjectAltName=IP:127.0.0.1,DNS:redis.test\n");
  signed_cert(dir, "client", "/CN=lh test client", "");
  ca = dir + "/ca.crt";
  other_ca = dir + "/other-ca.crt";
  server_cert = dir + "/server.crt";
  server_key = dir + "/server.key";
  client_cert = dir + "/client.crt";
  client_key = dir + "/client.key";
}

TestCerts::~TestCerts() { remove_tree(dir); }

std::vector<std::string> tls_server_args(const TestCerts& c, int tls_port, bool auth_clients) {
  return {"--tls-port",         std::to_string(tls_port),
          "--tls-cert-file",    c.server_cert,
          "--tls-key-file",     c.server_key,
          "--tls-ca-cert-file", c.ca,
          "--tls-auth-clients", auth_clients ? "yes" : "no"};
}

}  // namespace lh::test
