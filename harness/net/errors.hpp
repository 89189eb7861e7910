// Error classes and op outcomes: the vocabulary every layer uses to turn failures into data.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace lh::net {

// What happened to one logical op (docs/contract.md "ops").
enum class Outcome : uint8_t {
  ok = 0,             // the effect is known to have happened (or a clean refusal, e.g. "rate limited")
  failed = 1,         // known not to have happened (error reply before execution)
  indeterminate = 2,  // unknown: timeout, lost connection; the command may have run
};

// Error classes of the report's "errors" object. Order is the report's order.
enum class ErrorClass : uint8_t {
  noscript,
  busy,
  moved,
  ask,
  tryagain,
  clusterdown,
  crossslot,
  oom,
  readonly,
  timeout,
  connection,
  protocol,
  script,
  noperm,  // an ACL refused the command, key or channel (NOPERM)
  other,
  count_  // not a class: the number of classes
};
inline constexpr std::size_t kErrorClassCount = static_cast<std::size_t>(ErrorClass::count_);

constexpr std::string_view error_class_name(ErrorClass c) {
  constexpr std::array<std::string_view, kErrorClassCount> names = {
      "noscript", "busy",    "moved",      "ask",      "tryagain", "clusterdown", "crossslot", "oom",
      "readonly", "timeout", "connection", "protocol", "script",   "noperm",      "other"};
  return names[static_cast<std::size_t>(c)];
}

// Classifies the text of a Redis error reply ("NOSCRIPT No matching script", "ERR Error running script ...").
ErrorClass classify_error_reply(std::string_view message);

// The outcome an error reply implies: errors Redis returns before executing anything are `failed`;
// a script runtime error may have written before failing (Lua is atomic, not transactional): `indeterminate`.
Outcome outcome_of_error_reply(ErrorClass c);

}  // namespace lh::net
