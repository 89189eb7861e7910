#include "harness/transport/standalone.hpp"

#include <charconv>

namespace lh::transport {

void ScriptArgv::reset(std::size_t n) {
  n_ = n;
  if (n > small_.size()) heap_.resize(n);
  else heap_.clear();
}

void ScriptArgv::build(const scripts::Script& s, bool eval, std::span<const std::string_view> keys,
                       std::span<const std::string_view> args) {
  reset(3 + keys.size() + args.size());
  auto* a = slot();
  a[0] = s.is_function() ? "FCALL" : eval ? "EVAL" : "EVALSHA";
  a[1] = s.is_function() ? std::string_view(s.function)
         : eval          ? std::string_view(s.body)
                         : std::string_view(s.sha1);
  auto r = std::to_chars(nkeys_, nkeys_ + sizeof nkeys_, keys.size());
  a[2] = std::string_view(nkeys_, static_cast<std::size_t>(r.ptr - nkeys_));
  std::size_t i = 3;
  for (auto k : keys) a[i++] = k;
  for (auto v : args) a[i++] = v;
}

void ScriptArgv::build(const scripts::Script& s, bool eval, const ScriptCall& call) {
  reset(3 + call.keys.size() + call.args.size());
  auto* a = slot();
  a[0] = s.is_function() ? "FCALL" : eval ? "EVAL" : "EVALSHA";
  a[1] = s.is_function() ? std::string_view(s.function)
         : eval          ? std::string_view(s.body)
                         : std::string_view(s.sha1);
  auto r = std::to_chars(nkeys_, nkeys_ + sizeof nkeys_, call.keys.size());
  a[2] = std::string_view(nkeys_, static_cast<std::size_t>(r.ptr - nkeys_));
  std::size_t i = 3;
  for (const auto& k : call.keys) a[i++] = k;
  for (const auto& v : call.args) a[i++] = v;
}

void StandaloneRedis::count(const Reply& r) {
  if (!rec_->measuring) return;
  ++rec_->commands;
  if (r.is_error()) rec_->count_error(r.error_class(), r.error_message());
}

asio::awaitable<Reply> StandaloneRedis::call(std::span<const std::string_view> argv, std::string_view) {
  Reply r = co_await conn_.call(argv);
  count(r);
  co_return r;
}

asio::awaitable<bool> StandaloneRedis::load(const scripts::Script& s) {
  const LoadArgv argv(s);
  Reply r = co_await conn_.call(argv.view());
  count(r);
  co_return !r.is_error();
}

asio::awaitable<Reply> StandaloneRedis::evalsha(const scripts::Script& s,
                                                std::span<const std::string_view> keys,
                                                std::span<const std::string_view> args) {
  argv_.build(s, eval_, keys, args);
  Reply r = co_await conn_.call(argv_.view());
  count(r);
  if (r.error_class() == net::ErrorClass::noscript && r.is_error()) {
    // The script cache was flushed (SCRIPT FLUSH, restart, failover): load it again and retry once.
    if (co_await load(s)) {
      argv_.build(s, eval_, keys, args);
      r = co_await conn_.call(argv_.view());
      count(r);
    }
  }
  co_return r;
}

asio::awaitable<void> StandaloneRedis::evalsha_batch(std::span<ScriptCall> calls, std::span<Reply> replies) {
  start_batch(calls, replies);
  co_await finish_batch();
}

bool StandaloneRedis::start_batch(std::span<ScriptCall> calls, std::span<Reply> replies) {
  for (const auto& c : calls) {
    argv_.build(*c.script, eval_, c);
    conn_.append(argv_.view());
  }
  batch_calls_ = calls;
  batch_replies_ = replies;
  batch_next_ = 0;
  batch_noscript_ = false;
  return true;
}

bool StandaloneRedis::poll_batch() {
  const std::size_t n = batch_calls_.size();
  if (batch_next_ < n && !conn_.out_buffer().empty()) {
    Reply failure;
    const auto f = conn_.try_flush(failure);
    if (f == net::Connection::Flush::pending) return false;
    if (f == net::Connection::Flush::failed) {  // nothing more will arrive: every call left fails alike
      for (; batch_next_ < n; ++batch_next_) {
        batch_replies_[batch_next_] =
            Reply::failure(failure.error_class(), std::string(failure.error_message()));
        count(batch_replies_[batch_next_]);
      }
      return true;
    }
  }
  for (; batch_next_ < n; ++batch_next_) {
    Reply& r = batch_replies_[batch_next_];
    if (!conn_.poll_reply(r)) return false;
    count(r);
    batch_noscript_ |= r.is_error() && r.error_class() == net::ErrorClass::noscript;
  }
  return true;
}

asio::awaitable<void> StandaloneRedis::retry_batch() {
  // Retry each NOSCRIPT call once, after loading its script again (once per script).
  batch_noscript_ = false;
  const std::span<ScriptCall> calls = batch_calls_;
  const std::span<Reply> replies = batch_replies_;
  const scripts::Script* loaded = nullptr;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (!(replies[i].is_error() && replies[i].error_class() == net::ErrorClass::noscript)) continue;
    if (loaded != calls[i].script) {
      if (!co_await load(*calls[i].script)) co_return;
      loaded = calls[i].script;
    }
    argv_.build(*calls[i].script, eval_, calls[i]);
    replies[i] = co_await conn_.call(argv_.view());
    count(replies[i]);
  }
}

}  // namespace lh::transport
