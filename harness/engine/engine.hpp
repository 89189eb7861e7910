// The load engine: T worker threads, each with its own io_context running its share of the virtual clients
// as coroutines. Closed loop (with --pipeline for single-call variants) or open loop (--rate, latency from the
// intended start). Each thread records into its own Recorder; they are merged after join.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "harness/engine/client_ctx.hpp"
#include "harness/engine/recorder.hpp"
#include "harness/engine/workload.hpp"
#include "harness/net/connection.hpp"

namespace lh::engine {

struct LoadConfig {
  uint32_t threads = 1;
  uint32_t clients = 50;
  uint32_t pipeline = 1;
  std::chrono::microseconds duration{10'000'000};
  std::chrono::microseconds warmup{0};
  std::optional<uint64_t> requests;  // total logical ops (split over the clients), instead of duration
  std::optional<double> rate;        // open loop, total ops/s (--shard: this shard's share)
  // --stages: the open-loop rate ramps stage by stage (engine/schedule.hpp); the run's whole schedule (every
  // shard's together), instead of `rate`. The load lasts the stages' total; no warmup.
  std::vector<reports::Stage> stages;
  uint64_t seed = 0;
  double think_time_ms = 0;
  // Progress line on stderr (only when stderr is a terminal); label "SCENARIO/VARIANT".
  bool progress = false;
  std::string label;
  // --shard: this process's clients are ids first_client .. first_client + clients - 1 of the run's.
  uint32_t first_client = 0;
  uint32_t total_clients =
      0;  // the run's clients (0: `clients`): open-loop slots interleave over all of them
  // --start-at: the load starts at this wall time (unix microseconds), and the run clock's zero is that
  // instant, so the events of shards on several machines share one clock (as far as their clocks agree).
  std::optional<int64_t> start_at_unix_us;
  // --shard: the checker states keep their events for the merge (never streamed: engine/check_state.hpp).
  bool keep_events = false;
};

using transport::RedisFactory;

// --workload: one entry of the mix, and its weight (each virtual client picks its next op, or with --pipeline
// its next batch of a single-call entry, by weight).
struct MixEntry {
  VariantRun* run = nullptr;
  double weight = 1;
};

struct LoadResult {
  Recorder merged;
  // From the end of warmup (the series' clock zero) to the last measured op's completion: duration_s,
  // throughput and the series all count on this one clock.
  double measured_s = 0;
  // Open loop only: ops scheduled in the measured period, and those that never started because their client
  // was still busy when the run ended (k6's dropped_iterations). 0 in a closed loop.
  uint64_t scheduled = 0, dropped = 0;
  // The pipeline depth the variant ran with (--pipeline for single-call variants, else 1).
  uint32_t pipeline = 1;
  // From the series' clock zero (the end of warmup) to the last measured op's completion: the series' last
  // point covers series_end_s - its second (< 1 when the run ended mid-second). 0 when nothing was measured.
  double series_end_s = 0;
  bool interrupted = false;    // SIGINT/SIGTERM stopped the load
  int64_t origin_unix_us = 0;  // the wall time of the run clock's zero
  uint64_t connect_failures = 0;
  std::string last_connect_error;
  // A mix (more than one entry): each entry's own recorder, checker state included; `merged` then holds their
  // sum without a checker state (the total row).
  std::vector<Recorder> entries;
};

bool open_loop(const LoadConfig& cfg);

LoadResult run_load(const LoadConfig& cfg, VariantRun& variant, const RedisFactory& make_redis);
// A weighted mix of variants in one load (--workload). One entry: the same as the overload above.
LoadResult run_load(const LoadConfig& cfg, const std::vector<MixEntry>& mix, const RedisFactory& make_redis);

}  // namespace lh::engine
