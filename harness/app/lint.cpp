#include "harness/app/lint.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness/app/redis_server.hpp"
#include "harness/engine/rng.hpp"
#include "harness/scenarios/templates.hpp"
#include "harness/transport/script.hpp"
#include "harness/transport/slot.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

namespace lh::app {

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
          arg += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
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
  for (auto& f : lint_static(body, o.keys.size(), o.args.size()))
    if (!library || (f.rule != "keys-count" && f.rule != "args-count")) r.findings.push_back(std::move(f));

  const std::string prefix = "lh:lint:";
  scenarios::TemplateSet templates;
  try {
    templates = scenarios::TemplateSet::compile(o.keys, o.args, prefix);
  } catch (const scenarios::TemplateError& e) {
    throw UsageError(e.what());
  }

  std::unique_ptr<RedisServer> server;
  try {
    server = std::make_unique<RedisServer>(ServerOptions{o.redis_server, {}, false});
  } catch (const EmbeddedError& e) {
    throw TargetError(std::string("lint: could not start a private redis-server: ") + e.what());
  }
  Redis admin(server->port()), monitor(server->port());
  const scripts::Script script = scripts::make_script(o.path, body);
  {
    ReplyPtr load(library ? admin.command({"FUNCTION", "LOAD", "REPLACE", body})
                          : admin.command({"SCRIPT", "LOAD", body}));
    if (!load) throw TargetError("lint: the private redis-server did not answer");
    if (load->type == REDIS_REPLY_ERROR)
      throw UsageError("lint: " + o.path + ": Redis rejects the " + (library ? "library: " : "script: ") +
                       std::string(load->str, load->len));
  }
  const std::string call_command = library ? "FCALL" : "EVALSHA";
  engine::Rng rng(42);
  std::vector<std::string> keys, args, scratch;
  uint64_t seq = 0;
  auto one_call = [&](std::vector<std::string>* call_keys) {
    scenarios::TemplateContext tc{0, seq++, &rng, 0};
    templates.expand(tc, keys, args, scratch);
    std::vector<std::string> argv = {call_command, library ? o.fcall : script.sha1,
                                     std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    if (call_keys) *call_keys = keys;
    return ReplyPtr(admin.command(argv));
  };

  // Which keys each call touches: MONITOR shows every command a script sends, and COMMAND GETKEYS which of
  // its arguments are keys. A few calls, each checked against its own KEYS.
  const ReplyPtr monitoring(monitor.command({"MONITOR"}));
  std::vector<std::vector<std::string>> given;
  std::string first_error;
  constexpr int kTracked = 20;
  for (int i = 0; i < kTracked; ++i) {
    given.emplace_back();
    ReplyPtr rep = one_call(&given.back());
    if (rep && rep->type == REDIS_REPLY_ERROR && first_error.empty()) first_error.assign(rep->str, rep->len);
  }
  const ReplyPtr marked(admin.command({"ECHO", "lh-lint-end"}));  // MONITOR's last line of this phase
  std::set<std::string> undeclared, cross;
  int call = -1;
  for (;;) {
    void* raw = nullptr;
    if (redisGetReply(monitor.c, &raw) != REDIS_OK || !raw) break;
    ReplyPtr line(static_cast<redisReply*>(raw));
    if (line->type != REDIS_REPLY_STATUS && line->type != REDIS_REPLY_STRING) continue;
    const auto [who, argv] = parse_monitor(std::string_view(line->str, line->len));
    if (argv.empty()) continue;
    const std::string cmd = upper(argv[0]);
    if (who != "lua") {
      if (cmd == "ECHO" && argv.size() > 1 && argv[1] == "lh-lint-end") break;
      if (cmd == call_command) ++call;
      continue;
    }
    if (call < 0 || call >= static_cast<int>(given.size())) continue;
    std::vector<std::string> getkeys = {"COMMAND", "GETKEYS"};
    getkeys.insert(getkeys.end(), argv.begin(), argv.end());
    ReplyPtr k(admin.command(getkeys));
    if (!k || k->type != REDIS_REPLY_ARRAY) continue;
    for (std::size_t j = 0; j < k->elements; ++j) {
      const std::string key(k->element[j]->str, k->element[j]->len);
      const auto& declared = given[static_cast<std::size_t>(call)];
      if (std::find(declared.begin(), declared.end(), key) == declared.end()) undeclared.insert(key);
    }
  }
  // The keys each call passed: one slot, or a cluster refuses the call (an undeclared key is said above).
  for (const auto& declared : given) {
    std::set<uint16_t> slots;
    for (const auto& g : declared) slots.insert(transport::key_slot(g));
    if (slots.size() > 1) {
      std::string names;
      for (const auto& g : declared)
        names += (names.empty() ? "" : ", ") + g + " (slot " + std::to_string(transport::key_slot(g)) + ")";
      cross.insert(names);
    }
  }
  for (const auto& key : undeclared) {
    r.findings.push_back({"error", 0, "undeclared-key",
                          cat("the script touched the key '", key, "', which the call did not pass in KEYS"),
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

  // The server time of each call, by the server's own accounting: cmdstat_evalsha's usec, read after each
  // call (the slowlog would also hold every command the script sends, and overflow for a busy script).
  Redis timed(server->port());
  auto evalsha_usec = [&]() -> int64_t {
    ReplyPtr info(timed.command({"INFO", "commandstats"}));
    if (!info || info->type != REDIS_REPLY_STRING) return -1;
    const std::string_view text(info->str, info->len);
    const auto at = text.find(library ? "cmdstat_fcall:" : "cmdstat_evalsha:");
    if (at == std::string_view::npos) return 0;
    const auto u = text.find("usec=", at);
    return u == std::string_view::npos ? -1 : std::atoll(std::string(text.substr(u + 5, 20)).c_str());
  };
  std::vector<double> ms;
  int64_t before = evalsha_usec();
  for (int i = 0; i < o.calls && before >= 0; ++i) {
    one_call(nullptr);
    const int64_t after = evalsha_usec();
    if (after < 0) break;
    ms.push_back(static_cast<double>(after - before) / 1000.0);
    before = after;
  }
  if (!ms.empty()) {
    LintTiming tm;
    tm.calls = ms.size();
    tm.p50_ms = percentile(ms, 50);
    tm.p99_ms = percentile(ms, 99);
    tm.max_ms = *std::max_element(ms.begin(), ms.end());
    r.timing = tm;
    const double budget_ms = static_cast<double>(o.budget.count()) / 1000.0;
    if (tm.p99_ms > budget_ms) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "blocks the server for %.1f ms per call (p99 of %llu calls; p50 %.1f ms): "
                    "every other client waits, above --budget %.3g ms",
                    tm.p99_ms, static_cast<unsigned long long>(tm.calls), tm.p50_ms, budget_ms);
      r.findings.push_back(
          {"error", 0, "blocking", buf,
           "do less per call (bound its loops and reads), or split the work over several calls"});
    }
  }
  r.exit_code = std::any_of(r.findings.begin(), r.findings.end(),
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
  if (r.timing)
    out["timing"] = {{"calls", r.timing->calls},
                     {"p50_ms", r.timing->p50_ms},
                     {"p99_ms", r.timing->p99_ms},
                     {"max_ms", r.timing->max_ms}};
  return out;
}

std::string lint_text(const LintReport& r) {
  std::ostringstream s;
  for (const auto& f : r.findings) {
    s << r.file;
    if (f.line > 0) s << ":" << f.line;
    s << ": " << f.severity << ": " << f.message << " [" << f.rule << "]\n  fix: " << f.fix << "\n";
  }
  if (r.timing) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "server time per call: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%llu calls)\n",
                  r.timing->p50_ms, r.timing->p99_ms, r.timing->max_ms,
                  static_cast<unsigned long long>(r.timing->calls));
    s << buf;
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
