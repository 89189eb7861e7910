// The user's own script (--script FILE.lua --key T... --arg T...): one EVALSHA (or EVAL with --eval) per
// op, keys and args from templates. No checker: correctness is "not-checked".
#pragma once
#include <memory>

#include "harness/scenarios/templates.hpp"
#include "harness/scenarios/scenario.hpp"

namespace lh::scenarios {

std::unique_ptr<VariantRun> make_custom_run(const scripts::Script& script, scenarios::TemplateSet templates);

}  // namespace lh::scenarios
