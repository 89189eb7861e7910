#include "harness/app/lint.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness/app/redis_server.hpp"
#include "harness/app/target_open.hpp"
#include "harness/engine/rng.hpp"
#include "harness/scenarios/templates.hpp"
#include "harness/transport/node_client.hpp"
#include "harness/transport/script.hpp"
#include "harness/transport/slot.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/secrets.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

using scenarios::TemplateSet;

namespace {

// ---- Reading the script: Lua tokens with their lines -------------------------------------------------------

struct Token {
  enum Kind : uint8_t { name, string, number, punct } kind;
  std::string text;  // a string's contents, unquoted (escapes kept as written)
  int line;
};

// The level of a long bracket at s[i] ('[' followed by '='* and '['), or -1.
int long_bracket(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '[') return -1;
  std::size_t j = i + 1;
  while (j < s.size() && s[j] == '=') ++j;
  return j < s.size() && s[j] == '[' ? static_cast<int>(j - i - 1) : -1;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  std::size_t i = 0;
  auto skip_long = [&](int level) {  // from the opening bracket; returns the contents
    const std::size_t open = i;
    i += static_cast<std::size_t>(level) + 2;
    const std::string close = "]" + std::string(static_cast<std::size_t>(level), '=') + "]";
    const std::size_t end = s.find(close, i);
    const std::size_t stop = end == std::string_view::npos ? s.size() : end;
    std::string body(s.substr(i, stop - i));
    line += static_cast<int>(std::count(s.begin() + static_cast<std::ptrdiff_t>(open),
                                        s.begin() + static_cast<std::ptrdiff_t>(stop), '\n'));
    i = end == std::string_view::npos ? s.size() : end + close.size();
    return body;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {  // a comment
      i += 2;
      if (const int level = long_bracket(s, i); level >= 0) {
        skip_long(level);
      } else {
        while (i < s.size() && s[i] != '\n') ++i;
      }
    } else if (c == '"' || c == '\'') {
      const int at = line;
      std::string text;
      ++i;
      while (i < s.size() && s[i] != c && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < s.size()) text += s[i++];
        text += s[i++];
      }
      ++i;
      out.push_back({Token::string, text, at});
    } else if (const int level = long_bracket(s, i); level >= 0) {
      const int at = line;
      out.push_back({Token::string, skip_long(level), at});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({Token::name, std::string(s.substr(i, j - i)), line});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      out.push_back({Token::number, std::string(s.substr(i, j - i)), line});
      i = j;
    } else {
      out.push_back({Token::punct, std::string(1, c), line});
      ++i;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Commands whose first argument is a key (the common ones; the run finds the rest).
const std::set<std::string>& first_arg_key_commands() {
  static const std::set<std::string> k = {"GET",
                                          "SET",
                                          "SETNX",
                                          "SETEX",
                                          "PSETEX",
                                          "GETSET",
                                          "GETDEL",
                                          "GETEX",
                                          "INCR",
                                          "INCRBY",
                                          "INCRBYFLOAT",
                                          "DECR",
                                          "DECRBY",
                                          "APPEND",
                                          "STRLEN",
                                          "GETRANGE",
                                          "SETRANGE",
                                          "DEL",
                                          "UNLINK",
                                          "EXISTS",
                                          "EXPIRE",
                                          "PEXPIRE",
                                          "EXPIREAT",
                                          "PEXPIREAT",
                                          "TTL",
                                          "PTTL",
                                          "PERSIST",
                                          "TYPE",
                                          "HSET",
                                          "HSETNX",
                                          "HGET",
                                          "HMSET",
                                          "HMGET",
                                          "HDEL",
                                          "HEXISTS",
                                          "HGETALL",
                                          "HINCRBY",
                                          "HINCRBYFLOAT",
                                          "HKEYS",
                                          "HVALS",
                                          "HLEN",
                                          "LPUSH",
                                          "RPUSH",
                                          "LPOP",
                                          "RPOP",
                                          "LLEN",
                                          "LRANGE",
                                          "LINDEX",
                                          "LSET",
                                          "LREM",
                                          "LTRIM",
                                          "SADD",
                                          "SREM",
                                          "SMEMBERS",
                                          "SISMEMBER",
                                          "SCARD",
                                          "SPOP",
                                          "SRANDMEMBER",
                                          "ZADD",
                                          "ZREM",
                                          "ZSCORE",
                                          "ZINCRBY",
                                          "ZCARD",
                                          "ZCOUNT",
                                          "ZRANGE",
                                          "ZRANGEBYSCORE",
                                          "ZREVRANGE",
                                          "ZRANK",
                                          "ZREVRANK",
                                          "ZREMRANGEBYSCORE",
                                          "ZREMRANGEBYRANK",
                                          "XADD",
                                          "XLEN",
                                          "XRANGE",
                                          "XDEL",
                                          "XTRIM",
                                          "PFADD",
                                          "PFCOUNT",
                                          "SETBIT",
                                          "GETBIT",
                                          "BITCOUNT",
                                          "MGET",
                                          "MSET"};
  return k;
}

// Commands whose reply is data a script can decide on (a counter's new value is not counted: INCR and the like
// only write).
const std::set<std::string>& read_commands() {
  static const std::set<std::string> r = {
      "GET",     "MGET",   "HGET",          "HMGET",     "HGETALL", "HEXISTS",     "HLEN",     "HKEYS",
      "HVALS",   "EXISTS", "TTL",           "PTTL",      "TYPE",    "STRLEN",      "GETRANGE", "LLEN",
      "LRANGE",  "LINDEX", "SMEMBERS",      "SISMEMBER", "SCARD",   "SRANDMEMBER", "ZSCORE",   "ZCARD",
      "ZCOUNT",  "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZRANK",   "ZREVRANK",    "XLEN",     "XRANGE",
      "PFCOUNT", "GETBIT", "BITCOUNT",      "TIME",      "GETSET",  "GETDEL",      "SPOP",     "LPOP",
      "RPOP",    "SETNX",  "HSETNX"};
  return r;
}

struct Call {
  std::string command;            // upper case, "" when not a literal
  std::vector<std::string> args;  // after the command: a literal's text, "\x01" for anything else
  bool second_is_literal_string = false;
  int line = 0;
  std::size_t at = 0;  // token index of `redis`
};

}  // namespace

std::vector<LintFinding> lint_static(std::string_view body, std::size_t keys_given, std::size_t args_given) {
  const std::vector<Token> t = tokenize(body);
  std::vector<LintFinding> out;
  auto add = [&](std::string sev, int line, std::string rule, std::string msg, std::string fix) {
    out.push_back({std::move(sev), line, std::move(rule), std::move(msg), std::move(fix)});
  };
  auto is = [&](std::size_t i, Token::Kind k, std::string_view text) {
    return i < t.size() && t[i].kind == k && t[i].text == text;
  };

  // redis.call / redis.pcall and their literal arguments.
  std::vector<Call> calls;
  for (std::size_t i = 0; i + 3 < t.size(); ++i) {
    if (!is(i, Token::name, "redis") || !is(i + 1, Token::punct, ".") ||
        !(is(i + 2, Token::name, "call") || is(i + 2, Token::name, "pcall")) || !is(i + 3, Token::punct, "("))
      continue;
    Call c;
    c.line = t[i].line;
    c.at = i;
    // The arguments, split at the commas of this call's parentheses; each as its text when it is one literal.
    std::vector<std::string> args;
    std::vector<bool> literal_string;
    std::string cur;
    int tokens = 0, depth = 0;
    bool is_string = false;
    for (std::size_t j = i + 4; j < t.size(); ++j) {
      const Token& x = t[j];
      if (x.kind == Token::punct && (x.text == "(" || x.text == "{" || x.text == "[")) ++depth;
      if (x.kind == Token::punct && (x.text == ")" || x.text == "}" || x.text == "]")) {
        if (depth == 0) break;
        --depth;
      }
      if (depth == 0 && x.kind == Token::punct && x.text == ",") {
        args.push_back(tokens == 1 || (tokens == 2 && cur.size() > 1 && cur[0] == '-') ? cur
                                                                                       : std::string("\x01"));
        literal_string.push_back(tokens == 1 && is_string);
        cur.clear();
        tokens = 0;
        is_string = false;
        continue;
      }
      cur += x.text;
      is_string = x.kind == Token::string;
      ++tokens;
    }
    if (tokens > 0) {
      args.push_back(tokens == 1 || (tokens == 2 && cur.size() > 1 && cur[0] == '-') ? cur
                                                                                     : std::string("\x01"));
      literal_string.push_back(tokens == 1 && is_string);
    }
    if (!args.empty() && literal_string[0]) {
      c.command = upper(args[0]);
      c.args.assign(args.begin() + 1, args.end());
      c.second_is_literal_string = literal_string.size() > 1 && literal_string[1];
    }
    calls.push_back(c);
  }

  // 1. Literal key names.
  for (const auto& c : calls)
    if (c.second_is_literal_string && first_arg_key_commands().count(c.command))
      add("error", c.line, "literal-key",
          cat("the key '", c.args.front(), "' is written into the script (", c.command, ", line ", c.line,
              "): Redis Cluster cannot route it, and no caller can tell which keys the script touches"),
          cat("pass it in KEYS (redis.call('", c.command,
              "', KEYS[n], ...)), named by the caller's EVALSHA or FCALL"));

  // 2. What Redis's sandbox forbids.
  static const std::map<std::string, std::string> kForbidden = {
      {"os", "the os library (time, files, processes)"},
      {"io", "the io library (files)"},
      {"require", "require (modules)"},
      {"loadstring", "loadstring (code from data)"},
      {"loadfile", "loadfile"},
      {"dofile", "dofile"},
      {"socket", "sockets (a script cannot call an external service)"},
      {"package", "package (modules)"},
      {"setfenv", "setfenv"},
      {"getfenv", "getfenv"}};
  std::set<std::string> said;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != Token::name) continue;
    if (i > 0 && is(i - 1, Token::punct, ".")) continue;  // a field: x.os
    const auto f = kForbidden.find(t[i].text);
    if (f == kForbidden.end()) continue;
    if (t[i].text == "os" && is(i + 1, Token::punct, ".") && is(i + 2, Token::name, "clock")) continue;
    if (!said.insert(t[i].text + std::to_string(t[i].line)).second) continue;
    add("error", t[i].line, "forbidden",
        cat("uses ", f->second, " (line ", t[i].line, "): Redis's script sandbox refuses it"),
        t[i].text == "os" ? "take the time from redis.call('TIME'), or pass it in ARGV"
                          : "do it in the caller, and pass what the script needs in KEYS and ARGV");
  }

  // 3. O(N) commands.
  for (const auto& c : calls) {
    const bool whole = (c.command == "LRANGE" || c.command == "ZRANGE" || c.command == "ZREVRANGE") &&
                       c.args.size() >= 3 && c.args[1] == "0" && c.args[2] == "-1";
    if (c.command == "FLUSHALL" || c.command == "FLUSHDB")
      add("error", c.line, "o-n",
          cat(c.command, " in a script (line ", c.line, ") deletes every key of the database"),
          "never flush from a script: delete the script's own keys");
    else if (c.command == "KEYS")
      add("warning", c.line, "o-n",
          cat("KEYS in a script (line ", c.line, ") scans the whole keyspace while every other client waits"),
          "keep an index (a set or sorted set) of the keys, and pass the ones needed in KEYS");
    else if (c.command == "SMEMBERS" || c.command == "HGETALL" || c.command == "HKEYS" ||
             c.command == "HVALS" || whole)
      add("warning", c.line, "o-n",
          cat(c.command, whole ? " 0 -1" : "", " (line ", c.line,
              ") reads the whole collection: O(N) in its size, which nothing bounds"),
          "read a bounded range (SSCAN/HSCAN with COUNT, LRANGE 0 99), or bound the collection's size");
  }

  // 4. Loops around redis.call: blocks and their loops.
  struct Frame {
    std::string kind;  // while, repeat, for, if, function, do
    int line;
    bool unbounded;  // while/repeat, or a for bounded by ARGV, a reply or a length
    bool has_call = false;
  };
  std::vector<Frame> stack;
  std::set<int> loop_lines;
  bool pending_do = false;  // `while`/`for` opened a frame whose `do` is not another one
  auto close_frame = [&] {
    if (stack.empty()) return;
    Frame f = stack.back();
    stack.pop_back();
    if (f.has_call && f.unbounded && loop_lines.insert(f.line).second)
      add("warning", f.line, "unbounded-loop",
          cat("a ", f.kind, " loop around redis.call (line ", f.line,
              ") runs as long as its data or arguments say, while every other client waits"),
          "bound the loop (a fixed maximum, a COUNT), or split the work over several calls");
    if (!stack.empty()) stack.back().has_call = stack.back().has_call || f.has_call;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != Token::name) continue;
    const std::string& w = t[i].text;
    if (i > 0 && is(i - 1, Token::punct, ".")) continue;
    if (w == "while" || w == "repeat") {
      stack.push_back({w, t[i].line, true});
      pending_do = w == "while";
    } else if (w == "for") {
      bool unbounded = false;  // its header, up to `do`
      for (std::size_t j = i + 1; j < t.size() && !is(j, Token::name, "do"); ++j)
        if (is(j, Token::name, "ARGV") || is(j, Token::name, "redis") || is(j, Token::punct, "#") ||
            is(j, Token::name, "tonumber"))
          unbounded = true;
      stack.push_back({w, t[i].line, unbounded});
      pending_do = true;
    } else if (w == "do") {
      if (pending_do) pending_do = false;
      else stack.push_back({w, t[i].line, false});
    } else if (w == "if" || w == "function") {
      stack.push_back({w, t[i].line, false});
    } else if (w == "end" || w == "until") {
      close_frame();
    } else if (w == "redis" && is(i + 1, Token::punct, ".") &&
               (is(i + 2, Token::name, "call") || is(i + 2, Token::name, "pcall"))) {
      if (!stack.empty()) stack.back().has_call = true;
    }
  }
  while (!stack.empty()) close_frame();

  // 5. Writes that no read decides: MULTI/EXEC would do.
  bool has_if =
      std::any_of(t.begin(), t.end(), [](const Token& x) { return x.kind == Token::name && x.text == "if"; });
  bool any_read = false, all_known = !calls.empty();
  for (const auto& c : calls) {
    if (c.command.empty()) all_known = false;
    if (read_commands().count(c.command)) any_read = true;
  }
  if (all_known && !any_read && !has_if) {
    std::string tx = "MULTI";
    for (const auto& c : calls) tx += "; " + c.command + " ...";
    tx += "; EXEC";
    add("info", calls.front().line, "multi-exec",
        "the script only writes: no read decides anything, so it needs no script",
        cat("a transaction does the same: ", tx));
  }

  // 6. KEYS/ARGV against what was given.
  auto highest = [&](std::string_view table, bool& dynamic) {
    int n = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (!is(i, Token::name, table)) continue;
      if (is(i + 1, Token::punct, "[") && i + 2 < t.size() && t[i + 2].kind == Token::number &&
          is(i + 3, Token::punct, "]"))
        n = std::max(n, std::atoi(t[i + 2].text.c_str()));
      else dynamic = true;  // #KEYS, ipairs(KEYS), KEYS[i]: the count is the caller's
    }
    return n;
  };
  auto count = [&](std::string_view table, const char* flag, std::size_t given, const char* rule) {
    bool dynamic = false;
    const int used = highest(table, dynamic);
    if (used > static_cast<int>(given))
      add("error", 0, rule,
          cat("the script reads ", table, "[", used, "] but ", given, " ", flag, " ",
              given == 1 ? "is" : "are", " given: it would see nil"),
          cat("give ", used, " ", flag, " templates, one per ", table, "[i]"));
    else if (!dynamic && used < static_cast<int>(given))
      add("warning", 0, rule,
          cat(given, " ", flag, " given but the script reads only up to ", table, "[", used, "]"),
          cat("drop the extra ", flag, ", or use it in the script"));
  };
  count("KEYS", "--key", keys_given, "keys-count");
  count("ARGV", "--arg", args_given, "args-count");
  return out;
}

