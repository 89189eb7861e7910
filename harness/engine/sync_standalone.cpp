#include "harness/engine/sync_standalone.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <thread>

#include "harness/engine/engine.hpp"
#include "harness/engine/exit_errors.hpp"

namespace lh::engine {

using namespace std::chrono_literals;
using net::Clock;

namespace {
// After SIGINT, how long a command may still wait (a healthy server answers a cleanup's SCAN in far less).
constexpr auto kInterruptGrace = 500ms;

net::Timeouts admin_timeouts(net::Timeouts t) {
  // --reply-timeout judges the load's ops; a server still busy with a slow script when the load stops must
  // not fail the run's check or cleanup.
  t.reply = std::max(t.reply, std::chrono::milliseconds(5000));
  return t;
}
}  // namespace

NodeClient::NodeClient(net::RedisUrl url, net::Timeouts t)
    : url_(url), conn_(io_, std::move(url), admin_timeouts(t), &deadlines_) {}

NodeClient::~NodeClient() {
  conn_.close();
  io_.restart();
  io_.poll();  // let cancelled operations finish before the connection goes
}

asio::awaitable<void> NodeClient::attempt(const std::vector<std::string>* argv, std::optional<net::Reply>* out) {
  if (!conn_.is_open()) {
    net::Reply c = co_await conn_.connect();
    if (c.is_error()) {
      handshake_error_ = !c.is_transport_failure();
      *out = std::move(c);
      co_return;
    }
  }
  if (!argv) {
    *out = net::Reply();
    co_return;
  }
  std::vector<std::string_view> v(argv->begin(), argv->end());
  *out = co_await conn_.call(v);
}

net::Reply NodeClient::drive(const std::vector<std::string>* argv) {
  if (!interrupt_seen_ && g_interrupted.load(std::memory_order_relaxed)) interrupt_seen_ = Clock::now();
  if (interrupt_seen_ && Clock::now() > *interrupt_seen_ + kInterruptGrace) throw Interrupted();
  std::optional<net::Reply> out;
  handshake_error_ = false;
  asio::co_spawn(io_, attempt(argv, &out), asio::detached);
  bool abandoned = false;
  while (!out) {
    io_.restart();
    io_.run_for(20ms);
    const auto now = Clock::now();
    deadlines_.check(now);
    if (g_interrupted.load(std::memory_order_relaxed)) {
      if (!interrupt_seen_) interrupt_seen_ = now;
      if (!abandoned && now > *interrupt_seen_ + kInterruptGrace) {
        abandoned = true;
        conn_.close();  // the pending read or connect completes with an error; then we give up
      }
    }
  }
  if (abandoned) throw Interrupted();
  return std::move(*out);
}

void NodeClient::handshake_refused(const net::Reply& r) const {
  const std::string msg(r.error_message());
  if (url_.db != 0 && msg.find("DB index") != std::string::npos)
    throw UsageError(url_.display() + ": SELECT " + std::to_string(url_.db) + " refused: " + msg +
                     " (the server has fewer databases; see its `databases` setting)");
  if (msg.rfind("NOAUTH", 0) == 0)
    throw TargetError(url_.display() + " requires a password: " + msg +
                      " (give it in the URL: redis://[user:]password@host:port)");
  throw TargetError("authentication failed at " + url_.display() + ": " + msg);
}

void NodeClient::connect() {
  net::Reply r = drive(nullptr);
  if (!r.is_error()) return;
  if (handshake_error_) handshake_refused(r);
  throw TargetError("cannot connect to " + url_.display() + ": " + std::string(r.error_message()));
}

net::Reply NodeClient::try_command(const std::vector<std::string>& argv) {
  net::Reply r = drive(&argv);
  if (r.is_error() && handshake_error_) handshake_refused(r);
  return r;
}

void NodeClient::wait(std::chrono::milliseconds d) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
    if (g_interrupted.load(std::memory_order_relaxed)) {
      if (!interrupt_seen_) interrupt_seen_ = Clock::now();
      if (Clock::now() > *interrupt_seen_ + kInterruptGrace) throw Interrupted();
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), 20ms));
  }
}

net::Reply NodeClient::command(const std::vector<std::string>& argv, std::chrono::milliseconds patience) {
  const auto give_up = Clock::now() + patience;
  auto backoff = 10ms;
  for (;;) {
    net::Reply r = try_command(argv);
    const bool loading = r.is_error() && !r.is_transport_failure() && r.error_message().rfind("LOADING", 0) == 0;
    if (!r.is_transport_failure() && !loading) return r;
    if (Clock::now() + backoff > give_up)
      throw TargetLost("lost " + url_.display() + " for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience).count()) +
                       " s: " + std::string(r.error_message()));
    wait(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
  }
}

}  // namespace lh::engine
