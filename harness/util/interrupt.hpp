// The process-wide "stop" flag: set from the signal handler (SIGINT, SIGTERM, SIGHUP), read by everything that
// waits. The load's workers stop at their next op: the engine's watchdog notices within 20 ms, wakes sleeping
// clients at once and, after 100 ms, closes every connection, so a hung server cannot hold the run.
#pragma once
#include <atomic>

namespace lh {

extern std::atomic<bool> g_interrupted;

// True once the run was interrupted more than 0.5 s ago (the first time anyone asked after the signal): from then
// on setup, check and cleanup waits give up at once, whichever client or node they are on.
bool interrupt_grace_over();

}  // namespace lh
