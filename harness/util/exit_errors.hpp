// Setup problems end a run with the contract's exit codes (docs/contract.md "Exit codes"). Everything that happens
// during the load is data, not an exception.
#pragma once
#include <stdexcept>
#include <string>

namespace lh {

struct ExitError : std::runtime_error {
  ExitError(int code, const std::string& msg) : std::runtime_error(msg), exit_code(code) {}
  int exit_code;
};
// Invalid usage or input: unknown flag, unreadable file, Lua that Redis rejects, cross-slot keys.
struct UsageError : ExitError {
  explicit UsageError(const std::string& msg) : ExitError(2, msg) {}
};
// The target cannot be reached, authentication failed, or it was lost before any op completed.
struct TargetError : ExitError {
  explicit TargetError(const std::string& msg) : ExitError(3, msg) {}
};

// The target was reached, then lost mid-run (a setup, check or cleanup connection stayed away past its
// patience). The run stops, and the report is still written, with "aborted" (exit 3).
struct TargetLost : TargetError {
  explicit TargetLost(const std::string& msg) : TargetError(msg) {}
};
// SIGINT/SIGTERM/SIGHUP arrived while a setup, check or cleanup command waited. Deliberately not a
// std::runtime_error, so the "try the next node" catch blocks of the cluster client do not swallow it.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTarget = 3;
inline constexpr int kExitInterrupted = 130;

}  // namespace lh
