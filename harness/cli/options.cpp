#include "harness/cli/options.hpp"

#include <charconv>
#include <cmath>
#include <random>
#include <string_view>
#include <thread>

#include "harness/util/exit_errors.hpp"
#include "harness/net/url.hpp"

namespace lh::cli {

std::chrono::microseconds parse_duration(const std::string& flag, const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  const std::string num = text.substr(0, i), unit = text.substr(i);
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !std::isfinite(v))
    throw UsageError(flag + " '" + text + "': not a duration (examples: 10s, 500ms, 2m, 250us)");
  double us_per = 0;
  if (unit.empty() || unit == "s") us_per = 1e6;
  else if (unit == "ms") us_per = 1e3;
  else if (unit == "us") us_per = 1;
  else if (unit == "m" || unit == "min") us_per = 60e6;
  else if (unit == "h") us_per = 3600e6;
  else throw UsageError(flag + " '" + text + "': unknown unit '" + unit + "' (use us, ms, s, m or h)");
  return std::chrono::microseconds(static_cast<int64_t>(std::llround(v * us_per)));
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

namespace {

template <class T>
T parse_number(const std::string& flag, const std::string& text, T lo, T hi) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < lo || v > hi)
    throw UsageError(flag + " '" + text + "': expected a number from " + std::to_string(lo) + " to " +
                     std::to_string(hi));
  return v;
}

}  // namespace

double parse_share(const std::string& flag, const std::string& text) {
  std::string_view num = text;
  const bool percent = !num.empty() && num.back() == '%';
  if (percent) num.remove_suffix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !std::isfinite(v))
    throw UsageError(flag + " '" + text +
                     "': not a number (a share from 0 to 1, e.g. 0.01, or a percentage: 1%)");
  if (percent) v /= 100.0;
  if (v < 0 || v > 1) throw UsageError(flag + " '" + text + "': must be from 0 to 1 (0% to 100%)");
  return v;
}

void add_target_options(po::options_description& d, CommonOptions& o) {
  d.add_options()
    ("target", po::value(&o.targets)->composing(),
     "redis://[user[:password]@]host[:port][/db]; repeat for cluster seed nodes. None: an embedded redis-server")
    ("cluster", po::bool_switch(&o.cluster), "force cluster mode (normally detected from the server)")
    ("redis-server", po::value(&o.redis_server), "redis-server binary for the embedded default (default: PATH)")
    ("embedded-cluster", po::value(&o.embedded_cluster), "start a private N-master cluster instead")
    ("replicas", po::value(&o.replicas), "replicas per master of --embedded-cluster")
    ("connect-timeout", po::value(&o.connect_timeout)->default_value("2s"), "connect timeout")
    ("reply-timeout", po::value(&o.reply_timeout)->default_value("5s"),
     "reply timeout of the load: an op still unanswered then is indeterminate (setup, checks and cleanup wait "
     "at least 5s)");
}

