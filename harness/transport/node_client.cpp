#include "harness/transport/node_client.hpp"

#include "harness/util/interrupt.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <thread>

#include "harness/transport/redirect.hpp"
#include "harness/util/exit_errors.hpp"

namespace lh::transport {

using namespace std::chrono_literals;
using net::Clock;

namespace {
net::Timeouts admin_timeouts(net::Timeouts t) {
  // --reply-timeout judges the load's ops; a server still busy with a slow script when the load stops must
  // not fail the run's check or cleanup.
  t.reply = std::max(t.reply, kMinAdminReplyTimeout);
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

asio::awaitable<void> NodeClient::attempt(const std::vector<std::string>* argv,
                                          std::optional<net::Reply>* out) {
  try {
    if (!conn_.is_open()) {
      net::Reply c = co_await conn_.connect();
      if (c.is_error()) {
        // A server still loading its data (a restart) or busy with a script answers the handshake's PING with
        // LOADING/BUSY: that is a wait, not a refusal.
        const std::string_view m = c.error_message();
        const bool wait = m.rfind("LOADING", 0) == 0 || m.rfind("BUSY", 0) == 0;
        handshake_error_ = !c.is_transport_failure() && !wait;
        conn_.close();
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
  } catch (...) {
    failure_ = std::current_exception();
    *out = net::Reply::failure(net::ErrorClass::other, "internal error");
  }
}

net::Reply NodeClient::drive(const std::vector<std::string>* argv) {
  if (interrupt_grace_over()) throw Interrupted();
  std::optional<net::Reply> out;
  handshake_error_ = false;
  failure_ = nullptr;
  asio::co_spawn(io_, attempt(argv, &out), asio::detached);
  bool abandoned = false;
  while (!out) {
    io_.restart();
    io_.run_for(20ms);
    deadlines_.check(Clock::now());
    if (!abandoned && interrupt_grace_over()) {
      abandoned = true;
      conn_.close();  // the pending read or connect completes with an error; then we give up
    }
  }
  if (failure_) std::rethrow_exception(failure_);
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
  if (msg.rfind("WRONGPASS", 0) == 0 || msg.find("invalid password") != std::string::npos ||
      msg.find("invalid username") != std::string::npos)
    throw TargetError("authentication failed at " + url_.display() + ": " + msg);
  throw TargetError(url_.display() + " refused the connection's handshake (AUTH, SELECT, PING): " + msg);
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
    if (interrupt_grace_over()) throw Interrupted();
    std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), 20ms));
  }
}

net::Reply NodeClient::command(const std::vector<std::string>& argv, std::chrono::milliseconds patience) {
  Backoff backoff(node_backoff(patience), Clock::now());
  for (;;) {
    net::Reply r = try_command(argv);
    const std::string_view m = r.is_error() ? r.error_message() : std::string_view();
    const bool busy =
        r.is_error() && !r.is_transport_failure() && (m.rfind("LOADING", 0) == 0 || m.rfind("BUSY", 0) == 0);
    if (!r.is_transport_failure() && !busy) return r;
    const auto now = Clock::now();
    const Backoff::Wait w = backoff.wait(now, false);  // (wait() below watches the interrupt)
    if (w.stop != Backoff::Stop::none) {
      if (busy) return r;  // the server answers, just not yet: the caller says what it could not do
      throw TargetLost("lost " + url_.display() + " for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience).count()) +
                       " s: " + std::string(r.error_message()));
    }
    wait(std::chrono::duration_cast<std::chrono::milliseconds>(w.until - now));
  }
}

}  // namespace lh::transport
