// The blocking clients of setup, read-back and cleanup. They run on the load's own connection machinery
// (net::Connection: the same connect, AUTH/SELECT handshake, RESP encoding, hiredis parsing and error classes),
// each on a private io_context, and survive what a long run meets: after a lost connection (an idle
// `timeout`, CLIENT KILL, a restart on the same port) they reconnect with back-off and send again, and they
// wait out LOADING, for up to their patience. Once the run is interrupted they give up within 0.5 s, so a hung
// server never holds Ctrl-C.
//
// Resending after a lost connection is safe for what goes through them: idempotent setup (SET k 0, DEL),
// reads, SCAN and UNLINK, SCRIPT LOAD.
#pragma once
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "harness/net/connection.hpp"
#include "harness/net/url.hpp"
#include "harness/transport/admin_client.hpp"
#include "harness/util/exit_errors.hpp"

namespace lh::transport {

namespace asio = boost::asio;

// How long setup, checks and cleanup wait for a lost node to come back before the run is aborted.
inline constexpr std::chrono::milliseconds kAdminPatience{10'000};
// The reply timeout of these clients: --reply-timeout, but at least this.
inline constexpr std::chrono::milliseconds kMinAdminReplyTimeout{5'000};

class NodeClient {
 public:
  NodeClient(net::RedisUrl url, net::Timeouts t);
  ~NodeClient();
  NodeClient(const NodeClient&) = delete;
  NodeClient& operator=(const NodeClient&) = delete;

  // Connects now. Throws TargetError (unreachable, AUTH refused) or UsageError (SELECT of a db the server does
  // not have: a wrong URL), naming the URL redacted.
  void connect();
  // One attempt: connects first when needed, then sends argv. A transport failure comes back as a failure
  // Reply (class connection or timeout); a handshake refused on reconnect throws as connect() does.
  net::Reply try_command(const std::vector<std::string>& argv);
  // try_command, again after a transport failure or LOADING, with back-off, for up to `patience`; then throws
  // TargetLost naming the URL and the last failure.
  net::Reply command(const std::vector<std::string>& argv,
                     std::chrono::milliseconds patience = kAdminPatience);
  const net::RedisUrl& url() const noexcept { return url_; }

 private:
  asio::awaitable<void> attempt(const std::vector<std::string>* argv, std::optional<net::Reply>* out);
  net::Reply drive(const std::vector<std::string>* argv);  // argv null: connect only
  void wait(std::chrono::milliseconds d);                  // sleeps, but not past an interrupt's grace
  [[noreturn]] void handshake_refused(const net::Reply& r) const;

  net::RedisUrl url_;
  asio::io_context io_{1};
  net::ConnectionSet deadlines_;
  net::Connection conn_;
  bool handshake_error_ = false;  // the last attempt's failure was the server refusing AUTH/SELECT
  std::exception_ptr failure_;    // an exception inside attempt(), rethrown by drive()
};

// SyncClient of a standalone target: one NodeClient.
class StandaloneSync final : public SyncClient {
 public:
  // Connects, AUTH, SELECT. Throws as NodeClient::connect does.
  // The first contact with a target: an unreachable one gets the hint.
  StandaloneSync(const net::RedisUrl& url, net::Timeouts t) : node_(url, t) {
    try {
      node_.connect();
    } catch (const UsageError&) {
      throw;
    } catch (const TargetError& e) {
      const std::string what = e.what();
      // It answered (a refused handshake, a TLS certificate it presented): the hint would mislead.
      if (what.rfind("cannot connect to ", 0) != 0 || what.find("TLS") != std::string::npos) throw;
      throw TargetError(what + " (is Redis running there? omit --target to use an embedded redis-server)");
    }
  }
  StandaloneSync(const StandaloneSync&) = delete;
  StandaloneSync& operator=(const StandaloneSync&) = delete;

  net::Reply command(const std::vector<std::string>& argv, std::string_view = {}) override {
    return node_.command(argv);
  }
  net::Reply command_once(const std::vector<std::string>& argv, std::string_view) override {
    return node_.try_command(argv);
  }
  const net::RedisUrl& url() const { return node_.url(); }

 private:
  NodeClient node_;
};

}  // namespace lh::transport
