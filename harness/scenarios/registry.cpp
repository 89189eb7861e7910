// The built-in scenarios, in the contract's order. Adding one: its file defines `const Scenario&
// x_scenario()`; declare it here and add it to the list.
#include "harness/scenarios/scenario.hpp"

#include <algorithm>

#include "harness/scenarios/support.hpp"

namespace lh::scenarios {

const Scenario& counter_scenario();
const Scenario& cas_scenario();
const Scenario& rate_limiter_scenario();
const Scenario& lock_scenario();
const Scenario& inventory_scenario();
const Scenario& leaderboard_scenario();

const std::vector<const Scenario*>& all_scenarios() {
  static const std::vector<const Scenario*> all = {
      &counter_scenario(), &cas_scenario(),       &rate_limiter_scenario(),
      &lock_scenario(),    &inventory_scenario(), &leaderboard_scenario(),
  };
  return all;
}

std::vector<std::string> all_variant_names() {
  std::vector<std::string> out;
  for (const Scenario* s : all_scenarios())
    for (auto& v : s->variants())
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  return out;
}

std::string Scenario::explain(const reports::Result& r) const {
  return r.variant + " " + r.scenario + ": " + support::thousands(r.correctness.violations) +
         " violations of \"" + r.correctness.invariant + "\"";
}

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario* s : all_scenarios())
    if (s->name() == name) return s;
  return nullptr;
}

}  // namespace lh::scenarios
