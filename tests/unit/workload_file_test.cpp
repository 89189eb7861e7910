// --workload FILE.json: a good file read entry by entry, and every malformed one refused in one line that
// names the file, the entry and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/app/workload_file.hpp"
#include "harness/util/exit_errors.hpp"

namespace lh::app {
namespace {

namespace fs = std::filesystem;

class WorkloadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lh-workload-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a.lua") << "return 1\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "mix.json").string(); }
  // The message of the UsageError parsing `text` throws; "" when it parses.
  std::string refusal(const std::string& text) {
    try {
      parse_workload(text, path());
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(WorkloadFile, ReadsScriptsAndScenariosWithTheirWeights) {
  const auto w = parse_workload(R"({"scripts": [
      {"name": "limiter", "script": "a.lua", "keys": ["rl:${rand:1-9}"], "args": ["1000", 100], "weight": 10},
      {"name": "stock", "scenario": "inventory", "variant": "atomic"}]})",
                                path());
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name, "limiter");
  EXPECT_EQ(w[0].script_path, (dir_ / "a.lua").string());  // relative to the file's folder
  EXPECT_EQ(w[0].keys, std::vector<std::string>{"rl:${rand:1-9}"});
  EXPECT_EQ(w[0].args, (std::vector<std::string>{"1000", "100"}));
  EXPECT_DOUBLE_EQ(w[0].weight, 10);
  EXPECT_EQ(w[1].scenario, "inventory");
  EXPECT_EQ(w[1].variant, "atomic");
  EXPECT_DOUBLE_EQ(w[1].weight, 1);  // the default
}

TEST_F(WorkloadFile, RefusesAMalformedFileNamingTheEntryAndTheField) {
  const std::string f = "--workload " + path() + ": ";
  EXPECT_EQ(
      refusal("{"),
      f + "not JSON: parse error at line 1, column 2: syntax error while parsing object key - unexpected end of input; expected string literal");
  EXPECT_EQ(refusal("[]"), f + "expected an object {\"scripts\": [...]}");
  EXPECT_EQ(refusal(R"({"scripts": []})"), f + "\"scripts\" must be a non-empty array of entries");
  EXPECT_EQ(refusal(R"({"script": []})"), f + "unknown field 'script' (expected \"scripts\")");
  EXPECT_EQ(refusal(R"({"scripts": [{"script": "a.lua"}]})"), f + "scripts[0]: name: required, a string");
  EXPECT_EQ(
      refusal(R"({"scripts": [{"name": "a b", "script": "a.lua"}]})"),
      f + "scripts[0] (\"a b\"): name: 1 to 64 letters, digits, '_', '-' or '.' (it names a result row and "
          "a threshold scope)");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "script": "a.lua"}, {"name": "x", "script": "a.lua"}]})"),
            f + "scripts[1] (\"x\"): name: used by an earlier entry");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "total", "script": "a.lua"}]})"),
            f + "scripts[0] (\"total\"): name: \"total\" is the mix's own row");
  EXPECT_EQ(
      refusal(R"({"scripts": [{"name": "x", "script": "a.lua", "wieght": 2}]})"),
      f + "scripts[0] (\"x\"): unknown field 'wieght' (expected name, script or scenario + variant, keys, "
          "args, weight)");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x"}]})"),
            f + "scripts[0] (\"x\"): give either \"script\" (a Lua file) or \"scenario\" + \"variant\"");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "script": "nope.lua"}]})"),
            f + "scripts[0] (\"x\"): script: cannot read " + (dir_ / "nope.lua").string());
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "script": "a.lua", "keys": "k"}]})"),
            f + "scripts[0] (\"x\"): keys: expected an array of strings");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "script": "a.lua", "weight": 0}]})"),
            f + "scripts[0] (\"x\"): weight: expected a number above 0, at most 1e9");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "scenario": "nosuch", "variant": "atomic"}]})")
                .rfind(f + "scripts[0] (\"x\"): scenario: unknown 'nosuch' (known: counter, ", 0),
            0u);
  EXPECT_EQ(
      refusal(R"({"scripts": [{"name": "x", "scenario": "counter"}]})"),
      f + "scripts[0] (\"x\"): variant: required with a scenario (counter has atomic, naive, transaction, function)");
  EXPECT_EQ(refusal(R"({"scripts": [{"name": "x", "scenario": "counter", "variant": "fast"}]})"),
            f + "scripts[0] (\"x\"): variant 'fast': counter has atomic, naive, transaction, function");
  EXPECT_EQ(
      refusal(R"({"scripts": [{"name": "x", "scenario": "counter", "variant": "atomic", "keys": []}]})"),
      f + "scripts[0] (\"x\"): keys/args: only with \"script\" (a built-in scenario makes its own)");
}

}  // namespace
}  // namespace lh::app