void add_workload_options(po::options_description& d, CommonOptions& o, bool demo) {
  d.add_options()
    ("scenario", po::value(&o.scenarios), "comma list: counter,cas,rate-limiter,lock,inventory,leaderboard (default all)")
    ("variant", po::value(&o.variants), demo ? "comma list (default: every variant of each scenario)"
                                             : "comma list: atomic,naive,transaction,... (default atomic,naive)");
  if (!demo) {
    d.add_options()
      ("script", po::value(&o.script), "your own Lua script instead of the built-in scenarios")
      ("key", po::value(&o.keys)->composing(), "KEYS[i] template of --script (repeatable)")
      ("arg", po::value(&o.args)->composing(), "ARGV[i] template of --script (repeatable)")
      ("eval", po::bool_switch(&o.eval), "send EVAL with the script body every time instead of EVALSHA")
      ("pipeline", po::value(&o.pipeline)->default_value(1), "requests in flight per client (single-call variants)")
      ("requests", po::value(&o.requests_text), "logical ops per variant, instead of --duration")
      ("rate", po::value(&o.rate_text), "open-loop arrival rate, total ops/s (latency from the intended start)")
      ("warmup", po::value(&o.warmup), "load before measuring, not recorded (e.g. 2s)");
  }
  d.add_options()
    ("clients", po::value(&o.clients)->default_value(demo ? 16 : 50), "concurrent virtual clients")
    ("threads", po::value(&o.threads), "worker threads (default: cores - 1, at least 1)")
    ("duration", po::value(&o.duration), demo ? "how long each variant runs (default 2s)"
                                               : "how long each variant runs (default 10s)")
    ("keys", po::value(&o.keys_count_text), "key-space size per scenario (1 = one hot key)")
    ("think-time", po::value(&o.think_time), "pause between a naive op's read and write, and inside the lock")
    ("lock-ttl", po::value(&o.lock_ttl), "the lock scenario's lease (default 2s); below --think-time, leases expire while held")
    ("seed", po::value(&o.seed_text), "seed of every random choice (default: random, printed)")
    ("max-error-rate", po::value(&o.max_error_rate),
     "share of failed + indeterminate ops above which a variant is inconclusive and fails the run (0 to 1, or a "
     "percentage like 2%; default 0.01)")
    ("key-prefix", po::value(&o.key_prefix), "prefix of every key the run makes (default lh:<run-id>:)")
    ("keep-keys", po::bool_switch(&o.keep_keys), "leave the run's keys in Redis");
}

void add_output_options(po::options_description& d, CommonOptions& o) {
  d.add_options()
    ("threshold", po::value(&o.thresholds)->composing(),
     "gate, repeatable: [scenario[/variant]:]metric op number, e.g. 'counter/atomic:p99_ms<5'")
    ("report", po::value(&o.report), "write the JSON report to FILE ('-' = stdout)")
    ("html", po::value(&o.html), "write a self-contained HTML report")
    ("markdown", po::value(&o.markdown), "write a markdown summary ('-' = stdout, 'github' = $GITHUB_STEP_SUMMARY)")
    ("junit", po::value(&o.junit), "write JUnit XML")
    ("gbench", po::value(&o.gbench), "write Google Benchmark JSON")
    ("quiet,q", po::bool_switch(&o.quiet), "no per-variant lines or progress");
}

