#include "harness/cli/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

#include "harness/scenarios/scenario.hpp"
#include "harness/util/exit_errors.hpp"
#include "harness/util/strcat.hpp"

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

std::pair<uint32_t, uint32_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto whole = [&](std::string_view s, uint32_t& out) {
    if (s.empty() || s.size() > 6) return false;
    out = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      out = out * 10 + static_cast<uint32_t>(ch - '0');
    }
    return true;
  };
  uint32_t index = 0, count = 0;
  if (slash == std::string::npos || !whole(std::string_view(text).substr(0, slash), index) ||
      !whole(std::string_view(text).substr(slash + 1), count))
    throw UsageError("--shard '" + text + "': expected INDEX/COUNT, e.g. 0/4");
  if (count < 1 || index >= count)
    throw UsageError("--shard '" + text +
                     "': INDEX must be from 0 to COUNT - 1 (0-based, as a Kubernetes "
                     "completion index)");
  return {index, count};
}

int64_t parse_start_at(const std::string& text) {
  const std::string bad =
      "--start-at '" + text + "': expected unix seconds or RFC 3339 (2026-12-02T20:00:00Z)";
  // Unix seconds, perhaps with a fraction (to the microsecond, exactly: no double in between).
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    const auto dot = text.find('.');
    const std::string whole = text.substr(0, dot),
                      frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (whole.size() < 10 || whole.size() > 11 ||
        (dot != std::string::npos &&
         (frac.empty() || frac.size() > 6 || frac.find('.') != std::string::npos)))
      throw UsageError(bad + " (unix seconds since 1970, at most 6 decimals)");
    int64_t us = std::stoll(whole) * 1'000'000, scale = 100000;
    for (char ch : frac) {
      us += (ch - '0') * scale;
      scale /= 10;
    }
    return us;
  }
  // RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int Y = 0, M = 0, D = 0, h = 0, m = 0, sec = 0, n = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &n) != 6)
    throw UsageError(bad);
  std::size_t i = static_cast<std::size_t>(n);
  int64_t frac_us = 0;
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100000;
    const std::size_t digits_at = ++i;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, scale /= 10)
      frac_us += (text[i] - '0') * scale;
    if (i == digits_at || i - digits_at > 9) throw UsageError(bad);
  }
  int64_t offset_s = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh = 0, om = 0, k = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59 ||
        !std::isdigit(static_cast<unsigned char>(text[i + 1])))
      throw UsageError(bad);
    offset_s = (text[i] == '+' ? 1 : -1) * (int64_t{oh} * 3600 + int64_t{om} * 60);
    i += 6;
  } else {
    throw UsageError(bad + " (the time zone, Z or +HH:MM, is required)");
  }
  if (i != text.size() || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 59)
    throw UsageError(bad);
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  const time_t local = timegm(&tm);
  std::tm back{};
  if (!gmtime_r(&local, &back) || back.tm_mday != D || back.tm_mon != M - 1)  // 2026-02-31 is no date
    throw UsageError(bad + " (no such day)");
  const int64_t t = static_cast<int64_t>(local) - offset_s;
  return t * 1'000'000 + frac_us;
}

std::vector<reports::Stage> parse_stages(const std::string& text) {
  std::vector<reports::Stage> out;
  const auto items = split_list(text);
  if (items.empty())
    throw UsageError("--stages '" + text + "': no stage (expected D:RATE,..., e.g. 30s:1000,1m:1000)");
  double total_s = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    const std::string where = cat("--stages '", text, "': stage ", i + 1, " '", item, "'");
    const auto colon = item.find(':');
    if (colon == std::string::npos) throw UsageError(where + ": expected DURATION:RATE, e.g. 30s:1000");
    const auto d = parse_duration("--stages", item.substr(0, colon));
    if (d.count() <= 0) throw UsageError(where + ": the duration must be more than 0");
    const std::string r = item.substr(colon + 1);
    double rate = 0;
    auto [p, ec] = std::from_chars(r.data(), r.data() + r.size(), rate);
    if (r.empty() || ec != std::errc() || p != r.data() + r.size() || !(rate >= 0) || !(rate <= 1e9))
      throw UsageError(cat(where, ": '", r, "' is not a rate (ops/s, from 0 to 1e9)"));
    out.push_back({static_cast<double>(d.count()) / 1e6, rate});
    total_s += out.back().duration_s;
  }
  if (total_s > 70 * 60) throw UsageError("--stages '" + text + "': at most 70m in all");
  if (std::none_of(out.begin(), out.end(), [](const reports::Stage& s) { return s.rate > 0; }))
    throw UsageError("--stages '" + text + "': every stage's rate is 0: nothing would be sent");
  return out;
}

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

