// A variant's LoadResult as JSON, exactly: the latency histograms, the per-second series, the op and error
// counts and the checker's state. A sharded run's report carries it per result (results[].merge_state), and
// `lua-harness merge` loads the shards' back and merges them into what one process would have recorded.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "harness/engine/engine.hpp"

namespace lh::engine {

nlohmann::json save_load_result(const LoadResult& lr);
// Throws std::invalid_argument naming the field ("merge_state.latency: ...") on anything save did not write.
// The checker state is made by `variant.new_state()` and loaded into.
LoadResult load_load_result(const nlohmann::json& j, const VariantRun& variant);
// Folds a shard's result into `into`: counts and histograms add, the measured time is the longest (shards
// run at the same time), the checker states merge. Their events compare in time only because every shard's
// run clock started at the one --start-at (the merge refuses shards whose origin_unix_us differ).
void merge_load_result(LoadResult& into, const LoadResult& from);

}  // namespace lh::engine
