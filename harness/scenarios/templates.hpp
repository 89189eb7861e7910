// --key / --arg templates (docs/contract.md "Templates"): ${rand:A-B}, ${seq}, ${client}, ${now_ms}, ${now_us},
// ${uuid}. Braces without `$` stay literal (hash tags). Within one op, identical placeholders expand to the
// same value. Keys get the run prefix prepended. Compiled once; expansion allocates nothing once warm.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine/rng.hpp"

namespace lh::scenarios {

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TemplateContext {
  uint32_t client = 0;         // virtual client id
  uint64_t seq = 0;            // this client's op counter
  engine::Rng* rng = nullptr;  // the client's own generator
  int64_t now_us = 0;          // wall clock, microseconds since the Unix epoch
};

class TemplateSet {
 public:
  // Throws TemplateError with a one-line message naming the flag and template, e.g.
  //   --key 'user:${rnd:1-5}': unknown placeholder ${rnd:1-5}
  static TemplateSet compile(const std::vector<std::string>& keys, const std::vector<std::string>& args,
                             const std::string& key_prefix);

  std::size_t key_count() const noexcept;
  std::size_t arg_count() const noexcept;
  const std::vector<std::string>& key_templates() const noexcept;

  // out is resized to key_count() + arg_count(): keys first (prefixed), then args. Reuses out's buffers;
  // scratch holds the op's placeholder values (one scratch per client, so a TemplateSet is shared read-only).
  void expand(const TemplateContext& ctx, std::vector<std::string>& out,
              std::vector<std::string>& scratch) const;
  // The same, keys into `keys` and args into `args` (what a script call sends), with no copy in between.
  void expand(const TemplateContext& ctx, std::vector<std::string>& keys, std::vector<std::string>& args,
              std::vector<std::string>& scratch) const;

  // Implementation details below are the templates module's own.
  void draw(const TemplateContext& ctx, std::vector<std::string>& scratch) const;
  void build(std::size_t t, std::string& o, const std::vector<std::string>& scratch) const;

  struct Segment {
    std::string literal;   // used when placeholder < 0
    int placeholder = -1;  // index into placeholders_
  };
  struct Placeholder {
    enum Kind { rand, seq, client, now_ms, now_us, uuid } kind;
    int64_t lo = 0, hi = 0;
    std::string text;  // e.g. "${rand:1-50}", identity within one op
  };

 private:
  std::vector<std::string> key_templates_;
  std::vector<std::vector<Segment>> compiled_;  // keys then args
  std::vector<Placeholder> placeholders_;
  std::size_t keys_ = 0;
};

}  // namespace lh::scenarios