// ---- Running the script ------------------------------------------------------------------------------------

namespace {

struct Redis {
  redisContext* c = nullptr;
  explicit Redis(int port) {
    c = redisConnect("127.0.0.1", port);
    if (!c || c->err) throw TargetError("lint: cannot connect to the private redis-server");
  }
  ~Redis() {
    if (c) redisFree(c);
  }
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;
  redisReply* command(const std::vector<std::string>& argv) {
    std::vector<const char*> a;
    std::vector<size_t> l;
    for (const auto& s : argv) {
      a.push_back(s.data());
      l.push_back(s.size());
    }
    return static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(a.size()), a.data(), l.data()));
  }
};

struct ReplyFree {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// One MONITOR line's arguments: `1700000000.123456 [0 lua] "SET" "k" "v"` -> {"lua", {"SET", "k", "v"}}.
std::pair<std::string, std::vector<std::string>> parse_monitor(std::string_view line) {
  std::pair<std::string, std::vector<std::string>> out;
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos) return out;
  const std::string_view who = line.substr(open + 1, close - open - 1);
  out.first = std::string(who.substr(who.find(' ') + 1));
  std::size_t i = close + 1;
  while (i < line.size()) {
    if (line[i] != '"') {
      ++i;
      continue;
    }
    std::string arg;
    ++i;
    while (i < line.size() && line[i] != '"') {
      if (line[i] == '\\' && i + 1 < line.size()) {
        const char e = line[++i];
        if (e == 'x' && i + 2 < line.size()) {
          arg += static_cast<char>(std::stoi(std::string(line.substr(i + 1, 2)), nullptr, 16));
          i += 2;
        } else {
          arg += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'a' ? '\a' : e == 'b' ? '\b' : e;
        }
        ++i;
      } else {
        arg += line[i++];
      }
    }
    ++i;
    out.second.push_back(std::move(arg));
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
}

// The private server as a SyncClient: one hiredis connection, no reply timeout (a script that blocks for
// minutes is measured, not given up on), nothing ever sent twice.
class Private final : public transport::SyncClient {
 public:
  explicit Private(Redis& r) : r_(r) {}
  net::Reply command(const std::vector<std::string>& argv, std::string_view) override {
    redisReply* reply = r_.command(argv);
    if (!reply)
      return net::Reply::failure(net::ErrorClass::connection, "the private redis-server did not answer");
    return net::Reply(reply);
  }
  net::Reply command_once(const std::vector<std::string>& argv, std::string_view route) override {
    return command(argv, route);
  }

