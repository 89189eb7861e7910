#include "support/servers.hpp"

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

}  // namespace

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
  lh::app::ReplyPtr r = lh::app::sync_command(port, argv, password, std::chrono::milliseconds(5000));
  if (!r) throw std::runtime_error("redis_cmd: no reply from 127.0.0.1:" + std::to_string(port));
  return text_of(r.get());
}

}  // namespace lh::test
