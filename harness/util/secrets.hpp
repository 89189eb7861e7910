// Masking of secrets (the targets' passwords) in text that reaches a report, an output or the log: the one
// redaction path. main() registers every --target's password in every form it can take (net::add_url_secrets:
// as written, percent-decoded, a userinfo written without its colon), the runner adds each seed's, and every
// message (main's error line, the log, the early-exit message), every field of the report that holds server
// text, and every output file or stdout output (reports::write_text_file, the JSON report) goes through
// redact(). Messages name addresses as host:port and URLs masked, and Redis does not echo AUTH's arguments, so
// this is the second line of defence: a password is never printed, whatever a server or proxy puts in its error
// text.
#pragma once
#include <mutex>
#include <string>
#include <vector>

namespace lh {

// `message` with every occurrence of each non-empty secret replaced by "***". Mask first, cut after: a cut
// first could leave the start of a secret that crossed the cut.
inline std::string without_secrets(std::string message, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t p = message.find(secret); p != std::string::npos; p = message.find(secret, p + 3))
      message.replace(p, secret.size(), "***");
  }
  return message;
}

namespace detail {
struct SecretRegistry {
  std::mutex mutex;
  std::vector<std::string> secrets;
};
inline SecretRegistry& secret_registry() {
  static SecretRegistry r;
  return r;
}
}  // namespace detail

// Registers a secret for redact(), with the escaped forms a JSON, XML or HTML writer would give it.
inline void add_secret(const std::string& secret) {
  if (secret.empty()) return;
  auto& r = detail::secret_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto add = [&](std::string s) {
    for (const auto& have : r.secrets)
      if (have == s) return;
    r.secrets.push_back(std::move(s));
  };
  add(secret);
  std::string json, xml;
  for (char c : secret) {
    if (c == '"' || c == '\\') json += '\\';
    json += c;
    switch (c) {
      case '&':
        xml += "&amp;";
        break;
      case '<':
        xml += "&lt;";
        break;
      case '>':
        xml += "&gt;";
        break;
      case '"':
        xml += "&quot;";
        break;
      case '\'':
        xml += "&apos;";
        break;
      default:
        xml += c;
    }
  }
  add(json);
  add(xml);
}

// `text` with every registered secret masked.
inline std::string redact(std::string text) {
  auto& r = detail::secret_registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return without_secrets(std::move(text), r.secrets);
}

}  // namespace lh