 private:
  Redis& r_;
};

// One call of the script: its argv (EVALSHA sha1 | FCALL name, numkeys, keys, args) and its first key (where
// it goes in a cluster, and where its counters are read).
struct ScriptCall {
  std::vector<std::string> argv;
  std::string route;
};

// Calls from the templates, one after another (seed 42; ${now_ms} is the wall clock when made).
class Caller {
 public:
  Caller(TemplateSet t, std::string command, std::string name)
      : templates_(std::move(t)), command_(std::move(command)), name_(std::move(name)) {}
  ScriptCall next() {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    scenarios::TemplateContext tc{0, seq_++, &rng_, now.count()};
    templates_.expand(tc, keys_, args_, scratch_);
    ScriptCall c;
    c.argv = {command_, name_, std::to_string(keys_.size())};
    c.argv.insert(c.argv.end(), keys_.begin(), keys_.end());
    c.argv.insert(c.argv.end(), args_.begin(), args_.end());
    c.route = keys_.empty() ? std::string() : keys_.front();
    return c;
  }
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  TemplateSet templates_;
  std::string command_, name_;
  engine::Rng rng_{42};
  uint64_t seq_ = 0;
  std::vector<std::string> keys_, args_, scratch_;
};

// cmdstat_<command>'s calls and usec in an INFO commandstats text (zeros when it never ran).
struct CallStat {
  int64_t calls = 0, usec = 0;
};
CallStat call_stat(std::string_view text, const std::string& command) {
  CallStat out;
  const auto at = text.find("cmdstat_" + command + ":");
  if (at == std::string_view::npos) return out;
  const std::string_view line = text.substr(at, text.find('\n', at) - at);
  auto field = [&](std::string_view name) -> int64_t {
    const auto f = line.find(name);
    return f == std::string_view::npos ? 0
                                       : std::atoll(std::string(line.substr(f + name.size(), 20)).c_str());
  };
  out.calls = field(":calls=");
  out.usec = field(",usec=");
  return out;
}

// An ACL refusal: NOPERM at the top, or inside a script "The user executing the script can't run this command
// or subcommand" / "... can't access at least one of the keys".
bool is_noperm_message(std::string_view m) {
  return m.find("NOPERM") != std::string_view::npos ||
         m.find("The user executing the script can't") != std::string_view::npos;
}
bool is_redirect(std::string_view m) { return m.rfind("MOVED ", 0) == 0 || m.rfind("ASK ", 0) == 0; }

// What timing a list of calls found.
struct Timed {
  LintTiming timing;
  uint64_t ran = 0;       // calls that succeeded
  std::string error;      // the first error reply of a call itself
  std::string refused;    // MULTI, INFO or EXEC refused for this user: nothing was timed
  std::string timed_out;  // a call unanswered within the reply timeout (it blocks at least that long)
  std::string lost;       // the connection was lost
  bool interrupted = false;
};

// Times each call by the server's own accounting: MULTI, INFO commandstats, the call, INFO commandstats, EXEC,
// each sent once to the call's node. The transaction lets no other client's command in between, so the
// difference of cmdstat_evalsha (or _fcall) is this call's alone, on a busy shared server too. A call moved
// to another node meanwhile (MOVED at queueing: the map is refreshed) or a transaction whose counters moved by
// other than one call is left out (`discarded`). A call that fails is timed too (its time blocked the server
// all the same); its first error is kept, and ends the timing when `stop_at_error`.
Timed time_calls(transport::SyncClient& c, const std::vector<ScriptCall>& calls, const std::string& command,
                 bool stop_at_error) {
  const std::string stat = command == "FCALL" ? "fcall" : "evalsha";
  auto text = [](const redisReply* e) {
    return e && (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS)
               ? std::string_view(e->str, e->len)
               : std::string_view();
  };
  Timed out;
  std::vector<double> ms;
  for (const ScriptCall& call : calls) {
    if (g_interrupted.load()) {
      out.interrupted = true;
      break;
    }
    const std::string& route = call.route;
    const net::Reply multi = c.command_once({"MULTI"}, route);
    if (multi.is_transport_failure()) {
      out.lost = std::string(multi.error_message());
      break;
    }
    if (multi.is_error()) {
      out.refused = cat("MULTI: ", multi.error_message());
      break;
    }
    const net::Reply queued[3] = {c.command_once({"INFO", "commandstats"}, route),
                                  c.command_once(call.argv, route),
                                  c.command_once({"INFO", "commandstats"}, route)};
    bool failed = false;
    for (const auto& q : queued)
      if (q.is_transport_failure()) {
        out.lost = std::string(q.error_message());
        failed = true;
        break;
      }
    if (failed) break;
    if (queued[0].is_error() || queued[1].is_error() || queued[2].is_error()) {
      (void)c.command_once({"DISCARD"}, route);
      if (queued[1].is_error() && is_redirect(queued[1].error_message())) {
        (void)c.command({"EXISTS", route}, route);  // follows the redirect: the map learns the new owner
        ++out.timing.discarded;
        continue;
      }
      if (queued[1].is_error()) out.error = std::string(queued[1].error_message());
      else
        out.refused =
            cat("INFO commandstats: ", (queued[0].is_error() ? queued[0] : queued[2]).error_message());
      break;
    }
    const net::Reply exec = c.command_once({"EXEC"}, route);
    if (exec.is_transport_failure()) {
      if (exec.error_class() == net::ErrorClass::timeout) out.timed_out = std::string(exec.error_message());
      else out.lost = std::string(exec.error_message());
      break;
    }
    // "EXECABORT Transaction discarded because of: NOPERM ...": this user may not run EXEC.
    if (exec.is_error() && exec.error_message().find("NOPERM") != std::string_view::npos) {
      out.refused = cat("EXEC: ", exec.error_message());
      break;
    }
    if (exec.is_error() || exec.elements() != 3) {
      ++out.timing.discarded;
      continue;
    }
    if (exec.element(1)->type == REDIS_REPLY_ERROR) {
      if (out.error.empty()) out.error.assign(exec.element(1)->str, exec.element(1)->len);
      if (stop_at_error) break;
    } else {
      ++out.ran;
    }
    const CallStat before = call_stat(text(exec.element(0)), stat);
    const CallStat after = call_stat(text(exec.element(2)), stat);
    if (after.calls - before.calls == 1) ms.push_back(static_cast<double>(after.usec - before.usec) / 1000.0);
    else ++out.timing.discarded;
  }
  out.timing.calls = ms.size();
  if (!ms.empty()) {
    out.timing.p50_ms = percentile(ms, 50);
    out.timing.p99_ms = percentile(ms, 99);
    out.timing.max_ms = *std::max_element(ms.begin(), ms.end());
  }
  return out;
}

// FUNCTION LIST LIBRARYNAME ... WITHCODE on one node: the code of the library named `library`, or nothing
// when the node has none of that name (the pattern is a glob: the exact name is picked from the answers).
std::optional<std::string> library_code(transport::SyncClient& node, const std::string& library,
                                        const std::string& where) {
  net::Reply r = node.command({"FUNCTION", "LIST", "LIBRARYNAME", library, "WITHCODE"});
  if (r.is_error())
    throw TargetError(cat("lint --target: FUNCTION LIST refused at ", where, ": ", r.error_message()));
  auto text = [](const redisReply* e) {
    return e && (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) ? std::string(e->str, e->len)
                                                                                 : std::string();
  };
  for (std::size_t i = 0; i < r.elements(); ++i) {
    const redisReply* lib = r.element(i);
    if (lib->type != REDIS_REPLY_ARRAY) continue;
    std::string name, code;
    for (std::size_t j = 0; j + 1 < lib->elements; j += 2) {
      const std::string field = text(lib->element[j]);
      if (field == "library_name") name = text(lib->element[j + 1]);
      else if (field == "library_code") code = text(lib->element[j + 1]);
    }
    if (name == library) return code;
  }
  return std::nullopt;
}

// The same library code, trailing whitespace aside (redis-cli "$(cat lib.lua)" drops the last newline).
bool same_code(std::string_view a, std::string_view b) {
  auto trimmed = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  return trimmed(a) == trimmed(b);
}

LintFinding target_finding(const char* severity, const char* rule, std::string message, std::string fix) {
  return {severity, 0, rule, redact(std::move(message)), std::move(fix)};
}

// How long the admin clients wait for a reply: --reply-timeout, but at least kMinAdminReplyTimeout.
int64_t reply_timeout_ms(const LintOptions& o) {
  return std::max<int64_t>(o.timeouts.reply.count(), transport::kMinAdminReplyTimeout.count());
}

// The checked calls on the user's Redis, fenced: they run as a temporary ACL user (created on every master,
// deleted after) that may touch only keys under the fresh prefix (verified empty, cleaned after), no channel,
// and only the commands the private server saw the script send; a library is loaded without REPLACE and
// deleted again; each call is timed in its transaction. Findings go to `r`.
void run_on_target(const LintOptions& o, transport::TargetSession& session, std::vector<net::RedisUrl> seeds,
                   bool cluster, const scripts::Script& script, bool library,
                   const std::vector<ScriptCall>& calls, const std::set<std::string>& commands,
                   const std::string& prefix, bool scan_refused, double private_slowest_ms, LintReport& r) {
  LintTarget& t = *r.target;
  const std::string fence = "lh-lint-" + prefix.substr(3, prefix.size() - 4);  // lh:<id>: -> lh-lint-<id>
  const std::string password = random_run_id() + random_run_id() + random_run_id() + random_run_id();
  add_secret(password);
  // The password goes last: a server that echoes a refused command's first arguments never shows it.
  std::vector<std::string> setuser = {"ACL",           "SETUSER", fence,
                                      "reset",         "on",      "~" + transport::glob_escape(prefix) + "*",
                                      "resetchannels", "-@all"};
  for (const char* c : {"multi", "exec", "discard", "info", "ping", "exists", "cluster|slots"})
    setuser.push_back(std::string("+") + c);
  setuser.push_back(library ? "+fcall" : "+evalsha");
  if (seeds.front().db != 0) setuser.push_back("+select");
  for (const auto& c : commands) setuser.push_back("+" + lower(c));
  setuser.push_back(">" + password);

  std::vector<std::string> fenced_on;  // masters where the ACL user was made (and is deleted again)
  std::vector<std::string> loaded_on;  // masters where this loaded the library (and deletes it again)
  std::set<std::string> known_keys;  // every key the calls were given (deleted by name when SCAN is refused)
  for (const auto& c : calls)
    for (std::size_t k = 0, n = std::stoul(c.argv[2]); k < n; ++k) known_keys.insert(c.argv[3 + k]);

  auto clean = [&] {
    if (r.interrupted || g_interrupted.load()) extend_interrupt_grace(std::chrono::seconds(10));
    try {
      if (scan_refused) {
        uint64_t failed = 0;
        for (const auto& k : known_keys)
          if (session.admin().command({"UNLINK", k}, k).is_error()) ++failed;
        if (failed > 0)
          r.findings.push_back(target_finding(
              "error", "target-cleanup",
              cat(failed, " keys the lint wrote could not be deleted on the target, under '", prefix, "'"),
              "delete them by hand"));
      } else {
        const transport::CleanupResult cr = session.cleanup(prefix);
        if (cr.left != 0)
          r.findings.push_back(target_finding(
              "error", "target-cleanup",
              cat(cr.left < 0 ? std::string("an unknown number of") : std::to_string(cr.left),
                  " keys the lint wrote are left on the target under '", prefix, "': ", cr.reason),
              cat("delete them on each master: redis-cli --scan --pattern '", transport::glob_escape(prefix),
                  "*' | xargs -n 1 redis-cli unlink (with your connection flags)")));
      }
      // The fence on every node it was made on, whatever its role now (a failover meanwhile).
      std::vector<std::string> unfenced;
      auto fence_left = [&](const std::string& where, const std::string& why) {
        r.findings.push_back(target_finding("error", "target-cleanup",
                                            cat("the ACL user '", fence, "' the lint made is left at ", where,
                                                why.empty() ? std::string() : cat(": ", why)),
                                            cat("delete it: ACL DELUSER ", fence)));
      };
      session.each_node(
          [&](transport::SyncClient& node, const std::string& where) {
            if (std::find(fenced_on.begin(), fenced_on.end(), where) == fenced_on.end()) return;
            unfenced.push_back(where);
            const net::Reply d = node.command({"ACL", "DELUSER", fence});
            if (d.is_error() || d.integer() != 1)
              fence_left(where, d.is_error() ? std::string(d.error_message()) : std::string());
          },
          [&](const std::string& where, const std::string& why) {
            if (std::find(fenced_on.begin(), fenced_on.end(), where) == fenced_on.end()) return;
            unfenced.push_back(where);
            fence_left(where, why);
          });
      for (const auto& where : fenced_on)
        if (std::find(unfenced.begin(), unfenced.end(), where) == unfenced.end())
          fence_left(where, "the node is no longer in the cluster");
      session.each_master([&](transport::SyncClient& node, const std::string& where) {
        if (std::find(loaded_on.begin(), loaded_on.end(), where) == loaded_on.end()) return;
        // Deleted only while it is still this code: a deploy's FUNCTION LOAD REPLACE meanwhile is theirs.
        const auto code = library_code(node, script.library, where);
        if (!code || !same_code(*code, script.body)) return;
        const net::Reply d = node.command({"FUNCTION", "DELETE", script.library});
        if (d.is_error() || d.str() != "OK")
          r.findings.push_back(
              target_finding("error", "target-cleanup",
                             cat("the library '", script.library, "' the lint loaded is left at ", where,
                                 ": ", d.is_error() ? d.error_message() : d.str()),
                             cat("delete it: FUNCTION DELETE ", script.library)));
      });
    } catch (const std::exception& e) {
      r.findings.push_back(target_finding(
          "error", "target-cleanup",
          cat("cleaning the target failed: ", e.what(), " (keys under '", prefix, "', the ACL user '", fence,
              "'", library ? cat(" and the library '", script.library, "'") : "", " may be left)"),
          "delete what is left by hand"));
    }
  };
  std::string failure;  // the target refused or lost the calls: exit 3 once cleaned
  try {
    // The fence first, on every node (a replica may be promoted, or be the seed): without it nothing runs.
    session.each_node(
        [&](transport::SyncClient& node, const std::string& where) {
          if (!t.not_run.empty()) return;
          const net::Reply exists = node.command({"ACL", "GETUSER", fence});
          if (exists.is_error()) {
            t.not_run =
                redact(cat("could not verify that no ACL user '", fence, "' exists at ", where,
                           " (ACL GETUSER: ", exists.error_message(),
                           "): lint with a user that may ACL GETUSER, SETUSER and DELUSER, or without "
                           "--target"));
            return;
          }
          if (!exists.is_nil()) {
            t.not_run = cat("an ACL user '", fence, "' already exists at ", where);
            return;
          }
          const net::Reply made = node.command(setuser);
          if (made.is_error()) {
            t.not_run = redact(cat(
                "could not create the temporary ACL user that fences the calls to the run prefix (", where,
                ": ACL SETUSER: ", made.error_message(),
                "): lint with a user that may ACL SETUSER and DELUSER, where every command the script sends has "
                "its own name, or without --target"));
            return;
          }
          fenced_on.push_back(where);
        },
        [](const std::string&, const std::string&) {});  // a node down cannot serve the calls either
    if (t.not_run.empty()) {
      if (library) {
        // A library of the same name is the user's: used when it is this very code, never replaced.
        session.each_master([&](transport::SyncClient& node, const std::string& where) {
          if (const auto code = library_code(node, script.library, where)) {
            if (!same_code(*code, script.body))
              throw TargetError(
                  cat("lint --target: ", where, " already has a library '", script.library,
                      "' with other code: lint does not replace a library it did not load (lint "
                      "a copy under another #!lua name=, or where the library is this file)"));
            return;
          }
          const net::Reply l = node.command({"FUNCTION", "LOAD", script.body});
          if (l.is_error())
            throw TargetError(cat("lint --target: FUNCTION LOAD at ", where, ": ", l.error_message()));
          loaded_on.push_back(where);
        });
      } else {
        session.load_script(script);
      }
      for (auto& s : seeds) {
        s.user = fence;
        s.password = password;
      }
      const std::unique_ptr<transport::TargetSession> fenced = open_target(seeds, cluster, o.timeouts, false);
      if (seeds.front().db != 0)  // the connection has selected the URL's database: no other one from here
        session.each_node(
            [&](transport::SyncClient& node, const std::string&) {
              (void)node.command({"ACL", "SETUSER", fence, "-select"});
            },
            [](const std::string&, const std::string&) {});
      const Timed tm = time_calls(fenced->admin(), calls, calls.front().argv.front(), true);
      t.calls_run = tm.ran;
      if (tm.interrupted) r.interrupted = true;
      if (!tm.timed_out.empty()) {
        r.findings.push_back(target_finding(
            "error", "blocking",
            cat("a call did not answer on the target within ", reply_timeout_ms(o), " ms (", tm.timed_out,
                "): it blocks the server at least that long, and every other client waits",
                private_slowest_ms * 10 < static_cast<double>(transport::kMinAdminReplyTimeout.count())
                    ? cat(" (the slowest call took ", static_cast<int64_t>(private_slowest_ms),
                          " ms on the private server: the target may have stalled instead)")
                    : std::string()),
            "do less per call (bound its loops and reads), or split the work over several calls"));
      } else if (!tm.refused.empty()) {
        t.timing_refused = redact(tm.refused);
      } else {
        t.timing = tm.timing;
      }
      if (!tm.error.empty())
        failure =
            cat("lint --target: the target refused a call that ran cleanly on the private server: ", tm.error,
                is_noperm_message(tm.error)
                    ? " (the fence refused it: a command or key the private server did not see the "
                      "script use: a path not taken there, or an admin command MONITOR does not show)"
                    : "");
      else if (!tm.lost.empty()) failure = cat("lint --target: lost the target: ", tm.lost);
    }
  } catch (const Interrupted&) {
    r.interrupted = true;
  } catch (const ExitError& e) {
    failure = e.what();
    if (e.exit_code != kExitTarget) {
      clean();
      throw;
    }
  } catch (const std::runtime_error& e) {  // the target lost mid-way
    failure = cat("lint --target: ", e.what());
  }
  clean();
  if (!failure.empty()) {
    for (const auto& f : r.findings)
      if (f.rule == "target-cleanup") failure += "; " + f.message;
    throw TargetError(failure);
  }
}

std::string timing_text(const LintTiming& tm) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "p50 %.3f ms, p99 %.3f ms, max %.3f ms (%llu calls", tm.p50_ms, tm.p99_ms,
                tm.max_ms, static_cast<unsigned long long>(tm.calls));
  std::string out = buf;
  if (tm.discarded > 0)
    out += cat("; ", tm.discarded,
               " more left out: moved to another node, or their transaction did not count "
               "exactly one call");
  return out + ")";
}

