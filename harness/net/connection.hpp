// One non-blocking connection to one Redis node: an Asio socket (under TLS for rediss://, net/tls.hpp),
// hiredis's redisReader for parsing, our RESP encoder for writing. Coroutine API; never throws on I/O: failures come back as Reply::failure with class
// timeout / connection / protocol. Timeouts are enforced by the worker's ConnectionSet watchdog, so the hot
// path arms no timer per request.
#pragma once
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/net/reply.hpp"
#include "harness/net/resp.hpp"
#include "harness/net/url.hpp"

struct redisReader;

namespace lh::net {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct Timeouts {
  std::chrono::milliseconds connect{2000};
  std::chrono::milliseconds reply{5000};
};

class ConnectionSet;

class Connection {
 public:
  Connection(asio::io_context& io, RedisUrl url, Timeouts t, ConnectionSet* watchdog);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // TCP connect, the TLS handshake for rediss://, then AUTH and SELECT as the URL says. A non-error Reply on
  // success.
  asio::awaitable<Reply> connect();
  bool is_open() const noexcept { return open_; }
  void close() noexcept;
  // Closes it for good on SIGINT: I/O pending now (a reply a hung server never sends) completes at once as a
  // connection failure saying "interrupted". connect() opens it again.
  void abort() noexcept;

  // Queues a command; flush() sends everything queued.
  void append(std::span<const std::string_view> argv) { resp::append_command(out_, argv); }
  std::string& out_buffer() noexcept { return out_; }
  // Empty on success; a failure Reply (connection/timeout) otherwise, the connection then closed.
  asio::awaitable<Reply> flush();
  // The next reply in order, or a failure.
  asio::awaitable<Reply> read_reply();
  // The next reply if it is already buffered (no I/O, no coroutine): pipelined replies mostly are.
  bool try_buffered_reply(Reply& out);
  // append + flush + read_reply.
  asio::awaitable<Reply> call(std::span<const std::string_view> argv);

  // The hot path's I/O, without a coroutine frame of its own (each frame Asio allocates costs a malloc):
  //   for (;;) { f = try_flush(err); if (f != Flush::pending) break; io_done(co_await io()); }
  //   while (!poll_reply(reply)) io_done(co_await io());
  // try_flush() sends what the socket takes now; poll_reply() parses what is buffered. io() suspends for the
  // rest of the queued bytes when any are left (async_write_some), else for the next bytes from the server
  // (async_read_some); Asio tries either at once when epoll last said the socket was ready, and re-arms
  // nothing otherwise (an async_wait would cost an epoll_ctl per op). io() is not a coroutine: it returns
  // Asio's awaitable directly; hand its result to io_done(). A failure closes the connection and comes back
  // as the Reply.
  enum class Flush { done, pending, failed };
  Flush try_flush(Reply& failure);
  bool poll_reply(Reply& out);
  asio::awaitable<std::size_t> io();
  void io_done(std::size_t n);

  const RedisUrl& url() const noexcept { return url_; }
  // Watchdog: closes the socket when an I/O has been pending past its deadline.
  void check_deadline(Clock::time_point now) noexcept;

 private:
  Reply io_failure(const boost::system::error_code& ec, std::string_view during);
  asio::awaitable<Reply> tls_handshake();
  Reply first_exchange_lost(Reply r) const;

  asio::io_context& io_;
  asio::ip::tcp::socket sock_;
  // rediss://: the TLS stream over sock_, made anew by each connect(). close() leaves it (an operation still
  // pending on it completes, cancelled, before anything else touches it).
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  RedisUrl url_;
  Timeouts timeouts_;
  ConnectionSet* watchdog_;
  struct ReaderFree {
    void operator()(redisReader* r) const noexcept;
  };
  std::unique_ptr<redisReader, ReaderFree> reader_;  // while connected
  std::string out_;
  std::array<char, std::size_t{16} * 1024> in_;
  Clock::time_point deadline_ = Clock::time_point::max();
  boost::system::error_code io_ec_;  // the outcome of the last io()
  enum class Pending : uint8_t { none, write, read };
  // What the last io() did, until try_flush()/poll_reply() took its outcome.
  Pending pending_ = Pending::none;
  bool open_ = false;
  bool timed_out_ = false;  // the watchdog cancelled overdue I/O
  bool aborted_ = false;    // abort(): the run was interrupted
};

// The connections of one worker thread, and the periodic check of their deadlines.
class ConnectionSet {
 public:
  void add(Connection* c) { conns_.push_back(c); }
  void remove(Connection* c) noexcept;
  void check(Clock::time_point now) noexcept {
    for (auto* c : conns_) c->check_deadline(now);
  }
  // SIGINT: every connection aborted, so no client of the worker waits on the network any more.
  void abort_all() noexcept {
    for (auto* c : conns_) c->abort();
  }
  std::size_t size() const noexcept { return conns_.size(); }

 private:
  std::vector<Connection*> conns_;
};

}  // namespace lh::net
