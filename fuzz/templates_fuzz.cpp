// Fuzz target: the --key/--arg template compiler and expander (scenarios/templates). The input's lines are the
// templates (the first half keys, the rest args); any input either compiles or throws TemplateError, and a
// compiled set expands without fault.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/engine/rng.hpp"
#include "harness/scenarios/templates.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < size && lines.size() <= 8; ++i) {
    if (data[i] == '\n') lines.emplace_back();
    else lines.back().push_back(static_cast<char>(data[i]));
  }
  const std::vector<std::string> keys(lines.begin(), lines.begin() + static_cast<long>((lines.size() + 1) / 2));
  const std::vector<std::string> args(lines.begin() + static_cast<long>(keys.size()), lines.end());
  try {
    const auto set = lh::scenarios::TemplateSet::compile(keys, args, "lh:fuzz:");
    lh::engine::Rng rng(size);
    lh::scenarios::TemplateContext ctx{7, 0, &rng, 1'700'000'000'000'000};
    std::vector<std::string> out, scratch;
    for (uint64_t seq = 0; seq < 4; ++seq) {
      ctx.seq = seq;
      set.expand(ctx, out, scratch);
      if (out.size() != set.key_count() + set.arg_count()) __builtin_trap();
    }
  } catch (const lh::scenarios::TemplateError&) {
  }
  return 0;
}