namespace {

// What `run` compares when no --variant is given: the script against its naive twin. (The demo runs every variant
// the registry knows.)
const std::vector<std::string> kRunDefaultVariants = {"atomic", "naive"};

// Names joined for the help ("a,b,..."), the first `at_most` of them.
std::string joined(const std::vector<std::string>& names, std::size_t at_most = SIZE_MAX) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) out += (i ? "," : "") + names[i];
  return out;
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> out;
  for (const auto* s : scenarios::all_scenarios()) out.emplace_back(s->name());
  return out;
}

// A flag whose text is parsed into its field when po::notify stores it. Text given as '' is not parsed: the field
// keeps its default and validate_before_load refuses the empty value by name.
template <class Parse>
po::typed_value<std::string>* text(Parse parse) {
  return po::value<std::string>()->notifier([parse](const std::string& t) {
    if (!t.empty()) parse(t);
  });
}

// A timeout: always parsed (it has a default, and '' is "not a duration"), at least 1 ms.
po::typed_value<std::string>* timeout(std::chrono::milliseconds* field, const std::string& flag,
                                      const char* fallback) {
  return po::value<std::string>()->default_value(fallback)->notifier([field, flag](const std::string& t) {
    *field = std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration(flag, t));
    if (field->count() <= 0) throw UsageError("--connect-timeout/--reply-timeout: must be at least 1ms");
  });
}

// A comma list; given, it must name at least one item (`what` says what to do instead).
po::typed_value<std::string>* list(std::vector<std::string>* field, const std::string& flag,
                                   const char* what) {
  return po::value<std::string>()->notifier([field, flag, what](const std::string& t) {
    *field = split_list(t);
    if (field->empty()) throw UsageError(flag + " '" + t + "': an empty list (" + what + ")");
  });
}

// A number bound to its field, refused outside [lo, hi] with `message`.
template <class T>
po::typed_value<T>* number(T* field, T lo, T hi, const std::string& message) {
  return po::value(field)->notifier([lo, hi, message](const T& v) {
    if (v < lo || v > hi) throw UsageError(message);
  });
}

}  // namespace

