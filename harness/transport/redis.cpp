#include "harness/transport/redis.hpp"

namespace lh::transport {

// Transports without the frame-free batch path never get these calls (start_batch() said false).
asio::awaitable<std::size_t> Redis::batch_io() { co_return 0; }
asio::awaitable<void> Redis::retry_batch() { co_return; }

}  // namespace lh::transport
