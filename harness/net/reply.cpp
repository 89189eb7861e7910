#include "harness/net/reply.hpp"

#include <charconv>

namespace lh::net {

Reply::Reply(redisReply* r) : r_(r) {
  if (r && r->type == REDIS_REPLY_ERROR) {
    error_ = true;
    class_ = classify_error_reply(std::string_view(r->str, r->len));
  }
}

Reply Reply::failure(ErrorClass c, std::string message) {
  Reply rep;
  rep.error_ = true;
  rep.class_ = c;
  rep.failure_ = std::move(message);
  return rep;
}

std::string_view Reply::error_message() const noexcept {
  if (!error_) return {};
  if (r_) return std::string_view(r_->str, r_->len);
  return failure_;
}

int64_t Reply::as_int(int64_t fallback) const noexcept {
  if (!r_) return fallback;
  if (r_->type == REDIS_REPLY_INTEGER) return r_->integer;
  if (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(r_->str, r_->str + r_->len, v);
    if (ec == std::errc() && p == r_->str + r_->len) return v;
  }
  return fallback;
}

}  // namespace lh::net