void add_run_options(po::options_description& d, RunOptions& o, bool demo) {
  app::RunConfig& c = o.run;
  engine::LoadConfig& l = c.load;
  // The defaults a flag left out means.
  c.variants = demo ? scenarios::all_variant_names() : kRunDefaultVariants;
  l.clients = demo ? 16 : 50;
  l.threads = std::max(1u, std::max(1u, std::thread::hardware_concurrency()) - 1);
  l.duration = demo ? std::chrono::seconds(2) : std::chrono::seconds(10);
  l.think_time_ms = demo ? 1.0 : 0.0;  // the demo widens the naive twins' race window
  l.seed = static_cast<uint64_t>(std::random_device{}()) << 20 ^ std::random_device{}();

  // The option tables keep one flag per entry, laid out by hand.
  // clang-format off
  // The target.
  d.add_options()
    ("target", po::value(&c.targets)->composing(),
     "redis://[user[:password]@]host[:port][/db], rediss:// for TLS; repeat for cluster seed nodes. None: an "
     "embedded redis-server")
    ("cluster", po::bool_switch(&c.cluster), "force cluster mode (normally detected from the server)")
    ("redis-server", po::value(&c.redis_server), "redis-server binary for the embedded default (default: PATH)")
    ("embedded-cluster", po::value(&c.embedded_cluster)->notifier([](int n) {
       if (n < 0 || n > 100) throw UsageError("--embedded-cluster: expected a number of masters from 1 to 100");
       if (n < 1)
         throw UsageError("--embedded-cluster " + std::to_string(n) + ": expected a number of masters from 1 to 100");
     }),
     "start a private N-master cluster instead")
    ("replicas", number(&c.replicas, 0, 10, "--replicas: expected a number from 0 to 10"),
     "replicas per master of --embedded-cluster")
    ("tls-ca", po::value(&c.tls.ca_file)->value_name("FILE"),
     "rediss://: the CA certificates (PEM) to verify the server with (default: the system's trust store)")
    ("tls-cert", po::value(&c.tls.cert_file)->value_name("FILE"),
     "rediss://: client certificate (PEM), for a server with tls-auth-clients")
    ("tls-key", po::value(&c.tls.key_file)->value_name("FILE"), "rediss://: the private key of --tls-cert (PEM)")
    ("tls-sni", po::value(&c.tls.sni)->value_name("NAME"),
     "rediss://: the server name to send (SNI) and to verify the certificate against (default: the host)")
    ("tls-insecure", po::bool_switch(&c.tls.insecure),
     "rediss://: verify neither the certificate nor the name (a warning on every run)")
    ("connect-timeout", timeout(&c.timeouts.connect, "--connect-timeout", "2s"), "connect timeout")
    ("reply-timeout", timeout(&c.timeouts.reply, "--reply-timeout", "5s"),
     "reply timeout of the load: an op still unanswered then is indeterminate (setup, checks and cleanup wait "
     "at least 5s)");

  // The workload.
  const std::string scenario_help = "comma list: " + joined(scenario_names()) + " (default all)";
  // The help names the scenarios, and the registry's first variants as a hint of the rest.
  const std::string variant_help = demo ? "comma list (default: every variant of each scenario)"
                                        : "comma list: " + joined(scenarios::all_variant_names(), 3) +
                                              ",... (default " + joined(kRunDefaultVariants) + ")";
  d.add_options()
    ("scenario", list(&c.scenarios, "--scenario", "name at least one scenario, or leave the flag out for all of them"),
     scenario_help.c_str())
    ("variant", list(&c.variants, "--variant", "name at least one variant, or leave the flag out for the default"),
     variant_help.c_str());
  if (!demo) {
    d.add_options()
      ("script", po::value(&c.script_path), "your own Lua script instead of the built-in scenarios")
      ("key", po::value(&c.key_templates)->composing(), "KEYS[i] template of --script (repeatable)")
      ("arg", po::value(&c.arg_templates)->composing(), "ARGV[i] template of --script (repeatable)")
      ("eval", po::bool_switch(&c.eval), "send EVAL with the script body every time instead of EVALSHA")
      ("function", po::value(&c.function_path)->value_name("LIB.lua"),
       "a Redis Functions library (first line '#!lua name=LIB') instead of --script: FUNCTION LOAD REPLACE on "
       "every master, then FCALL --fcall NAME per op, with --key/--arg as a script's")
      ("fcall", po::value(&c.fcall)->value_name("NAME"), "the function of --function that each op calls")
      ("pipeline", number<uint32_t>(&l.pipeline, 1, 4096, "--pipeline: expected a number from 1 to 4096")->default_value(1),
       "requests in flight per client (single-call variants)")
      ("requests", text([&l](const std::string& t) {
         l.requests = parse_number<uint64_t>("--requests", t, 1, UINT64_MAX / 2);
       }),
       "logical ops per variant, instead of --duration")
      ("rate", text([&l](const std::string& t) {
         double r = 0;
         auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), r);
         if (ec != std::errc() || p != t.data() + t.size() || !(r > 0) || !(r <= 1e9))
           throw UsageError("--rate '" + t + "': expected ops per second, more than 0 and at most 1e9");
         l.rate = r;
       }),
       "open-loop arrival rate, total ops/s (latency from the intended start)")
      ("warmup", text([&l](const std::string& t) { l.warmup = parse_duration("--warmup", t); }),
       "load before measuring, not recorded (e.g. 2s)")
      ("stages", text([&l](const std::string& t) { l.stages = parse_stages(t); }),
       "D:RATE,...: open loop, the rate moving linearly from the previous stage's (0 at first) to RATE over D, "
       "stage by stage (e.g. 30s:5000,1m:5000,30s:0); instead of --rate and --duration")
      ("workload", po::value(&c.workload_path)->value_name("FILE.json"),
       "a weighted mix of scripts and scenario variants in one load: {\"scripts\": [{\"name\", \"script\" or "
       "\"scenario\"+\"variant\", \"keys\", \"args\", \"weight\"}]}; one result row per entry");
  }
  d.add_options()
    ("clients", number<uint32_t>(&l.clients, 1, 65535, "--clients: expected a number from 1 to 65535")
                    ->default_value(l.clients),
     "concurrent virtual clients")
    ("threads", po::value(&l.threads)->notifier([](uint32_t n) {
       if (n == 0) throw UsageError("--threads 0: expected a number from 1 to 256 (leave the flag out for cores - 1)");
       if (n > 256) throw UsageError("--threads: expected a number from 1 to 256");
     }),
     "worker threads (default: cores - 1, at least 1)")
    ("duration", text([&l](const std::string& t) {
       l.duration = parse_duration("--duration", t);
       if (l.duration.count() <= 0) throw UsageError("--duration: must be more than 0");
       if (l.duration > std::chrono::minutes(70)) throw UsageError("--duration: at most 70m per variant");
     }),
     demo ? "how long each variant runs (default 2s)" : "how long each variant runs (default 10s)")
    ("keys", text([&c](const std::string& t) { c.keys = parse_number<uint64_t>("--keys", t, 1, 65535); }),
     "key-space size per scenario (1 = one hot key)")
    ("think-time", text([&l](const std::string& t) {
       l.think_time_ms = static_cast<double>(parse_duration("--think-time", t).count()) / 1000.0;
     }),
     "pause between a naive op's read and write, and inside the lock")
    ("lock-ttl", text([&c](const std::string& t) {
       c.lock_ttl_ms = parse_duration("--lock-ttl", t).count() / 1000;
       if (c.lock_ttl_ms < 1) throw UsageError("--lock-ttl: at least 1ms");
     }),
     "the lock scenario's lease (default 2s); below --think-time, leases expire while held")
    ("seed", text([&l](const std::string& t) { l.seed = parse_number<uint64_t>("--seed", t, 0, UINT64_MAX); }),
     "seed of every random choice (default: random, printed)")
    ("max-error-rate", text([&c](const std::string& t) { c.max_error_rate = parse_share("--max-error-rate", t); }),
     "share of failed + indeterminate ops above which a variant is inconclusive and fails the run (0 to 1, or a "
     "percentage like 2%; default 0.01)")
    ("key-prefix", po::value(&c.key_prefix)->notifier([](const std::string& p) {
       if (!p.empty()) app::validate_key_prefix(p);
     }),
     "prefix of every key the run makes (default lh:<run-id>:)")
    ("keep-keys", po::bool_switch(&c.keep_keys), "leave the run's keys in Redis");
  if (!demo)
    d.add_options()
      ("shard", text([&c](const std::string& t) {
         const auto [index, count] = parse_shard(t);
         c.shard_index = index;
         c.shard_count = count;
       }),
       "INDEX/COUNT (INDEX from 0): run this process's share of the clients, --rate and --requests of a run split "
       "over COUNT processes under one --key-prefix; lua-harness merge judges them together")
      ("start-at", text([&c](const std::string& t) { c.start_at_unix_us = parse_start_at(t); }),
       "start the load at this wall time (unix seconds, or RFC 3339 like 2026-12-02T20:00:00Z), so that shards "
       "start together");

  // The outputs.
  d.add_options()
    ("threshold", po::value<std::vector<std::string>>()->composing()->notifier([&o](const std::vector<std::string>& all) {
       for (const auto& t : all) {
         try {
           o.thresholds.push_back(reports::parse_threshold(t));
         } catch (const std::invalid_argument& e) {
           throw UsageError(e.what());
         }
       }
     }),
     "gate, repeatable: [scenario[/variant]:]metric op number, e.g. '*/atomic:p99_ms<5'")
    ("report", po::value(&o.report), "write the JSON report to FILE ('-' = stdout)")
    ("html", po::value(&o.outputs.html), "write a self-contained HTML report")
    ("markdown", po::value(&o.outputs.markdown),
     "write a markdown summary ('-' = stdout, 'github' = $GITHUB_STEP_SUMMARY)")
    ("junit", po::value(&o.outputs.junit), "write JUnit XML")
    ("gbench", po::value(&o.outputs.gbench), "write Google Benchmark JSON")
    ("quiet,q", po::bool_switch(&o.quiet)->notifier([&l](bool quiet) { l.progress = !quiet; }),
     "no per-variant lines or progress");
  // clang-format on
}

