// Opening a given target the way every command does (run, capacity, merge and lint --target): the run's random
// key prefix, one TLS context for every rediss:// seed, and standalone or cluster mode from the server.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "harness/net/connection.hpp"
#include "harness/net/tls.hpp"
#include "harness/net/url.hpp"
#include "harness/transport/target.hpp"

namespace lh::app {

// Eight hex digits from std::random_device: the <run-id> of the default prefix lh:<run-id>:.
std::string random_run_id();

// One TLS context for the run, on every rediss:// seed (cluster nodes inherit it from their seed). Throws
// UsageError for a bad --tls-* file, for --tls-* flags without a rediss:// target, and for seeds that mix
// redis:// and rediss://.
void attach_tls(std::vector<net::RedisUrl>& seeds, const net::TlsOptions& options);

// A cluster session on the seeds when `cluster`, else a standalone one on the first seed. Throws TargetError
// (exit 3) when no seed answers.
std::unique_ptr<transport::TargetSession> open_target(const std::vector<net::RedisUrl>& seeds, bool cluster,
                                                      net::Timeouts t, bool embedded);
// --cluster, or the first seed answering says cluster_enabled:1.
bool is_cluster(const std::vector<net::RedisUrl>& seeds, bool forced, net::Timeouts t);

}  // namespace lh::app
