// What each built-in scenario says of itself (its words for violations, its sentence, the labels and types
// of its checker's details, which variants are safe by design) and the shape of each variant it makes:
// everything the writers, the CLI and the schema take from the registry instead of knowing the scenario.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/engine/recorder.hpp"
#include "harness/reports/format.hpp"
#include "harness/scenarios/checkers.hpp"
#include "harness/scenarios/custom.hpp"
#include "harness/scenarios/scenario.hpp"
#include "harness/scenarios/support.hpp"
#include "support/json_schema.hpp"

namespace lh::scenarios {
namespace {

using nlohmann::json;

const Scenario& scenario(const std::string& name) {
  const Scenario* s = find_scenario(name);
  if (!s) throw std::invalid_argument("no scenario " + name);
  return *s;
}

reports::Result result(const std::string& scenario, const std::string& variant, int64_t violations,
                       json details = json::object()) {
  reports::Result r;
  r.scenario = scenario;
  r.variant = variant;
  r.correctness.checked = true;
  r.correctness.violations = violations;
  r.correctness.details = std::move(details);
  return r;
}

Event event(uint16_t key, uint8_t kind, int64_t a, int64_t b, uint32_t start_us = 0,
            Outcome o = Outcome::ok) {
  Event e;
  e.key = key;
  e.kind = kind;
  e.a = a;
  e.b = b;
  e.start_us = start_us;
  e.end_us = start_us + 100;
  e.outcome = static_cast<uint32_t>(o);
  return e;
}

// ---- the writers' words ------------------------------------------------------------------------------

TEST(ScenarioFacts, ViolationNounsAreEachScenariosOwnWords) {
  const std::map<std::string, std::string> nouns = {
      {"counter", "lost updates"},         {"cas", "conflicting swaps"},
      {"rate-limiter", "over-admissions"}, {"lock", "lock-safety violations"},
      {"inventory", "oversold units"},     {"leaderboard", "lost high scores"},
  };
  ASSERT_EQ(all_scenarios().size(), nouns.size());
  for (const Scenario* s : all_scenarios()) EXPECT_EQ(s->violation_noun(), nouns.at(std::string(s->name())));
}

TEST(ScenarioFacts, ExplainSaysWhatTheVariantGotWrongWithCommas) {
  EXPECT_EQ(scenario("counter").explain(result("counter", "naive", 4726, {{"acknowledged", 5105}})),
            "naive counter lost 4,726 of 5,105 acknowledged increments");
  EXPECT_EQ(
      scenario("cas").explain(result(
          "cas", "naive", 2182,
          {{"values_with_several_winners", 183}, {"values_consumed_twice", 2154}, {"chain_breaks", 28}})),
      "naive cas: 183 values were consumed by more than one winning swap (2,154 extra winners), and 28 "
      "acknowledged swaps fell off the chain");
  EXPECT_EQ(scenario("cas").explain(result(
                "cas", "naive", 1, {{"values_with_several_winners", 1}, {"values_consumed_twice", 1}})),
            "naive cas: 1 value was consumed by more than one winning swap (1 extra winners)");
  EXPECT_EQ(scenario("rate-limiter").explain(result("rate-limiter", "naive", 11)),
            "naive rate-limiter admitted 11 requests beyond its limit");
  EXPECT_EQ(scenario("lock").explain(result("lock", "naive", 1845)),
            "naive lock let two clients hold the lock at once 1,845 times");
  EXPECT_EQ(scenario("inventory").explain(result("inventory", "naive", 12)),
            "naive inventory oversold 12 units");
  EXPECT_EQ(scenario("leaderboard").explain(result("leaderboard", "transaction", 1234567)),
            "transaction leaderboard lost the best score of 1,234,567 members");
  // Missing details count as 0, as the demo always said.
  EXPECT_EQ(scenario("counter").explain(result("counter", "naive", 3)),
            "naive counter lost 3 of 0 acknowledged increments");
}

TEST(ScenarioFacts, TheDefaultSentenceNamesTheInvariant) {
  class Plain final : public Scenario {
   public:
    std::string_view name() const override { return "plain"; }
    std::string_view summary() const override { return ""; }
    std::vector<std::string> variants() const override { return {}; }
    bool safe_by_design(std::string_view) const override { return true; }
    std::unique_ptr<VariantRun> make(std::string_view, const Params&) const override { return nullptr; }
  } plain;
  reports::Result r = result("plain", "naive", 12345);
  r.correctness.invariant = "x == y";
  EXPECT_EQ(plain.explain(r), "naive plain: 12,345 violations of \"x == y\"");
  EXPECT_EQ(plain.violation_noun(), "violations");
}

TEST(ScenarioFacts, ThousandsWritesCountsAsTheReportWritersDo) {
  for (int64_t v : {0L, 7L, 999L, 1000L, 12345L, 100000L, 999999L, 1000000L, 1234567890L, INT64_MAX})
    EXPECT_EQ(support::thousands(v), reports::with_commas(static_cast<uint64_t>(v))) << v;
  EXPECT_EQ(support::thousands(-5), "0");
}

// ---- the checkers' details: labelled, typed, nothing stale -------------------------------------------

// For each scenario, results of its checker that between them write every key it can write.
std::map<std::string, std::vector<reports::Correctness>> checker_results() {
  std::map<std::string, std::vector<reports::Correctness>> out;
  const Event unknown = event(9, 0, 1, 2);  // a key out of range: ignored_events

  History counter = {event(0, 0, 0, 1), event(0, 0, 0, 1), unknown};
  out["counter"] = {check_counter({counter, {0}, {1}, false})};

  const int64_t A = cas_value(1, 0), B = cas_value(2, 0);
  History cas = {event(0, kCasWon, 0, A), event(0, kCasWon, 0, B), event(0, kCasRefused, 0, B), unknown};
  out["cas"] = {check_cas({cas, {0}, {B}, false}), check_cas({cas, {0, 0}, {B, 0}, false})};

  History rl;
  for (int i = 0; i < 4; ++i)
    rl.push_back(event(0, 0, 1'000 + i, rate_limit_b(i == 3 ? kRlCollided : kRlAdmitted, 1000), 1000));
  rl.push_back(event(0, 0, 1'001, rate_limit_b(kRlLimited, 1000), 1000));
  rl.push_back(unknown);
  out["rate-limiter"] = {check_rate_limiter({rl, 1, 2, 1000, false, false}),
                         check_rate_limiter({rl, 1, 2, 1, false, false}),  // λ >= W: the note, no window
                         check_rate_limiter({rl, 1, 2, 1000, true, true})};

  History lock = {event(0, kLockWriteAccepted | kLockReleasedKey, 1, lock_b(100, 900), 0),
                  event(0, kLockWriteRejected | kLockSawOtherHolder, 2, lock_b(300, 800), 50),
                  event(0, 0, -1, 0, 60), unknown};
  out["lock"] = {check_lock({lock, 1, 2, {2}, false})};

  History inv = {event(0, 0, 0, 1), event(0, 0, -1, 1), event(0, 0, kStockUnknown, 0), unknown};
  out["inventory"] = {check_inventory({inv, 1, {-1}, false})};

  History lb = {event(0, 0, 9, 1), event(1, 0, 4, 1), event(1, 0, 3, 0), unknown};
  out["leaderboard"] = {check_leaderboard({lb, {5, 4, 7}, false})};
  return out;
}

TEST(ScenarioFacts, EveryDetailACheckerWritesIsLabelledAndMatchesItsSchema) {
  const auto results = checker_results();
  for (const Scenario* s : all_scenarios()) {
    const std::string name(s->name());
    ASSERT_TRUE(results.count(name)) << name;
    const json schema = json::parse(s->details_schema());
    std::set<std::string> labelled, written;
    for (const DetailLabel& l : s->detail_labels()) {
      EXPECT_TRUE(labelled.insert(std::string(l.key)).second) << name << ": " << l.key << " labelled twice";
      EXPECT_FALSE(l.label.empty()) << name << ": " << l.key;
      EXPECT_TRUE(schema["properties"].contains(std::string(l.key))) << name << ": " << l.key;
    }
    EXPECT_EQ(schema["properties"].size(), labelled.size()) << name;
    for (const reports::Correctness& c : results.at(name)) {
      for (const auto& [key, value] : c.details.items()) {
        written.insert(key);
        EXPECT_TRUE(labelled.count(key)) << name << ": details." << key << " has no label";
      }
      EXPECT_EQ(lh::test::validate_json_schema(schema, c.details), std::vector<std::string>{})
          << name << ": " << c.details.dump();
    }
    EXPECT_EQ(written, labelled) << name << ": a label for a key the checker never writes, or the reverse";
  }
}

TEST(ScenarioFacts, DetailsSchemasUseOnlyKeywordsAjvStrictModeKnows) {
  const std::set<std::string> types = {"integer", "number", "string"};
  for (const Scenario* s : all_scenarios()) {
    const json schema = json::parse(s->details_schema());
    EXPECT_EQ(schema["type"], "object") << s->name();
    for (const auto& [key, p] : schema["properties"].items()) {
      for (const auto& [keyword, v] : p.items())
        EXPECT_TRUE(keyword == "type" || keyword == "description") << keyword;
      ASSERT_TRUE(p.contains("type")) << s->name() << ": " << key;
      if (p["type"].is_array())  // a nullable type: Ajv's strictTypes allows exactly one type with "null"
        EXPECT_TRUE(p["type"].size() == 2 && p["type"][1] == "null" && types.count(p["type"][0])) << key;
      else EXPECT_TRUE(types.count(p["type"])) << s->name() << ": " << key << " " << p["type"];
    }
  }
}

// ---- the variants: which are safe by design, which shape each has ------------------------------------

struct Expected {
  bool single_call;
  std::vector<std::string> scripts;
};
const std::map<std::string, std::map<std::string, Expected>>& expected_variants() {
  static const std::map<std::string, std::map<std::string, Expected>> all = {
      // `function`: the atomic variant's scripts as their Functions twins (the same names, FCALL).
      {"counter",
       {{"atomic", {true, {"counter_incr"}}},
        {"function", {true, {"counter_incr"}}},
        {"naive", {false, {}}},
        {"transaction", {false, {}}}}},
      {"cas",
       {{"atomic", {false, {"cas"}}},
        {"function", {false, {"cas"}}},
        {"naive", {false, {}}},
        {"transaction", {false, {}}}}},
      {"rate-limiter",
       {{"atomic", {true, {"rate_limit"}}},
        {"function", {true, {"rate_limit"}}},
        {"atomic-server-clock", {true, {"rate_limit_server_time"}}},
        {"naive", {false, {}}},
        {"transaction", {false, {}}}}},
      {"lock",
       {{"atomic", {false, {"fenced_write", "acquire_lock", "release_lock"}}},
        {"function", {false, {"fenced_write", "acquire_lock", "release_lock"}}},
        {"naive", {false, {"fenced_write"}}},
        {"transaction", {false, {"fenced_write"}}}}},
      {"inventory",
       {{"atomic", {true, {"inventory_buy"}}},
        {"function", {true, {"inventory_buy"}}},
        {"naive", {false, {}}},
        {"transaction", {false, {}}}}},
      {"leaderboard",
       {{"atomic", {true, {"leaderboard_update"}}},
        {"function", {true, {"leaderboard_update"}}},
        {"gt", {false, {}}},
        {"naive", {false, {}}},
        {"transaction", {false, {}}}}},
  };
  return all;
}

TEST(ScenarioVariants, OnlyTheNaiveTwinsAreUnsafeByDesign) {
  for (const Scenario* s : all_scenarios()) {
    for (const std::string& v : s->variants())
      EXPECT_EQ(s->safe_by_design(v), v != "naive") << s->name() << "/" << v;
    EXPECT_FALSE(s->safe_by_design("bogus")) << s->name();
  }
}

TEST(ScenarioVariants, EachVariantHasItsShapeAndLoadsItsScripts) {
  Params p;
  p.key_prefix = "lh:t:";
  for (const Scenario* s : all_scenarios()) {
    const auto& expected = expected_variants().at(std::string(s->name()));
    ASSERT_EQ(s->variants().size(), expected.size()) << s->name();
    for (const std::string& v : s->variants()) {
      auto run = s->make(v, p);
      ASSERT_NE(run, nullptr) << s->name() << "/" << v;
      const Expected& e = expected.at(v);
      EXPECT_EQ(run->single_call(), e.single_call) << s->name() << "/" << v;
      EXPECT_EQ(engine::as_single_call(*run) != nullptr, e.single_call);
      EXPECT_EQ(engine::as_multi_step(*run) != nullptr, !e.single_call);
      std::vector<std::string> names;
      for (const scripts::Script* script : run->scripts()) {
        names.push_back(script->name);
        EXPECT_EQ(script->is_function(), v == "function") << s->name() << "/" << v << ": " << script->name;
      }
      EXPECT_EQ(names, e.scripts) << s->name() << "/" << v;
    }
    EXPECT_EQ(s->make("bogus", p), nullptr);
  }
}

TEST(ScenarioVariants, KeysBeyondWhatAnEventHoldsAreRefusedByName) {
  Params p;
  p.keys = 70000;
  for (const Scenario* s : all_scenarios()) {
    try {
      (void)s->make("naive", p);
      ADD_FAILURE() << s->name() << " accepted --keys 70000";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string(s->name())), std::string::npos) << e.what();
    }
  }
}

TEST(ScenarioVariants, TheDemoListHoldsEveryVariantOnceInFirstSeenOrder) {
  EXPECT_EQ(all_variant_names(), (std::vector<std::string>{"atomic", "naive", "transaction", "function",
                                                           "atomic-server-clock", "gt"}));
}

// A single-call variant without the engine: make_call, then on_reply with an integer reply.
net::Reply integer_reply(long long v) {
  auto* r = static_cast<redisReply*>(std::calloc(1, sizeof(redisReply)));
  r->type = REDIS_REPLY_INTEGER;
  r->integer = v;
  return net::Reply(r);
}

struct Client {
  engine::Recorder rec;
  ClientCtx ctx;
  engine::HistoryState* events = nullptr;  // every event the variant records, in order
  Client() {
    auto h = std::make_unique<engine::HistoryState>();
    events = h.get();
    rec.check = std::move(h);
    rec.origin = engine::Clock::now();
    ctx.rec = &rec;
    ctx.id = 3;
    ctx.seq = 12;
  }
};

TEST(ScenarioVariants, ASingleCallCarriesWhatItsReplyIsJudgedBy) {
  Params p;
  p.key_prefix = "lh:t:";
  p.keys = 1;
  Client c;
  ScriptCall call;
  auto counter = scenario("counter").make("atomic", p);
  engine::as_single_call(*counter)->make_call(c.ctx, call);
  ASSERT_NE(call.script, nullptr);
  EXPECT_EQ(call.script->name, "counter_incr");
  EXPECT_EQ(call.keys, (std::vector<std::string>{"lh:t:counter:{c0}"}));
  EXPECT_TRUE(call.args.empty());
  EXPECT_EQ(engine::as_single_call(*counter)->on_reply(c.ctx, call, integer_reply(42)), Outcome::ok);
  ASSERT_EQ(c.events->history.size(), 1u);
  EXPECT_EQ(c.events->history[0].a, 41);  // read
  EXPECT_EQ(c.events->history[0].b, 42);  // written
  EXPECT_EQ(c.events->history[0].client, 3);
  EXPECT_EQ(c.events->history[0].seq, 12u);

  auto limiter = scenario("rate-limiter").make("atomic", p);
  engine::as_single_call(*limiter)->make_call(c.ctx, call);  // the same call, reused
  EXPECT_EQ(call.script->name, "rate_limit");
  EXPECT_EQ(call.keys, (std::vector<std::string>{"lh:t:rl:{k0}"}));
  ASSERT_EQ(call.args.size(), 4u);
  EXPECT_EQ(call.args[0], "1");                           // W in seconds
  EXPECT_EQ(call.args[1], "100");                         // L
  EXPECT_EQ(call.args[2], std::to_string(call.user[0]));  // now, as the event will record it
  EXPECT_EQ(call.args[3], "3:12");
  EXPECT_EQ(engine::as_single_call(*limiter)->on_reply(c.ctx, call, integer_reply(1)), Outcome::ok);
  EXPECT_EQ(c.events->history.back().a, call.user[0]);
  EXPECT_EQ(c.events->history.back().b & 0xFFFFFFFF, kRlAdmitted);

  auto board = scenario("leaderboard").make("atomic", p);
  engine::as_single_call(*board)->make_call(c.ctx, call);
  EXPECT_EQ(call.keys, (std::vector<std::string>{"lh:t:leaderboard:{lb0}"}));
  EXPECT_EQ(call.args, (std::vector<std::string>{"m0", std::to_string(call.user[0])}));
  EXPECT_EQ(engine::as_single_call(*board)->on_reply(c.ctx, call, integer_reply(0)), Outcome::ok);
  EXPECT_EQ(c.events->history.back().a, call.user[0]);  // the score submitted
  EXPECT_EQ(c.events->history.back().b, 0);             // not higher
}

TEST(ScenarioVariants, AUserScriptRunOwnsItsScript) {
  std::unique_ptr<VariantRun> run;
  {
    scripts::Script s = scripts::make_script("mine.lua", "return 1");
    run = make_custom_run(std::move(s), TemplateSet::compile({"k:${client}"}, {"${seq}"}, "lh:t:"));
  }  // the script the run was made from is gone
  ASSERT_TRUE(run->single_call());
  ASSERT_EQ(run->scripts().size(), 1u);
  EXPECT_EQ(run->scripts()[0]->body, "return 1");
  EXPECT_EQ(run->scripts()[0]->sha1, scripts::make_script("x", "return 1").sha1);
  Client c;
  ScriptCall call;
  engine::as_single_call(*run)->make_call(c.ctx, call);
  EXPECT_EQ(call.script, run->scripts()[0]);
  EXPECT_EQ(call.keys, (std::vector<std::string>{"lh:t:k:3"}));
  EXPECT_EQ(call.args, (std::vector<std::string>{"12"}));
}

}  // namespace
}  // namespace lh::scenarios
