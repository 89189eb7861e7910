#include "harness/app/target_open.hpp"

#include <algorithm>
#include <iomanip>
#include <random>
#include <sstream>

#include "harness/transport/cluster_session.hpp"
#include "harness/util/exit_errors.hpp"

namespace lh::app {

std::string random_run_id() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << std::setw(8) << std::setfill('0') << (rd() & 0xFFFFFFFFu);
  return s.str();
}

void attach_tls(std::vector<net::RedisUrl>& seeds, const net::TlsOptions& options) {
  const auto tls = std::count_if(seeds.begin(), seeds.end(), [](const net::RedisUrl& u) { return u.tls; });
  if (tls == 0) {
    if (options.any_given())
      throw UsageError("--tls-* options need a TLS target: write it as rediss://host:port");
    return;
  }
  if (static_cast<std::size_t>(tls) != seeds.size())
    throw UsageError("--target: some seeds are rediss:// and some redis://: a cluster speaks one of them");
  std::shared_ptr<net::TlsContext> ctx;
  try {
    ctx = std::make_shared<net::TlsContext>(options);
  } catch (const net::TlsSetupError& e) {
    throw UsageError(e.what());
  }
  for (auto& s : seeds) s.tls_context = ctx;
}

std::unique_ptr<transport::TargetSession> open_target(const std::vector<net::RedisUrl>& seeds, bool cluster,
                                                      net::Timeouts t, bool embedded) {
  if (cluster) return transport::open_cluster(seeds, t, embedded);
  return transport::open_standalone(seeds.front(), t, embedded);
}

bool is_cluster(const std::vector<net::RedisUrl>& seeds, bool forced, net::Timeouts t) {
  return forced || transport::cluster_enabled(seeds, t);
}

}  // namespace lh::app
