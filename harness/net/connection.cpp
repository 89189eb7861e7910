#include "harness/net/connection.hpp"

#include <hiredis/read.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/net/tls.hpp"

namespace lh::net {

using asio::redirect_error;
using asio::use_awaitable;
using boost::system::error_code;

void Connection::ReaderFree::operator()(redisReader* r) const noexcept { redisReaderFree(r); }

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
  reader_.reset();
  out_.clear();
}

void Connection::abort() noexcept {
  if (sock_.is_open()) aborted_ = true;  // the failure of the I/O this wakes says why
  close();
}

void Connection::check_deadline(Clock::time_point now) noexcept {
  if (now >= deadline_ && sock_.is_open() && !timed_out_) {
    timed_out_ = true;
    error_code ignored;
    // A pending operation completes with operation_aborted (a timeout). One that completed just before, its
    // handler still queued, keeps its data: cancel, unlike close, leaves the socket and the reader alone.
    sock_.cancel(ignored);
  }
}

Reply Connection::io_failure(const error_code& ec, std::string_view during) {
  const bool timed_out = timed_out_;
  close();
  const std::string why = timed_out ? "timeout" : aborted_ ? "interrupted" : ec.message();
  std::string what = why + " during " + std::string(during) + " with " + url_.address();
  return Reply::failure(timed_out ? ErrorClass::timeout : ErrorClass::connection, std::move(what));
}

asio::awaitable<Reply> Connection::connect() {
  close();
  tls_.reset();  // nothing is pending on it now: the last operation completed before connect() was called
  timed_out_ = false;
  aborted_ = false;
  error_code ec;
  deadline_ = Clock::now() + timeouts_.connect;
  const asio::ip::address literal = asio::ip::make_address(url_.host, ec);
  if (!ec) {  // an IP address: no resolver (its thread and cross-thread hand-off) for 1000 connects
    co_await sock_.async_connect(asio::ip::tcp::endpoint(literal, url_.port),
                                 redirect_error(use_awaitable, ec));
  } else {
    ec.clear();
    asio::ip::tcp::resolver resolver(io_);
    auto endpoints = co_await resolver.async_resolve(url_.host, std::to_string(url_.port),
                                                     redirect_error(use_awaitable, ec));
    if (ec) {
      deadline_ = Clock::time_point::max();
      co_return Reply::failure(ErrorClass::connection, "cannot resolve " + url_.host + ": " + ec.message());
    }
    co_await asio::async_connect(sock_, endpoints, redirect_error(use_awaitable, ec));
  }
  deadline_ = Clock::time_point::max();
  if (ec) co_return io_failure(ec, "connect");
  sock_.set_option(asio::ip::tcp::no_delay(true), ec);
  ec.clear();
  sock_.non_blocking(true, ec);  // try_flush/poll_reply read and write without blocking
  if (ec) co_return io_failure(ec, "connect");
  if (url_.tls) {
    Reply failed = co_await tls_handshake();
    if (failed.is_error()) co_return failed;
  }
  pending_ = Pending::none;
  reader_.reset(redisReaderCreateWithFunctions(pooled_reply_functions()));
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
  Reply r = co_await call(ping);
  if (r.is_transport_failure() && r.error_class() == ErrorClass::connection)
    r = first_exchange_lost(std::move(r));
  co_return r;
}

// The server closed the connection in the first exchange: say what usually causes that.
Reply Connection::first_exchange_lost(Reply r) const {
  if (aborted_) return r;
  std::string why(r.error_message());
  if (!url_.tls) why += " (a TLS port closes plain connections: use rediss:// if it is one)";
  else if (url_.tls_context && url_.tls_context->options().cert_file.empty())
    why +=
        " (the server closed the TLS connection after the handshake: if it requires client certificates "
        "(tls-auth-clients), give --tls-cert and --tls-key)";
  else
    why += " (the server closed the TLS connection after the handshake: was the client certificate refused?)";
  return Reply::failure(ErrorClass::connection, std::move(why));
}

