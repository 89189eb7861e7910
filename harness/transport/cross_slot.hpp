// Refusing, before a cluster run, `--key` templates whose keys can land in different slots (every key of one
// script call must share a slot, else CROSSSLOT).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lh::transport {

// nullopt when every op's keys are guaranteed to share one slot: 0 or 1 keys; every key hashes identical template
// text (the same hash tag, e.g. 'lock:{${rand:1-9}}' and 'fence:{${rand:1-9}}', since identical placeholders expand
// identically within an op); or keys without placeholders in their hashed part that all land in the same slot.
// Otherwise a one-line message naming the keys, their slots (of a sample expansion: "e.g.") and a hash-tag fix.
// key_prefix (no braces) is prepended to every key before hashing, as the run does.
std::optional<std::string> cross_slot_problem(const std::vector<std::string>& key_templates,
                                              const std::string& key_prefix);

}  // namespace lh::transport
