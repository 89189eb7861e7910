#include "harness/net/errors.hpp"

namespace lh::net {

namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
}  // namespace

ErrorClass classify_error_reply(std::string_view m) {
  if (starts_with(m, "NOSCRIPT")) return ErrorClass::noscript;
  // FCALL of a function the server no longer has (FUNCTION FLUSH, a restart without persistence): the
  // library is loaded again and the call retried once, as for NOSCRIPT.
  if (starts_with(m, "ERR Function not found")) return ErrorClass::noscript;
  if (starts_with(m, "BUSY")) return ErrorClass::busy;
  if (starts_with(m, "MOVED ")) return ErrorClass::moved;
  if (starts_with(m, "ASK ")) return ErrorClass::ask;
  if (starts_with(m, "TRYAGAIN")) return ErrorClass::tryagain;
  if (starts_with(m, "CLUSTERDOWN")) return ErrorClass::clusterdown;
  if (starts_with(m, "CROSSSLOT")) return ErrorClass::crossslot;
  if (starts_with(m, "OOM")) return ErrorClass::oom;
  if (starts_with(m, "READONLY")) return ErrorClass::readonly;
  if (starts_with(m, "NOPERM")) return ErrorClass::noperm;
  // Redis 7.0 prefixes script errors with "ERR user_script:1: ..." or "ERR Error running script".
  if (contains(m, "user_script") || contains(m, "user_function") || contains(m, "Error running script") ||
      contains(m, "Error compiling script") || starts_with(m, "UNKILLABLE"))
    return ErrorClass::script;
  if (contains(m, "non local key")) return ErrorClass::script;
  return ErrorClass::other;
}

Outcome outcome_of_error_reply(ErrorClass c) {
  switch (c) {
    case ErrorClass::script:  // may have written before the error
    case ErrorClass::timeout:
    case ErrorClass::connection:
    case ErrorClass::protocol:
      return Outcome::indeterminate;
    default:
      return Outcome::failed;
  }
}

}  // namespace lh::net
