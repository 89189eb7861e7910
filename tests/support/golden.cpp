#include "support/golden.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lh::test {

namespace {
std::string golden_path(const std::string& name) { return std::string(LH_TESTDATA_DIR) + "/golden/" + name; }
}  // namespace

std::string read_golden(const std::string& name) {
  std::ifstream f(golden_path(name), std::ios::binary);
  if (!f) return "";
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

::testing::AssertionResult MatchesGolden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* u = std::getenv("LH_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return ::testing::AssertionSuccess() << "updated " << path;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return ::testing::AssertionFailure() << path << " does not exist; create it with LH_UPDATE_GOLDEN=1";
  std::ostringstream s;
  s << f.rdbuf();
  const std::string expected = s.str();
  if (expected == actual) return ::testing::AssertionSuccess();
  std::istringstream a(actual), e(expected);
  std::string la, le;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(a, la)), ge = static_cast<bool>(std::getline(e, le));
    if (!ga && !ge) break;
    if (!ga || !ge || la != le)
      return ::testing::AssertionFailure()
             << name << " differs from the golden at line " << line
             << "\n  golden: " << (ge ? le : "<end of file>") << "\n  actual: " << (ga ? la : "<end of file>")
             << "\n(if the change is deliberate: LH_UPDATE_GOLDEN=1)";
  }
  return ::testing::AssertionFailure() << name << " differs from the golden (line endings?)";
}

}  // namespace lh::test