// Commands a script may send that take no key and touch no data: allowed on a --target. Any other command
// without a key (SCAN, KEYS, RANDOMKEY, FLUSHDB, SELECT, PUBLISH, ...) reaches beyond the keys the call was
// given, and so do these that move keys to another database or server.
bool harmless_keyless(const std::string& cmd) { return cmd == "TIME" || cmd == "PING" || cmd == "ECHO"; }
bool reaches_beyond(const std::vector<std::string>& argv) {
  const std::string cmd = upper(argv[0]);
  if (cmd == "MOVE" || cmd == "MIGRATE" || cmd == "SELECT" || cmd == "SWAPDB") return true;
  // COPY's DB option: the fence cannot tell COPY a b from COPY a b DB 3.
  return cmd == "COPY";
}

}  // namespace

LintReport run_lint(const LintOptions& o) {
  std::ifstream in(o.path, std::ios::binary);
  if (!in) throw UsageError("lint: " + o.path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string body = text.str();
  if (body.empty()) throw UsageError("lint: " + o.path + ": the file is empty");

  LintReport r;
  r.file = o.path;
  // A Redis Functions library: its functions take their keys and args as parameters of their own names, so the
  // KEYS/ARGV counts do not apply; it runs by FCALL --fcall.
  const bool library = body.rfind("#!lua", 0) == 0;
  if (library && o.fcall.empty())
    throw UsageError("lint: " + o.path +
                     " is a Functions library (#!lua): give --fcall NAME, the function to run");
  if (!library && !o.fcall.empty())
    throw UsageError("lint: --fcall " + o.fcall + ": " + o.path +
                     " is no Functions library (no #!lua first line)");
  // A bad --target or --tls-* is said now, not after the private run.
  std::vector<net::RedisUrl> seeds;
  for (const auto& u : o.targets) seeds.push_back(net::parse_redis_url(u));
  if (!seeds.empty()) attach_tls(seeds, o.tls);

  for (auto& f : lint_static(body, o.keys.size(), o.args.size()))
    if (!library || (f.rule != "keys-count" && f.rule != "args-count")) r.findings.push_back(std::move(f));

  // With --target the calls are made once, under the target's fresh prefix, checked here and sent there as
  // they are.
  const std::string prefix = seeds.empty() ? "lh:lint:" : "lh:" + random_run_id() + ":";
  TemplateSet templates;
  try {
    templates = TemplateSet::compile(o.keys, o.args, prefix);
  } catch (const scenarios::TemplateError& e) {
    throw UsageError(e.what());
  }
  const scripts::Script script =
      library ? scripts::make_function(o.path, body, o.fcall) : scripts::make_script(o.path, body);
  const std::string call_command = library ? "FCALL" : "EVALSHA";
  Caller caller(std::move(templates), call_command, library ? o.fcall : script.sha1);

  // The target is reached now, before the private run: a wrong URL or password is said at once.
  std::unique_ptr<transport::TargetSession> session;
  bool cluster = false, scan_refused = false;
  if (!seeds.empty()) {
    r.target = LintTarget{};
    cluster = is_cluster(seeds, o.cluster, o.timeouts);
    r.target->mode = cluster ? "cluster" : "standalone";
    session = open_target(seeds, cluster, o.timeouts, false);
    r.target->nodes = session->describe().nodes;
    r.target->key_prefix = prefix;
    const transport::PrefixScan found = session->scan_prefix(prefix);
    scan_refused = !found.refused.empty();
    if (scan_refused)
      r.findings.push_back(
          target_finding("warning", "target-prefix",
                         cat("could not verify that no key on the target uses the run prefix '", prefix,
                             "': SCAN refused: ", found.refused),
                         "grant the user SCAN; the random prefix was assumed unused, and the lint's keys are "
                         "deleted by name"));
    else if (found.keys > 0)
      throw UsageError(cat("lint --target: the run prefix '", prefix, "' already has keys (e.g. '",
                           found.example, "'): lint again for another random prefix"));
  }

  std::unique_ptr<RedisServer> server;
  try {
    server = std::make_unique<RedisServer>(ServerOptions{o.redis_server, {}, false});
  } catch (const EmbeddedError& e) {
    throw TargetError(std::string("lint: could not start a private redis-server: ") + e.what());
  }
  Redis admin(server->port());
  auto monitor =
      std::make_unique<Redis>(server->port());  // closed before the timing: MONITOR costs each call
  {
    ReplyPtr load(library ? admin.command({"FUNCTION", "LOAD", "REPLACE", body})
                          : admin.command({"SCRIPT", "LOAD", body}));
    if (!load) throw TargetError("lint: the private redis-server did not answer");
    if (load->type == REDIS_REPLY_ERROR)
      throw UsageError("lint: " + o.path + ": Redis rejects the " + (library ? "library: " : "script: ") +
                       std::string(load->str, load->len));
  }

  // Which keys each call touches: MONITOR shows every command a script sends, and COMMAND GETKEYS which of
  // its arguments are keys. Every one of the --calls calls is checked against its own KEYS (a branch the
  // 150th call takes is seen), one at a time: the call, then an ECHO marker, then MONITOR read up to it, so
  // each line is the call's and nothing piles up. These very calls are what a --target gets.
  // Calls per command, by the server's accounting: what the script ran that MONITOR never shows (admin
  // commands such as SLOWLOG or CLUSTER ... subcommands) is found by comparing these before and after.
  auto command_counts = [&admin] {
    std::map<std::string, int64_t> out;
    ReplyPtr info(admin.command({"INFO", "commandstats"}));
    if (!info || info->type != REDIS_REPLY_STRING) return out;
    std::istringstream lines(std::string(info->str, info->len));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("cmdstat_", 0) != 0) continue;
      const auto colon = line.find(':');
      out[upper(line.substr(8, colon - 8))] = call_stat(line, line.substr(8, colon - 8)).calls;
    }
    return out;
  };
  const std::map<std::string, int64_t> counted_before = command_counts();
  const ReplyPtr monitoring(monitor->command({"MONITOR"}));
  std::vector<ScriptCall> calls;
  std::string first_error, monitor_problem;
  std::set<std::string> undeclared, cross, beyond, sent, flushes, scans;
  // A script that sends very many keyed commands is checked for its first calls only (COMMAND GETKEYS per
  // command), and only those go to a --target.
  constexpr int kGetkeysBudget = 200000;
  int getkeys = 0;
  for (int i = 0; i < o.calls && !g_interrupted.load() && getkeys <= kGetkeysBudget; ++i) {
    ScriptCall c = caller.next();
    const std::vector<std::string> declared = caller.keys();
    ReplyPtr rep(admin.command(c.argv));
    if (rep && rep->type == REDIS_REPLY_ERROR && first_error.empty()) first_error.assign(rep->str, rep->len);
    const std::string marker = cat("lh-lint-", i);
    const ReplyPtr echoed(admin.command({"ECHO", marker}));
    int tops = 0;
    bool ended = false;
    for (;;) {
      void* raw = nullptr;
      if (redisGetReply(monitor->c, &raw) != REDIS_OK || !raw) break;
      ReplyPtr line(static_cast<redisReply*>(raw));
      if (line->type != REDIS_REPLY_STATUS && line->type != REDIS_REPLY_STRING) continue;
      const auto [who, argv] = parse_monitor(std::string_view(line->str, line->len));
      if (argv.empty()) continue;
      const std::string cmd = upper(argv[0]);
      if (who != "lua") {
        if (cmd == "ECHO" && argv.size() > 1 && argv[1] == marker) {
          ended = true;
          break;
        }
        if (cmd == call_command) ++tops;
        continue;
      }
      sent.insert(cmd);
      if (cmd == "FLUSHDB" || cmd == "FLUSHALL") flushes.insert(cmd);
      if (cmd == "KEYS" || cmd == "SCAN" || cmd == "RANDOMKEY") scans.insert(cmd);
      if (harmless_keyless(cmd)) continue;
      if (reaches_beyond(argv)) beyond.insert(cmd);
      ++getkeys;
      std::vector<std::string> getkeys_argv = {"COMMAND", "GETKEYS"};
      getkeys_argv.insert(getkeys_argv.end(), argv.begin(), argv.end());
      ReplyPtr k(admin.command(getkeys_argv));
      if (!k || k->type != REDIS_REPLY_ARRAY || k->elements == 0) {
        beyond.insert(cmd);  // takes no key (SCAN, FLUSHDB, PUBLISH, ...)
        continue;
      }
      for (std::size_t j = 0; j < k->elements; ++j) {
        const std::string key(k->element[j]->str, k->element[j]->len);
        if (std::find(declared.begin(), declared.end(), key) == declared.end()) undeclared.insert(key);
      }
    }
    // Redis 7.0.0-7.0.5 do not show FCALL in MONITOR; a lost MONITOR shows nothing more: unchecked.
    if (!ended || tops != 1) {
      monitor_problem = !ended ? "the private server's MONITOR stopped answering"
                               : cat("MONITOR showed ", tops, " ", call_command, " lines for one call");
      break;
    }
    std::set<uint16_t> slots;
    for (const auto& g : declared) slots.insert(transport::key_slot(g));
    if (slots.size() > 1 && cross.empty()) {
      std::string names;
      for (const auto& g : declared)
        names += (names.empty() ? "" : ", ") + g + " (slot " + std::to_string(transport::key_slot(g)) + ")";
      cross.insert(names);
    }
    calls.push_back(std::move(c));
  }
  monitor.reset();
  for (const auto& [name, n] : command_counts()) {
    const std::string top = name.substr(0, name.find('|'));
    const auto was = counted_before.find(name);
    if (n > (was == counted_before.end() ? 0 : was->second) && !sent.count(top) &&
        !std::set<std::string>{"EVALSHA", "FCALL", "ECHO", "COMMAND", "MONITOR", "INFO"}.count(top))
      beyond.insert(name);  // run, but never shown by MONITOR
  }
  // Belt and braces: a key the private server holds outside the prefix came from the script.
  {
    std::string cursor = "0";
    do {
      ReplyPtr scan(admin.command({"SCAN", cursor, "COUNT", "1000"}));
      if (!scan || scan->type != REDIS_REPLY_ARRAY || scan->elements != 2) {
        monitor_problem = "the private server did not answer SCAN";
        break;
      }
      cursor.assign(scan->element[0]->str, scan->element[0]->len);
      for (std::size_t j = 0; j < scan->element[1]->elements; ++j) {
        const std::string key(scan->element[1]->element[j]->str, scan->element[1]->element[j]->len);
        if (key.rfind(prefix, 0) != 0) undeclared.insert(key);
      }
    } while (cursor != "0");
  }
  if (!undeclared.empty()) {
    // One finding, naming up to three keys: a key built from ${seq} would otherwise give one per call.
    std::string names;
    std::size_t n = 0;
    for (const auto& key : undeclared)
      if (n++ < 3) names += (names.empty() ? "'" : ", '") + key + "'";
    if (undeclared.size() > 3) names += cat(" and ", undeclared.size() - 3, " more");
    r.findings.push_back({"error", 0, "undeclared-key",
                          cat("the script touched the key", undeclared.size() > 1 ? "s " : " ", names,
                              undeclared.size() > 1 ? ", which the calls did not pass in KEYS"
                                                    : ", which the call did not pass in KEYS"),
                          "pass every key the script touches in KEYS (Redis Cluster routes by them, and "
                          "ACLs check them)"});
  }
  if (!cross.empty())
    r.findings.push_back(
        {"error", 0, "cross-slot",
         cat("the keys of one call hash to different cluster slots: ", *cross.begin(),
             "; Redis Cluster refuses such a call (CROSSSLOT)"),
         "give the keys one hash tag, e.g. 'lock:{${rand:1-100}}' and 'fence:{${rand:1-100}}'"});
  if (!first_error.empty())
    r.findings.push_back({"error", 0, "script-error",
                          cat("the script failed when run with the given keys and args: ", first_error),
                          "fix the script, or give the --key/--arg it expects"});
  // What the run saw the script send that reading it did not show (a name built at run time).
  auto said = [&](const std::string& cmd) {
    return std::any_of(r.findings.begin(), r.findings.end(), [&](const LintFinding& f) {
      return f.rule == "o-n" && f.message.find(cmd) != std::string::npos;
    });
  };
  for (const auto& cmd : flushes)
    if (!said(cmd))
      r.findings.push_back({"error", 0, "o-n", cat("a call sent ", cmd, ": it empties the whole database"),
                            "delete the script's own keys (given in KEYS) instead"});
  for (const auto& cmd : scans)
    if (!said(cmd))
      r.findings.push_back(
          {"warning", 0, "o-n",
           cat("a call sent ", cmd, ": it walks the whole keyspace while every other client waits"),
           "keep an index (a set or sorted set) of the keys, and pass the ones needed in KEYS"});
  if (!monitor_problem.empty())
    r.findings.push_back({"warning", 0, "unchecked",
                          cat("the keys of ", o.calls - static_cast<int>(calls.size()), " of ", o.calls,
                              " calls were not checked: ", monitor_problem),
                          "lint again; with Redis 7.0.0-7.0.5 (FCALL missing from MONITOR) use a newer "
                          "redis-server"});
  else if (static_cast<int>(calls.size()) < o.calls && !g_interrupted.load())
    r.findings.push_back({"info", 0, "unchecked",
                          cat("only the first ", calls.size(), " of ", o.calls,
                              " calls were checked and timed: the script sends more than ", kGetkeysBudget,
                              " keyed commands over them"),
                          "lower --calls, or the work per call"});

  // The server time of the very calls checked, by the server's own accounting, replayed on the emptied
  // private server (its keys start as the target's will; the slowlog would also hold every command the script
  // sends, and overflow).
  double slowest_ms = 0;
  if (!g_interrupted.load() && !calls.empty()) {
    const ReplyPtr flushed(admin.command({"FLUSHALL", "SYNC"}));
    Private priv(admin);
    const Timed tm = time_calls(priv, calls, call_command, false);
    if (tm.timing.calls > 0) r.timing = tm.timing;
    slowest_ms = tm.timing.max_ms;
  }

  // The user's Redis: only the checked calls, and only when nothing above could reach beyond their keys.
  if (r.target) {
    std::string& not_run = r.target->not_run;
    const bool any_error = std::any_of(r.findings.begin(), r.findings.end(),
                                       [](const LintFinding& f) { return f.severity == "error"; });
    const int64_t reply_ms = reply_timeout_ms(o);
    if (g_interrupted.load()) not_run = "interrupted";
    else if (!beyond.empty())
      not_run =
          cat("the script sent ", *beyond.begin(),
              ", which reaches beyond the keys it is given: on the target it could touch what is not the "
              "run's");
    else if (any_error) not_run = "fix the errors above first: a script with errors is not run on the target";
    else if (calls.empty()) not_run = "no call was checked";
    else if (slowest_ms > static_cast<double>(reply_ms))
      not_run = cat("a call blocked the private server for ", static_cast<int64_t>(slowest_ms),
                    " ms, longer than the reply timeout: lint does not block your server that long");
    if (not_run.empty()) {
      run_on_target(o, *session, seeds, cluster, script, library, calls, sent, prefix, scan_refused,
                    slowest_ms, r);
    }
    if (!not_run.empty() && not_run != "interrupted")
      r.findings.push_back({"warning", 0, "target-not-run", cat("not run on --target: ", not_run),
                            "fix what is said above, then lint again with --target"});
  }
  if (g_interrupted.load()) r.interrupted = true;

  // Blocking: judged on the target's time when it was measured there, else on the private server's.
  const bool on_target = r.target && r.target->timing && r.target->timing->calls > 0;
  if (r.target && !r.target->timing_refused.empty())
    r.findings.push_back(
        {"warning", 0, "target-timing",
         cat("the target's server time per call was not measured: ", r.target->timing_refused),
         "grant the user MULTI, EXEC and INFO (or lint where it may); the budget was judged on "
         "the private server's time"});
  if (r.target && r.target->timing && r.target->timing->calls == 0 && !r.interrupted)
    r.findings.push_back({"warning", 0, "target-timing",
                          cat("the target's server time per call could not be measured: none of ",
                              r.target->timing->discarded, " transactions counted exactly one call"),
                          "lint again; the budget was judged on the private server's time"});
  const bool blocking_said = std::any_of(r.findings.begin(), r.findings.end(),
                                         [](const LintFinding& f) { return f.rule == "blocking"; });
  if (blocking_said) {
    // A call on the target outlasted the reply timeout: said above.
  } else if (const LintTiming* tm = on_target ? &*r.target->timing : r.timing ? &*r.timing : nullptr) {
    const double budget_ms = static_cast<double>(o.budget.count()) / 1000.0;
    if (tm->p99_ms > budget_ms) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "blocks the server for %.1f ms per call (p99 of %llu calls on %s; p50 %.1f ms): "
                    "every other client waits, above --budget %.6g ms",
                    tm->p99_ms, static_cast<unsigned long long>(tm->calls),
                    on_target ? "the target" : "a private redis-server", tm->p50_ms, budget_ms);
      r.findings.push_back(
          {"error", 0, "blocking", buf,
           "do less per call (bound its loops and reads), or split the work over several calls"});
    }
  } else if (!r.interrupted) {
    r.findings.push_back({"warning", 0, "blocking",
                          "the server time per call could not be measured: no call was timed",
                          "run lint again; if it persists, report it"});
  }
  r.exit_code = r.interrupted ? kExitInterrupted
                : std::any_of(r.findings.begin(), r.findings.end(),
                              [](const LintFinding& f) { return f.severity == "error"; })
                    ? 1
                    : 0;
  return r;
}