asio::awaitable<Reply> Connection::tls_handshake() {
  if (!url_.tls_context)  // the runner attaches the context to every rediss:// URL before connecting
    co_return Reply::failure(ErrorClass::connection, "rediss://" + url_.address() + ": no TLS settings");
  TlsContext& ctx = *url_.tls_context;
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(sock_, ctx.native());
  SSL* ssl = tls_->native_handle();
  const TlsOptions& o = ctx.options();
  error_code ip_ec;
  asio::ip::make_address(url_.host, ip_ec);
  const bool host_is_ip = !ip_ec;
  const std::string& name = o.sni.empty() ? url_.host : o.sni;
  // SNI carries a host name, never an address (RFC 6066).
  if (!o.sni.empty() || !host_is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!o.insecure) {
    if (o.sni.empty() && host_is_ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str());
    else SSL_set1_host(ssl, name.c_str());
  }
  error_code ec;
  deadline_ = Clock::now() + timeouts_.connect;
  co_await tls_->async_handshake(asio::ssl::stream_base::client, redirect_error(use_awaitable, ec));
  deadline_ = Clock::time_point::max();
  if (!ec) co_return Reply();
  if (aborted_) co_return io_failure(ec, "the TLS handshake");
  if (timed_out_) {
    Reply r = io_failure(ec, "the TLS handshake");
    co_return Reply::failure(
        ErrorClass::timeout,
        std::string(r.error_message()) +
            " (a plain port waits for a command and never answers a handshake: use redis:// "
            "if it is one)");
  }
  std::string why =
      "TLS handshake with " + url_.address() + " failed: " + tls_failure_reason(ssl, ec.message());
  close();
  co_return Reply::failure(ErrorClass::connection, std::move(why));
}

asio::awaitable<Reply> Connection::flush() {
  Reply failure;
  for (;;) {
    const Flush f = try_flush(failure);
    if (f == Flush::done) co_return Reply();
    if (f == Flush::failed) co_return failure;
    io_done(co_await io());
  }
}

asio::awaitable<Reply> Connection::read_reply() {
  Reply r;
  while (!poll_reply(r)) io_done(co_await io());
  co_return r;
}

Connection::Flush Connection::try_flush(Reply& failure) {
  if (pending_ == Pending::write) {  // io() wrote part of out_ (io_done erased it), or failed
    pending_ = Pending::none;
    deadline_ = Clock::time_point::max();
    if (io_ec_) {
      failure = io_failure(io_ec_, "write");
      return Flush::failed;
    }
  }
  if (!open_) {
    failure = Reply::failure(ErrorClass::connection, "not connected to " + url_.address());
    return Flush::failed;
  }
  if (out_.empty()) return Flush::done;
  if (tls_) return Flush::pending;  // TLS writes only through io(): the stream encrypts and sends in one go
  error_code ec;
  const std::size_t n = sock_.write_some(asio::buffer(out_), ec);  // the socket is non-blocking
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    failure = io_failure(ec, "write");
    return Flush::failed;
  }
  if (n == out_.size()) {
    out_.clear();
    return Flush::done;
  }
  out_.erase(0, n);  // a partial write: rare (a full socket buffer)
  return Flush::pending;
}

bool Connection::poll_reply(Reply& out) {
  if (pending_ == Pending::read) {  // io() read (io_done fed the reader), or failed
    pending_ = Pending::none;
    deadline_ = Clock::time_point::max();
    if (io_ec_) {
      out = io_failure(io_ec_, "read");
      return true;
    }
  }
  if (try_buffered_reply(out)) return true;
  if (!open_) {
    out = Reply::failure(ErrorClass::connection, "not connected to " + url_.address());
    return true;
  }
  return false;
}

asio::awaitable<std::size_t> Connection::io() {
  io_ec_ = {};
  deadline_ = Clock::now() + timeouts_.reply;
  if (!out_.empty()) {
    pending_ = Pending::write;
    if (tls_) return tls_->async_write_some(asio::buffer(out_), redirect_error(use_awaitable, io_ec_));
    return sock_.async_write_some(asio::buffer(out_), redirect_error(use_awaitable, io_ec_));
  }
  pending_ = Pending::read;
  if (tls_) return tls_->async_read_some(asio::buffer(in_), redirect_error(use_awaitable, io_ec_));
  return sock_.async_read_some(asio::buffer(in_), redirect_error(use_awaitable, io_ec_));
}

void Connection::io_done(std::size_t n) {
  if (io_ec_) return;  // try_flush/poll_reply report it
  timed_out_ = false;  // it completed: a watchdog cancel that came too late changes nothing
  if (pending_ == Pending::write) out_.erase(0, n);
  else if (pending_ == Pending::read && reader_) redisReaderFeed(reader_.get(), in_.data(), n);
}

bool Connection::try_buffered_reply(Reply& out) {
  if (!reader_) return false;
  void* r = nullptr;
  if (redisReaderGetReply(reader_.get(), &r) != REDIS_OK) {
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
  Reply r;
  for (;;) {
    const Flush f = try_flush(r);
    if (f == Flush::done) break;
    if (f == Flush::failed) co_return r;
    io_done(co_await io());
  }
  while (!poll_reply(r)) io_done(co_await io());
  co_return r;
}

void ConnectionSet::remove(Connection* c) noexcept {
  auto it = std::find(conns_.begin(), conns_.end(), c);
  if (it != conns_.end()) {
    *it = conns_.back();
    conns_.pop_back();
  }
}

}  // namespace lh::net
