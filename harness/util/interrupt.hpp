// The process-wide "stop" flag: set from the signal handler (SIGINT, SIGTERM, SIGHUP), read by everything that
// waits. The load's workers stop at their next op: the engine's watchdog notices within 20 ms, wakes sleeping
// clients at once and, after 100 ms, closes every connection, so a hung server cannot hold the run.
#pragma once
#include <atomic>
#include <chrono>

namespace lh {

extern std::atomic<bool> g_interrupted;

// True once the run was interrupted more than 0.5 s ago (the first time anyone asked after the signal): from then
// on setup, check and cleanup waits give up at once, whichever client or node they are on.
bool interrupt_grace_over();

// After an interrupt: lets waits go on for `window` from now (cleanup that must not be cut short, e.g. keys a
// lint wrote on the user's server; a second signal still ends the process at once).
void extend_interrupt_grace(std::chrono::milliseconds window);

}  // namespace lh
