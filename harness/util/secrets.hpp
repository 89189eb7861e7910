// Masking of secrets (the targets' passwords) in text that reaches a report or the log. Messages name
// addresses as host:port and Redis does not echo AUTH's arguments, so this is a second line of defence: a
// password must never be printed, whatever a server or proxy puts in its error text.
#pragma once
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

}  // namespace lh
