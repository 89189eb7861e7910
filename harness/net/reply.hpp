// One reply, or the failure that stood in for it. Owns the hiredis redisReply.
#pragma once
#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/net/errors.hpp"

namespace lh::net {

// hiredis reply objects whose redisReply structs are recycled through a per-thread free list instead of
// calloc/free for every reply (the hot path's last allocation per op). The structs are ordinary malloc
// memory, so free_reply_object() also frees replies built by hiredis's own functions, and freeReplyObject()
// frees ours. Give the functions to redisReaderCreateWithFunctions().
redisReplyObjectFunctions* pooled_reply_functions() noexcept;
void free_reply_object(void* reply) noexcept;

class Reply {
 public:
  Reply() = default;
  explicit Reply(redisReply* r);                            // takes ownership; classifies error replies
  static Reply failure(ErrorClass c, std::string message);  // timeout, connection, protocol

  bool is_error() const noexcept { return error_; }  // error reply or transport failure
  bool is_transport_failure() const noexcept { return error_ && !r_; }
  ErrorClass error_class() const noexcept { return class_; }
  Outcome outcome() const noexcept { return error_ ? outcome_of_error_reply(class_) : Outcome::ok; }
  std::string_view error_message() const noexcept;

  const redisReply* raw() const noexcept { return r_.get(); }
  bool is_nil() const noexcept { return r_ && r_->type == REDIS_REPLY_NIL; }
  bool is_integer() const noexcept { return r_ && r_->type == REDIS_REPLY_INTEGER; }
  bool is_string() const noexcept {
    return r_ && (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS);
  }
  bool is_array() const noexcept { return r_ && r_->type == REDIS_REPLY_ARRAY; }
  int64_t integer() const noexcept { return is_integer() ? r_->integer : 0; }
  std::string_view str() const noexcept {
    return is_string() ? std::string_view(r_->str, r_->len) : std::string_view();
  }
  std::size_t elements() const noexcept { return is_array() ? r_->elements : 0; }
  const redisReply* element(std::size_t i) const noexcept { return r_->element[i]; }
  // A bulk string holding an integer ("41"), or an integer reply; `fallback` when nil or not a number.
  int64_t as_int(int64_t fallback = 0) const noexcept;

 private:
  struct Free {
    void operator()(redisReply* r) const noexcept { free_reply_object(r); }
  };
  std::unique_ptr<redisReply, Free> r_;
  bool error_ = false;
  ErrorClass class_ = ErrorClass::other;
  std::string failure_;  // transport failure text (no redisReply)
};

}  // namespace lh::net