app::RunConfig to_run_config(const CommonOptions& o, bool demo) {
  app::RunConfig c;
  c.targets = o.targets;
  for (const auto& t : c.targets) {
    net::RedisUrl u;
    try {
      u = net::parse_redis_url(t);
    } catch (const net::UrlError& e) {
      throw UsageError(e.what());
    }
    // Several --targets are cluster seeds, and Redis Cluster serves database 0 only.
    if (u.db != 0 && (o.cluster || c.targets.size() > 1))
      throw UsageError("--target " + u.display() + ": Redis Cluster has database 0 only (drop /" +
                       std::to_string(u.db) + ")");
  }
  c.cluster = o.cluster;
  c.redis_server = o.redis_server;
  c.embedded_cluster = o.embedded_cluster;
  c.replicas = o.replicas;
  if (o.embedded_cluster < 0 || o.embedded_cluster > 100)
    throw UsageError("--embedded-cluster: expected a number of masters from 1 to 100");
  if (o.replicas < 0 || o.replicas > 10) throw UsageError("--replicas: expected a number from 0 to 10");
  if (o.embedded_cluster > 0 && !o.targets.empty())
    throw UsageError("--embedded-cluster and --target exclude each other");
  c.scenarios = split_list(o.scenarios);
  c.variants = split_list(o.variants);
  if (c.variants.empty() && !demo) c.variants = {"atomic", "naive"};
  c.script_path = o.script;
  c.key_templates = o.keys;
  c.arg_templates = o.args;
  c.eval = o.eval;
  if (!o.script.empty() && !o.scenarios.empty()) throw UsageError("--script and --scenario exclude each other");
  if (o.script.empty() && (!o.keys.empty() || !o.args.empty()))
    throw UsageError("--key/--arg need --script FILE.lua");
  if (o.clients < 1 || o.clients > 65535) throw UsageError("--clients: expected a number from 1 to 65535");
  if (o.pipeline < 1 || o.pipeline > 4096) throw UsageError("--pipeline: expected a number from 1 to 4096");
  auto& l = c.load;
  l.clients = o.clients;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  l.threads = o.threads ? o.threads : std::max(1u, cores - 1);
  if (l.threads > 256) throw UsageError("--threads: expected a number from 1 to 256");
  l.pipeline = o.pipeline;
  l.duration = parse_duration("--duration", o.duration.empty() ? (demo ? "2s" : "10s") : o.duration);
  if (l.duration.count() <= 0) throw UsageError("--duration: must be more than 0");
  if (l.duration > std::chrono::minutes(70)) throw UsageError("--duration: at most 70m per variant");
  if (!o.requests_text.empty())
    l.requests = parse_number<uint64_t>("--requests", o.requests_text, 1, UINT64_MAX / 2);
  if (!o.warmup.empty()) l.warmup = parse_duration("--warmup", o.warmup);
  if (!o.rate_text.empty()) {
    double r = 0;
    auto [p, ec] = std::from_chars(o.rate_text.data(), o.rate_text.data() + o.rate_text.size(), r);
    if (ec != std::errc() || p != o.rate_text.data() + o.rate_text.size() || !(r > 0))
      throw UsageError("--rate '" + o.rate_text + "': expected ops per second, more than 0");
    l.rate = r;
  }
  if (!o.think_time.empty())
    l.think_time_ms = static_cast<double>(parse_duration("--think-time", o.think_time).count()) / 1000.0;
  if (!o.lock_ttl.empty()) {
    c.lock_ttl_ms = parse_duration("--lock-ttl", o.lock_ttl).count() / 1000;
    if (c.lock_ttl_ms < 1) throw UsageError("--lock-ttl: at least 1ms");
  }
  if (!o.keys_count_text.empty()) c.keys = parse_number<uint64_t>("--keys", o.keys_count_text, 1, 65535);
  l.seed = o.seed_text.empty() ? (static_cast<uint64_t>(std::random_device{}()) << 20 ^ std::random_device{}())
                               : parse_number<uint64_t>("--seed", o.seed_text, 0, UINT64_MAX);
  c.key_prefix = o.key_prefix;
  if (!o.key_prefix.empty()) app::validate_key_prefix(o.key_prefix);
  c.keep_keys = o.keep_keys;
  c.timeouts.connect = std::chrono::duration_cast<std::chrono::milliseconds>(
      parse_duration("--connect-timeout", o.connect_timeout));
  c.timeouts.reply = std::chrono::duration_cast<std::chrono::milliseconds>(
      parse_duration("--reply-timeout", o.reply_timeout));
  if (c.timeouts.connect.count() <= 0 || c.timeouts.reply.count() <= 0)
    throw UsageError("--connect-timeout/--reply-timeout: must be at least 1ms");
  if (!o.max_error_rate.empty()) c.max_error_rate = parse_share("--max-error-rate", o.max_error_rate);
  l.progress = !o.quiet;
  return c;
}

po::variables_map parse_with_files(int argc, char** argv, const po::options_description& visible,
                                   std::vector<std::string>& files) {
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files));
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
  po::notify(vm);
  return vm;
}

po::variables_map parse_or_usage(int argc, char** argv, const po::options_description& d,
                                 const po::positional_options_description* pos) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(argc, argv).options(d);
    if (pos) parser.positional(*pos);
    const po::parsed_options parsed = parser.run();
    // Without a positional description Boost drops positional tokens silently: `run foo` or a value given to
    // a switch (`--quiet yes`) would be ignored.
    if (!pos) {
      const auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
      if (!stray.empty())
        throw UsageError("unexpected argument '" + stray.front() +
                         "': " + (argc > 0 ? argv[0] : "this command") + " takes options only (see --help)");
    }
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  return vm;
}

}  // namespace lh::cli
