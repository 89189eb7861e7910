#include "harness/transport/target.hpp"

#include <map>

#include "harness/transport/node_client.hpp"
#include "harness/transport/slot.hpp"
#include "harness/transport/standalone.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::transport {

std::string info_field(std::string_view info, std::string_view field) {
  const std::string needle = cat('\n', field, ':');
  const std::string text = cat('\n', info);
  auto pos = text.find(needle);
  if (pos == std::string::npos) return "";
  auto start = pos + needle.size();
  auto end = text.find_first_of("\r\n", start);
  return text.substr(start, end - start);
}

namespace {

// Whether FUNCTION LIST's reply names function `name` ("name" followed by it, at any depth).
bool lists_function(const redisReply* r, std::string_view name) {
  if (!r || r->type != REDIS_REPLY_ARRAY) return false;
  for (std::size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (i + 1 < r->elements && e->type == REDIS_REPLY_STRING && std::string_view(e->str, e->len) == "name") {
      const redisReply* v = r->element[i + 1];
      if (v->type == REDIS_REPLY_STRING && std::string_view(v->str, v->len) == name) return true;
    }
    if (lists_function(e, name)) return true;
  }
  return false;
}

// FUNCTION LOAD REPLACE, then FUNCTION LIST: a library Redis rejects, or without the function --fcall names, is
// exit 2 before any load.
void load_function_on(SyncClient& node, const scripts::Script& s, const std::string& where) {
  net::Reply r = node.command({"FUNCTION", "LOAD", "REPLACE", s.body});
  if (r.is_error())
    throw UsageError("Redis at " + where + " rejected the library of --function " + s.name + ": " +
                     std::string(r.error_message()));
  if (r.str() != s.library)
    throw UsageError("--function " + s.name + ": Redis loaded it as library '" + std::string(r.str()) +
                     "', its first line says '" + s.library + "'");
  net::Reply list = node.command({"FUNCTION", "LIST", "LIBRARYNAME", s.library});
  if (!list.is_error() && list.is_array() && !lists_function(list.raw(), s.function))
    throw UsageError("--fcall " + s.function + ": library '" + s.library + "' (--function " + s.name +
                     ") registers no function of that name");
}

}  // namespace

void load_script_on(SyncClient& node, const scripts::Script& s, const std::string& where) {
  if (s.is_function()) {
    load_function_on(node, s, where);
    return;
  }
  net::Reply r = node.command({"SCRIPT", "LOAD", s.body});
  if (r.is_error())
    throw UsageError("Redis at " + where + " rejected script '" + s.name +
                     "': " + std::string(r.error_message()));
  if (r.str() != s.sha1)
    throw UsageError("script '" + s.name + "': Redis's SHA1 " + std::string(r.str()) + " differs from ours " +
                     s.sha1);
}

std::string glob_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

PrefixScan scan_prefix_on(SyncClient& node, const std::string& prefix) {
  const std::string pattern = glob_escape(prefix) + "*";
  PrefixScan out;
  std::string cursor = "0";
  do {
    net::Reply r = node.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "10000"});
    if (r.is_error() || r.elements() != 2) {
      out.refused = r.is_error() ? std::string(r.error_message()) : "SCAN: unexpected reply";
      return out;
    }
    cursor.assign(r.element(0)->str, r.element(0)->len);
    const redisReply* keys = r.element(1);
    for (std::size_t i = 0; i < keys->elements; ++i) {
      std::string_view k(keys->element[i]->str, keys->element[i]->len);
      if (k.compare(0, prefix.size(), prefix) != 0) continue;  // belt and braces
      if (out.keys++ == 0) out.example = k;
    }
  } while (cursor != "0");
  return out;
}

CleanupResult unlink_prefix_on(SyncClient& node, const std::string& prefix, bool per_slot) {
  const std::string pattern = glob_escape(prefix) + "*";
  CleanupResult out;
  std::string cursor = "0";
  do {
    net::Reply r = node.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (r.is_error() || r.elements() != 2) {
      out.reason = "SCAN refused: " + (r.is_error() ? std::string(r.error_message()) : "unexpected reply");
      break;
    }
    cursor.assign(r.element(0)->str, r.element(0)->len);
    const redisReply* keys = r.element(1);
    std::map<uint16_t, std::vector<std::string>> batches;  // by slot, or all in batch 0
    for (std::size_t i = 0; i < keys->elements; ++i) {
      std::string k(keys->element[i]->str, keys->element[i]->len);
      if (k.compare(0, prefix.size(), prefix) != 0) continue;  // belt and braces
      auto& argv = batches[per_slot ? key_slot(k) : 0];
      if (argv.empty()) argv.push_back("UNLINK");
      argv.push_back(std::move(k));
    }
    for (const auto& [_, argv] : batches) {
      net::Reply d = node.command(argv);
      if (d.is_error()) {
        if (out.reason.empty()) out.reason = "UNLINK refused: " + std::string(d.error_message());
      } else {
        out.deleted += static_cast<uint64_t>(d.integer());
      }
    }
  } while (cursor != "0");
  PrefixScan left = scan_prefix_on(node, prefix);
  if (!left.refused.empty()) {
    out.left = -1;
    if (out.reason.empty()) out.reason = "SCAN refused: " + left.refused;
  } else {
    out.left = static_cast<int64_t>(left.keys);
    if (out.left == 0) out.reason.clear();
    else if (out.reason.empty()) out.reason = "keys appeared under the prefix during cleanup";
  }
  return out;
}

void add_cleanup(CleanupResult& total, const CleanupResult& one) {
  total.deleted += one.deleted;
  if (total.left >= 0) total.left = one.left < 0 ? -1 : total.left + one.left;
  if (total.reason.empty()) total.reason = one.reason;
}

namespace {

class StandaloneSession final : public TargetSession {
 public:
  StandaloneSession(const net::RedisUrl& url, net::Timeouts t, bool embedded)
      : url_(url), timeouts_(t), embedded_(embedded), admin_(url, t) {}

  SyncClient& admin() override { return admin_; }

  RedisFactory factory(bool eval) override {
    return [url = url_, t = timeouts_, eval](asio::io_context& io, net::ConnectionSet& conns, Counters& rec) {
      return std::unique_ptr<Redis>(new StandaloneRedis(io, url, t, &conns, &rec, eval));
    };
  }

  void load_script(const scripts::Script& s) override { load_script_on(admin_, s, url_.display()); }

  PrefixScan scan_prefix(const std::string& prefix) override { return scan_prefix_on(admin_, prefix); }
  CleanupResult cleanup(const std::string& prefix) override {
    return unlink_prefix_on(admin_, prefix, false);
  }
  void each_master(const std::function<void(SyncClient&, const std::string&)>& f) override {
    f(admin_, url_.display());
  }
  void each_node(const std::function<void(SyncClient&, const std::string&)>& f,
                 const std::function<void(const std::string&, const std::string&)>& unreachable) override {
    try {
      f(admin_, url_.display());
    } catch (const TargetError& e) {
      unreachable(url_.display(), e.what());
    }
  }

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

}  // namespace lh::transport