nlohmann::json lint_json(const LintReport& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json j = {{"severity", f.severity}, {"rule", f.rule}, {"message", f.message}, {"fix", f.fix}};
    if (f.line > 0) j["line"] = f.line;
    findings.push_back(j);
  }
  nlohmann::json out = {{"file", r.file}, {"findings", findings}, {"exit_code", r.exit_code}};
  auto timing = [](const LintTiming& t) {
    nlohmann::json j = {{"calls", t.calls}, {"p50_ms", t.p50_ms}, {"p99_ms", t.p99_ms}, {"max_ms", t.max_ms}};
    if (t.discarded > 0) j["discarded"] = t.discarded;
    return j;
  };
  if (r.timing) out["timing"] = timing(*r.timing);
  if (r.target) {
    nlohmann::json t = {{"nodes", r.target->nodes}};
    if (!r.target->mode.empty()) t["mode"] = r.target->mode;
    if (!r.target->key_prefix.empty()) t["key_prefix"] = r.target->key_prefix;
    if (!r.target->not_run.empty()) t["not_run"] = r.target->not_run;
    if (r.target->timing) t["timing"] = timing(*r.target->timing);
    if (!r.target->timing_refused.empty()) t["timing_refused"] = r.target->timing_refused;
    if (r.target->not_run.empty()) t["calls_run"] = r.target->calls_run;
    out["target"] = t;
  }
  return out;
}

