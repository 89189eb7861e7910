#include "support/servers.hpp"

#include <signal.h>

#include <stdexcept>

namespace lh::test {
namespace {

std::string text_of(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ERROR:
      return "ERR:" + std::string(r->str, r->len);
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (size_t i = 0; i < r->elements; ++i) {
        if (i) out += ' ';
        out += text_of(r->element[i]);
      }
      return out;
    }
    default:
      return "(unknown reply type " + std::to_string(r->type) + ")";
  }
}

// hiredis writes with plain write(): a server that dies mid-exchange would raise SIGPIPE and kill the test.
// Block it on this thread for the duration and swallow the one we caused, leaving the process's handlers alone.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe;
    ::sigemptyset(&pipe);
    ::sigaddset(&pipe, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending, pipe;
    ::sigemptyset(&pipe);
    ::sigaddset(&pipe, SIGPIPE);
    ::sigpending(&pending);
    if (!::sigismember(&old_, SIGPIPE) && ::sigismember(&pending, SIGPIPE)) {
      const timespec zero{0, 0};
      ::sigtimedwait(&pipe, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_;
};

}  // namespace

ReplyPtr raw_command(int port, const std::vector<std::string>& argv, const std::string& password,
                     std::chrono::milliseconds timeout) {
  SigpipeGuard no_sigpipe;
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  std::unique_ptr<redisContext, decltype(&redisFree)> c(redisConnectWithTimeout("127.0.0.1", port, tv),
                                                        &redisFree);
  if (!c || c->err) return nullptr;
  redisSetTimeout(c.get(), tv);
  auto run = [&](const std::vector<std::string>& args) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    return ReplyPtr(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(args.size()), ptrs.data(), lens.data())));
  };
  if (!password.empty()) {
    ReplyPtr auth = run({"AUTH", password});
    if (!auth || auth->type == REDIS_REPLY_ERROR) return auth;
  }
  return run(argv);
}

lh::app::RedisServer start_server(std::vector<std::string> extra) {
  lh::app::ServerOptions options;
  options.extra_args = std::move(extra);
  return lh::app::RedisServer(std::move(options));
}

std::unique_ptr<lh::app::LocalCluster> start_cluster(int masters, int replicas_per_master,
                                                     std::vector<std::string> extra) {
  lh::app::ServerOptions options;
  options.extra_args = std::move(extra);
  return std::make_unique<lh::app::LocalCluster>(masters, replicas_per_master, std::move(options));
}

std::string redis_cmd(int port, std::vector<std::string> argv, const std::string& password) {
  ReplyPtr r = raw_command(port, argv, password, std::chrono::milliseconds(5000));
  if (!r) throw std::runtime_error("redis_cmd: no reply from 127.0.0.1:" + std::to_string(port));
  return text_of(r.get());
}

}  // namespace lh::test
