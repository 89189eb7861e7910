#include "harness/engine/target.hpp"

#include "harness/engine/exit_errors.hpp"
#include "harness/engine/standalone.hpp"
#include "harness/engine/sync_standalone.hpp"
#include "harness/util/strcat.hpp"

namespace lh::engine {

std::string info_field(std::string_view info, std::string_view field) {
  const std::string needle = cat('\n', field, ':');
  const std::string text = cat('\n', info);
  auto pos = text.find(needle);
  if (pos == std::string::npos) return "";
  auto start = pos + needle.size();
  auto end = text.find_first_of("\r\n", start);
  return text.substr(start, end - start);
}

void load_script_on(SyncClient& node, const scripts::Script& s, const std::string& where) {
  net::Reply r = node.command({"SCRIPT", "LOAD", s.body});
  if (r.is_error())
    throw UsageError("Redis at " + where + " rejected script '" + s.name + "': " + std::string(r.error_message()));
  if (r.str() != s.sha1)
    throw UsageError("script '" + s.name + "': Redis's SHA1 " + std::string(r.str()) + " differs from ours " + s.sha1);
}

std::string glob_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

uint64_t unlink_prefix_on(SyncClient& node, const std::string& prefix) {
  const std::string pattern = glob_escape(prefix) + "*";
  std::string cursor = "0";
  uint64_t deleted = 0;
  do {
    net::Reply r = node.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (r.is_error() || r.elements() != 2) break;
    cursor.assign(r.element(0)->str, r.element(0)->len);
    const redisReply* keys = r.element(1);
    if (keys->elements > 0) {
      std::vector<std::string> argv = {"UNLINK"};
      for (std::size_t i = 0; i < keys->elements; ++i) {
        std::string k(keys->element[i]->str, keys->element[i]->len);
        if (k.compare(0, prefix.size(), prefix) == 0) argv.push_back(std::move(k));  // belt and braces
      }
      if (argv.size() > 1) deleted += static_cast<uint64_t>(node.command(argv).integer());
    }
  } while (cursor != "0");
  return deleted;
}

namespace {

class StandaloneSession final : public TargetSession {
 public:
  StandaloneSession(const net::RedisUrl& url, net::Timeouts t, bool embedded)
      : url_(url), timeouts_(t), embedded_(embedded), admin_(url, t) {}

  SyncClient& admin() override { return admin_; }

  RedisFactory factory(bool eval) override {
    return [url = url_, t = timeouts_, eval](asio::io_context& io, net::ConnectionSet& conns, Recorder& rec) {
      return std::unique_ptr<Redis>(new StandaloneRedis(io, url, t, &conns, &rec, eval));
    };
  }

  void load_script(const scripts::Script& s) override { load_script_on(admin_, s, url_.redacted()); }

  uint64_t cleanup(const std::string& prefix) override { return unlink_prefix_on(admin_, prefix); }

  reports::Target describe() override {
    reports::Target t;
    t.mode = "standalone";
    t.embedded = embedded_;
    t.nodes = {embedded_ ? url_.address() : url_.redacted()};
    net::Reply info = admin_.command({"INFO", "server"});
    t.redis_version = info_field(info.str(), "redis_version");
    return t;
  }

 private:
  net::RedisUrl url_;
  net::Timeouts timeouts_;
  bool embedded_;
  StandaloneSync admin_;
};

}  // namespace

std::unique_ptr<TargetSession> open_standalone(const net::RedisUrl& url, net::Timeouts t, bool embedded) {
  return std::make_unique<StandaloneSession>(url, t, embedded);
}

}  // namespace lh::engine
