#include "harness/engine/standalone.hpp"

#include <charconv>

#include "harness/engine/recorder.hpp"

namespace lh::engine {

void ScriptArgv::reset(std::size_t n) {
  n_ = n;
  if (n > small_.size()) heap_.resize(n);
  else heap_.clear();
}

void ScriptArgv::build(const scripts::Script& s, bool eval, std::span<const std::string_view> keys,
                       std::span<const std::string_view> args) {
  reset(3 + keys.size() + args.size());
  auto* a = slot();
  a[0] = eval ? "EVAL" : "EVALSHA";
  a[1] = eval ? std::string_view(s.body) : std::string_view(s.sha1);
  auto r = std::to_chars(nkeys_, nkeys_ + sizeof nkeys_, keys.size());
  a[2] = std::string_view(nkeys_, static_cast<std::size_t>(r.ptr - nkeys_));
  std::size_t i = 3;
  for (auto k : keys) a[i++] = k;
  for (auto v : args) a[i++] = v;
}

void ScriptArgv::build(const scripts::Script& s, bool eval, const ScriptCall& call) {
  reset(3 + call.keys.size() + call.args.size());
  auto* a = slot();
  a[0] = eval ? "EVAL" : "EVALSHA";
  a[1] = eval ? std::string_view(s.body) : std::string_view(s.sha1);
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
  std::array<std::string_view, 3> argv = {"SCRIPT", "LOAD", s.body};
  Reply r = co_await conn_.call(argv);
  count(r);
  co_return !r.is_error();
}

asio::awaitable<Reply> StandaloneRedis::evalsha(const scripts::Script& s, std::span<const std::string_view> keys,
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
  for (const auto& c : calls) {
    argv_.build(*c.script, eval_, c);
    conn_.append(argv_.view());
  }
  Reply w = co_await conn_.flush();
  bool any_noscript = false;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    // (No co_await inside ?: : GCC 12 destroys such temporaries twice.)
    if (w.is_error()) replies[i] = Reply::failure(w.error_class(), std::string(w.error_message()));
    else if (!conn_.try_buffered_reply(replies[i])) replies[i] = co_await conn_.read_reply();
    count(replies[i]);
    any_noscript |= replies[i].is_error() && replies[i].error_class() == net::ErrorClass::noscript;
  }
  if (!any_noscript) co_return;
  // Retry each NOSCRIPT call once, after loading its script again (once per script).
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

}  // namespace lh::engine