std::string lint_text(const LintReport& r) {
  std::ostringstream s;
  for (const auto& f : r.findings) {
    s << r.file;
    if (f.line > 0) s << ":" << f.line;
    s << ": " << f.severity << ": " << f.message << " [" << f.rule << "]\n  fix: " << f.fix << "\n";
  }
  if (r.timing) s << "server time per call: " << timing_text(*r.timing) << "\n";
  if (r.target) {
    std::string nodes;
    for (const auto& n : r.target->nodes) nodes += (nodes.empty() ? "" : ", ") + n;
    if (r.target->timing && r.target->timing->calls > 0)
      s << "server time per call on the target (" << nodes << "): " << timing_text(*r.target->timing) << "\n";
    else if (!r.target->timing_refused.empty())
      s << "ran " << r.target->calls_run << " calls on the target (" << nodes << "), not timed\n";
  }
  const auto n = [&](const char* sev) {
    return std::count_if(r.findings.begin(), r.findings.end(),
                         [&](const LintFinding& f) { return f.severity == sev; });
  };
  s << r.file << ": " << n("error") << " errors, " << n("warning") << " warnings, " << n("info")
    << " notes\n";
  return s.str();
}

std::string lint_github(const LintReport& r) {
  // Workflow commands: the message's own newlines, '%' and ':'/',' in properties are escaped.
  auto data = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '%' ? "%25" : c == '\n' ? "%0A" : c == '\r' ? "%0D" : std::string(1, c);
    return o;
  };
  auto prop = [&](const std::string& s) {
    std::string o;
    for (char c : data(s)) o += c == ':' ? "%3A" : c == ',' ? "%2C" : std::string(1, c);
    return o;
  };
  std::ostringstream s;
  for (const auto& f : r.findings) {
    const char* level = f.severity == "error" ? "error" : f.severity == "warning" ? "warning" : "notice";
    s << "::" << level << " file=" << prop(r.file);
    if (f.line > 0) s << ",line=" << f.line;
    std::string msg = f.message;
    if (!msg.empty() && msg.back() == '.') msg.pop_back();
    s << ",title=" << prop("lua-harness lint " + f.rule) << "::" << data(msg + ". Fix: " + f.fix) << "\n";
  }
  return s.str();
}

}  // namespace lh::app