void add_capacity_options(po::options_description& d, RunOptions& o) {
  app::CapacityConfig& c = o.run.capacity.emplace();
  auto rate = [](const std::string& flag, double* field) {
    return text([flag, field](const std::string& t) {
      double r = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), r);
      if (ec != std::errc() || p != t.data() + t.size() || !(r > 0) || !(r <= 1e9))
        throw UsageError(flag + " '" + t + "': expected ops per second, more than 0 and at most 1e9");
      *field = r;
    });
  };
  // clang-format off
  d.add_options()
    ("slo", po::value<std::vector<std::string>>()->composing()->notifier([&c](const std::vector<std::string>& all) {
       for (const auto& t : all) {
         try {
           c.slos.push_back(reports::parse_threshold(t));
         } catch (const std::invalid_argument& e) {
           std::string what = e.what();
           if (what.rfind("--threshold", 0) == 0) what.replace(0, 11, "--slo");
           throw UsageError(what);
         }
       }
     }),
     "an objective every step must meet, repeatable, the --threshold grammar: 'p99_ms<2', 'error_rate<0.01', "
     "'violations==0', 'dropped==0', 'NAME:p99_ms<5' (a --workload entry)")
    ("rate-start", rate("--rate-start", &c.rate_start), "the first step's rate, ops/s (default 100)")
    ("rate-max", rate("--rate-max", &c.rate_max), "the highest rate tried, ops/s (default 1,000,000)")
    ("step-duration", text([&c](const std::string& t) {
       c.step_duration = parse_duration("--step-duration", t);
       if (c.step_duration < std::chrono::milliseconds(100)) throw UsageError("--step-duration: at least 100ms");
       if (c.step_duration > std::chrono::minutes(60)) throw UsageError("--step-duration: at most 60m");
     }),
     "measured time of each step (default 3s)")
    ("step-warmup", text([&c](const std::string& t) {
       c.step_warmup = parse_duration("--step-warmup", t);
       if (c.step_warmup > std::chrono::minutes(10)) throw UsageError("--step-warmup: at most 10m");
     }),
     "load before each step's measurement, not recorded (default 1s)")
    ("precision", text([&c](const std::string& t) {
       c.precision = parse_share("--precision", t);
       if (c.precision < 0.001 || c.precision > 0.5)
         throw UsageError("--precision '" + t + "': from 0.1% to 50%");
     }),
     "stop the search when the last good and the first bad rate are this close (default 2%)");
  // clang-format on
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
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  return vm;
}

void notify_or_usage(po::variables_map& vm) {
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
}

std::string with_scenarios(std::string_view text) {
  const auto& all = scenarios::all_scenarios();
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && (text[i + 1] == '1' || text[i + 1] == '2')) {
      const std::size_t n = std::min<std::size_t>(text[i + 1] - '1', all.size() - 1);
      out += all[n]->name();
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace lh::cli
