#include "harness/net/reply.hpp"

#include <hiredis/read.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace lh::net {

namespace {

// The free list of one thread: up to kMaxCached structs (each cached struct's first bytes point to the next).
// Trivially destructible, so it is usable until the thread's very end; the reaper frees the list when the
// thread ends, after which structs go straight back to free().
struct ReplyCache {
  static constexpr std::size_t kMaxCached = 4096;
  void* head;
  std::size_t count;
  bool dead;
};
thread_local ReplyCache t_cache{nullptr, 0, false};

struct CacheReaper {
  ~CacheReaper() {
    while (t_cache.head) {
      void* next = *static_cast<void**>(t_cache.head);
      std::free(t_cache.head);
      t_cache.head = next;
    }
    t_cache.count = 0;
    t_cache.dead = true;
  }
};
thread_local CacheReaper t_reaper;

redisReply* new_reply(int type) {
  void* p = t_cache.head;
  if (p) {
    t_cache.head = *static_cast<void**>(p);
    --t_cache.count;
    std::memset(p, 0, sizeof(redisReply));
  } else {
    p = std::calloc(1, sizeof(redisReply));
    if (!p) return nullptr;
  }
  auto* r = static_cast<redisReply*>(p);
  r->type = type;
  return r;
}

void release_struct(redisReply* r) noexcept {
  if (t_cache.dead || t_cache.count >= ReplyCache::kMaxCached) {
    std::free(r);
    return;
  }
  *reinterpret_cast<void**>(r) = t_cache.head;
  t_cache.head = r;
  if (t_cache.count++ == 0) (void)&t_reaper;  // the first cached struct arms this thread's reaper
}

// As hiredis's own create*Object functions (read.c), with new_reply() in place of calloc.
void link_to_parent(const redisReadTask* task, redisReply* r) {
  if (task->parent) static_cast<redisReply*>(task->parent->obj)->element[task->idx] = r;
}

void* create_string(const redisReadTask* task, char* str, size_t len) {
  redisReply* r = new_reply(task->type);
  if (!r) return nullptr;
  char* buf = static_cast<char*>(std::malloc(len + 1));
  if (!buf) {
    release_struct(r);
    return nullptr;
  }
  std::memcpy(buf, str, len);
  buf[len] = '\0';
  r->str = buf;
  r->len = len;
  link_to_parent(task, r);
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  redisReply* r = new_reply(REDIS_REPLY_ARRAY);
  if (!r) return nullptr;
  if (elements > 0) {
    r->element = static_cast<redisReply**>(std::calloc(static_cast<size_t>(elements), sizeof(redisReply*)));
    if (!r->element) {
      release_struct(r);
      return nullptr;
    }
  }
  r->elements = static_cast<size_t>(elements);
  link_to_parent(task, r);
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  redisReply* r = new_reply(REDIS_REPLY_INTEGER);
  if (!r) return nullptr;
  r->integer = value;
  link_to_parent(task, r);
  return r;
}

void* create_nil(const redisReadTask* task) {
  redisReply* r = new_reply(REDIS_REPLY_NIL);
  if (!r) return nullptr;
  link_to_parent(task, r);
  return r;
}

redisReplyObjectFunctions g_pooled = {create_string, create_array, create_integer, create_nil,
                                      free_reply_object};

}  // namespace

redisReplyObjectFunctions* pooled_reply_functions() noexcept { return &g_pooled; }

void free_reply_object(void* reply) noexcept {
  auto* r = static_cast<redisReply*>(reply);
  if (!r) return;
  switch (r->type) {
    case REDIS_REPLY_ARRAY:
      if (r->element) {
        for (size_t j = 0; j < r->elements; ++j) free_reply_object(r->element[j]);
        std::free(r->element);
      }
      break;
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING:
      std::free(r->str);
      break;
    default:
      break;
  }
  release_struct(r);
}

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
