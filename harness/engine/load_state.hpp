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
// run at the same time), the checker states merge; events of a shard whose run clock started later are
// shifted onto the earliest shard's clock (HistoryState), by the wall-clock times each one's clock started.
void merge_load_result(LoadResult& into, const LoadResult& from);

}  // namespace lh::engine
