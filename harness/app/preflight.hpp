// The ACL preflight: before any load, the run checks that the user its URL names may send every command the
// run will send, on keys under its prefix, and refuses (exit 3) naming the command or the key pattern and
// the fix. Two probes, both under the run prefix (verified empty first), so nothing of the user's is touched:
//   1. the admin commands (SCRIPT LOAD, UNLINK) queued inside MULTI and discarded: Redis checks a queued
//      command's ACL when it queues it, and DISCARD runs none of them;
//   2. one real op of every variant (its setup, the op, its read-back) under PREFIX preflight:, so the
//      commands its scripts call are checked too, then those keys are deleted.
// A user may lack MULTI: the first probe is then skipped (the second still runs).
#pragma once
#include <string>
#include <vector>

#include "harness/engine/engine.hpp"
#include "harness/scenarios/scenario.hpp"
#include "harness/transport/target.hpp"

namespace lh::app {

struct ProbeJob {
  std::string label;  // "SCENARIO/VARIANT"
  scenarios::VariantRun* run;
};

// `user` is the URL's user ("" = default); `probe_prefix` is a fresh sub-prefix of the run's. Throws
// TargetError (exit 3) for a refusal.
void acl_preflight(transport::TargetSession& target, const transport::RedisFactory& factory,
                   const std::vector<ProbeJob>& probes, const std::string& user,
                   const std::string& run_prefix, const std::string& probe_prefix, uint64_t seed);

}  // namespace lh::app
