#include "harness/net/connection.hpp"

#include <hiredis/read.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace lh::net {

using asio::redirect_error;
using asio::use_awaitable;
using boost::system::error_code;

Connection::Connection(asio::io_context& io, RedisUrl url, Timeouts t, ConnectionSet* watchdog)
    : io_(io), sock_(io), url_(std::move(url)), timeouts_(t), watchdog_(watchdog) {
  if (watchdog_) watchdog_->add(this);
}

Connection::~Connection() {
  close();
  if (watchdog_) watchdog_->remove(this);
}

void Connection::close() noexcept {
  error_code ignored;
  if (sock_.is_open()) sock_.close(ignored);
  open_ = false;
  deadline_ = Clock::time_point::max();
  if (reader_) {
    redisReaderFree(reader_);
    reader_ = nullptr;
  }
  out_.clear();
}

void Connection::check_deadline(Clock::time_point now) noexcept {
  if (now >= deadline_ && sock_.is_open()) {
    timed_out_ = true;
    error_code ignored;
    sock_.close(ignored);  // the pending operation completes with operation_aborted
  }
}

Reply Connection::io_failure(const error_code& ec, std::string_view during) {
  const bool timed_out = timed_out_;
  close();
  std::string what = std::string(timed_out ? "timeout" : ec.message()) + " during " + std::string(during) +
                     " with " + url_.address();
  return Reply::failure(timed_out ? ErrorClass::timeout : ErrorClass::connection, std::move(what));
}

asio::awaitable<Reply> Connection::connect() {
  close();
  timed_out_ = false;
  error_code ec;
  deadline_ = Clock::now() + timeouts_.connect;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = co_await resolver.async_resolve(url_.host, std::to_string(url_.port),
                                                   redirect_error(use_awaitable, ec));
  if (ec) {
    deadline_ = Clock::time_point::max();
    co_return Reply::failure(ErrorClass::connection, "cannot resolve " + url_.host + ": " + ec.message());
  }
  co_await asio::async_connect(sock_, endpoints, redirect_error(use_awaitable, ec));
  deadline_ = Clock::time_point::max();
  if (ec) co_return io_failure(ec, "connect");
  sock_.set_option(asio::ip::tcp::no_delay(true), ec);
  reader_ = redisReaderCreate();
  open_ = true;
  if (!url_.password.empty()) {  // AUTH [user] password: an ACL user, or the default user
    std::array<std::string_view, 3> auth = {"AUTH", url_.user, url_.password};
    std::size_t n = 3;
    if (url_.user.empty()) {
      auth[1] = url_.password;
      n = 2;
    }
    Reply r = co_await call(std::span<const std::string_view>(auth.data(), n));
    if (r.is_error()) {
      close();
      co_return r;
    }
  }
  if (url_.db != 0) {
    std::string db = std::to_string(url_.db);
    std::array<std::string_view, 2> sel = {"SELECT", db};
    Reply r = co_await call(sel);
    if (r.is_error()) {
      close();
      co_return r;
    }
  }
  std::array<std::string_view, 1> ping = {"PING"};
  co_return co_await call(ping);
}

asio::awaitable<Reply> Connection::flush() {
  if (!open_) co_return Reply::failure(ErrorClass::connection, "not connected to " + url_.address());
  if (out_.empty()) co_return Reply();
  error_code ec;
  deadline_ = Clock::now() + timeouts_.reply;
  co_await asio::async_write(sock_, asio::buffer(out_), redirect_error(use_awaitable, ec));
  deadline_ = Clock::time_point::max();
  out_.clear();
  if (ec) co_return io_failure(ec, "write");
  co_return Reply();
}

asio::awaitable<Reply> Connection::read_reply() {
  for (;;) {
    if (!reader_) co_return Reply::failure(ErrorClass::connection, "not connected to " + url_.address());
    void* r = nullptr;
    if (redisReaderGetReply(reader_, &r) != REDIS_OK) {
      std::string err = std::string("protocol error from ") + url_.address() + ": " + reader_->errstr;
      close();
      co_return Reply::failure(ErrorClass::protocol, std::move(err));
    }
    if (r) co_return Reply(static_cast<redisReply*>(r));
    if (!open_) co_return Reply::failure(ErrorClass::connection, "connection to " + url_.address() + " closed");
    error_code ec;
    deadline_ = Clock::now() + timeouts_.reply;
    std::size_t n = co_await sock_.async_read_some(asio::buffer(in_), redirect_error(use_awaitable, ec));
    deadline_ = Clock::time_point::max();
    if (ec) co_return io_failure(ec, "read");
    redisReaderFeed(reader_, in_.data(), n);
  }
}

bool Connection::try_buffered_reply(Reply& out) {
  if (!reader_) return false;
  void* r = nullptr;
  if (redisReaderGetReply(reader_, &r) != REDIS_OK) {
    std::string err = std::string("protocol error from ") + url_.address() + ": " + reader_->errstr;
    close();
    out = Reply::failure(ErrorClass::protocol, std::move(err));
    return true;
  }
  if (!r) return false;
  out = Reply(static_cast<redisReply*>(r));
  return true;
}

asio::awaitable<Reply> Connection::call(std::span<const std::string_view> argv) {
  append(argv);
  Reply w = co_await flush();
  if (w.is_error()) co_return w;
  co_return co_await read_reply();
}

void ConnectionSet::remove(Connection* c) noexcept {
  auto it = std::find(conns_.begin(), conns_.end(), c);
  if (it != conns_.end()) {
    *it = conns_.back();
    conns_.pop_back();
  }
}

}  // namespace lh::net
