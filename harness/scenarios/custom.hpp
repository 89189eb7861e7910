// The user's own script (--script FILE.lua --key T... --arg T...): one EVALSHA (or EVAL with --eval) per
// op, keys and args from templates. A single-call variant (pipelined with --pipeline). No checker:
// correctness is "not-checked".
#pragma once
#include <memory>

#include "harness/scenarios/scenario.hpp"
#include "harness/scenarios/templates.hpp"
#include "harness/transport/script.hpp"

namespace lh::scenarios {

// The run owns `script` (the engine's calls point at it for as long as the run lives).
std::unique_ptr<VariantRun> make_custom_run(scripts::Script script, TemplateSet templates);

}  // namespace lh::scenarios
