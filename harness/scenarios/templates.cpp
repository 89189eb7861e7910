#include "harness/scenarios/templates.hpp"

#include <charconv>

namespace lh::scenarios {

namespace {

[[noreturn]] void fail(std::string_view flag, std::string_view tmpl, std::string_view what) {
  std::string m;
  m.append(flag).append(" '").append(tmpl).append("': ").append(what);
  throw TemplateError(m);
}

// "${rand:A-B}" body after "rand:": two decimal integers (either may be negative), A <= B.
bool parse_range(std::string_view body, int64_t& lo, int64_t& hi) {
  const char* p = body.data();
  const char* end = p + body.size();
  auto r = std::from_chars(p, end, lo);
  if (r.ec != std::errc{} || r.ptr == end || *r.ptr != '-') return false;
  r = std::from_chars(r.ptr + 1, end, hi);
  return r.ec == std::errc{} && r.ptr == end;
}

TemplateSet::Placeholder parse_placeholder(std::string_view flag, std::string_view tmpl,
                                           std::string_view text) {
  using P = TemplateSet::Placeholder;
  const std::string_view name = text.substr(2, text.size() - 3);  // between "${" and "}"
  P ph{P::seq, 0, 0, std::string(text)};
  if (name == "seq") ph.kind = P::seq;
  else if (name == "client") ph.kind = P::client;
  else if (name == "now_ms") ph.kind = P::now_ms;
  else if (name == "now_us") ph.kind = P::now_us;
  else if (name == "uuid") ph.kind = P::uuid;
  else if (name.starts_with("rand:")) {
    ph.kind = P::rand;
    if (!parse_range(name.substr(5), ph.lo, ph.hi))
      fail(flag, tmpl, "bad range in " + ph.text + " (want ${rand:A-B}, integers A <= B)");
    if (ph.lo > ph.hi)
      fail(flag, tmpl,
           "bad range in " + ph.text + " (" + std::to_string(ph.lo) + " > " + std::to_string(ph.hi) + ")");
  } else {
    fail(flag, tmpl, "unknown placeholder " + ph.text);
  }
  return ph;
}

void append_literal(std::vector<TemplateSet::Segment>& segs, std::string_view text) {
  if (text.empty()) return;
  if (!segs.empty() && segs.back().placeholder < 0) segs.back().literal.append(text);
  else segs.push_back({std::string(text), -1});
}

template <typename Int>
void put_int(std::string& s, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.assign(buf, r.ptr);
}

void put_uuid(std::string& s, engine::Rng& rng) {
  uint64_t hi = rng.next(), lo = rng.next();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10xx
  static constexpr char kHex[] = "0123456789abcdef";
  s.resize(36);
  char* p = s.data();
  int pos = 0;
  auto nibbles = [&](uint64_t w) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) p[pos++] = '-';
      p[pos++] = kHex[(w >> shift) & 0xF];
    }
  };
  nibbles(hi);
  nibbles(lo);
}

}  // namespace

TemplateSet TemplateSet::compile(const std::vector<std::string>& keys, const std::vector<std::string>& args,
                                 const std::string& key_prefix) {
  if (key_prefix.find_first_of("{}") != std::string::npos)
    throw TemplateError("--key-prefix '" + key_prefix +
                        "': must not contain { or } (it would become a hash tag)");
  TemplateSet set;
  set.key_templates_ = keys;
  set.keys_ = keys.size();
  auto compile_one = [&set](std::string_view flag, const std::string& tmpl, std::string_view prefix) {
    std::vector<Segment> segs;
    append_literal(segs, prefix);
    std::size_t pos = 0;
    while (pos < tmpl.size()) {
      const std::size_t open = tmpl.find("${", pos);
      if (open == std::string::npos) break;
      append_literal(segs, std::string_view(tmpl).substr(pos, open - pos));
      const std::size_t close = tmpl.find('}', open + 2);
      if (close == std::string::npos)
        fail(flag, tmpl, "unterminated placeholder " + tmpl.substr(open) + " (missing })");
      const std::string_view text = std::string_view(tmpl).substr(open, close + 1 - open);
      int index = -1;
      for (std::size_t i = 0; i < set.placeholders_.size(); ++i)
        if (set.placeholders_[i].text == text) index = static_cast<int>(i);
      if (index < 0) {
        set.placeholders_.push_back(parse_placeholder(flag, tmpl, text));
        index = static_cast<int>(set.placeholders_.size() - 1);
      }
      segs.push_back({std::string(), index});
      pos = close + 1;
    }
    append_literal(segs, std::string_view(tmpl).substr(std::min(pos, tmpl.size())));
    set.compiled_.push_back(std::move(segs));
  };
  for (const auto& k : keys) compile_one("--key", k, key_prefix);
  for (const auto& a : args) compile_one("--arg", a, {});
  return set;
}

std::size_t TemplateSet::key_count() const noexcept { return keys_; }
std::size_t TemplateSet::arg_count() const noexcept { return compiled_.size() - keys_; }
const std::vector<std::string>& TemplateSet::key_templates() const noexcept { return key_templates_; }

void TemplateSet::draw(const TemplateContext& ctx, std::vector<std::string>& scratch) const {
  // Each distinct placeholder is drawn once per op, so identical texts agree across keys and args.
  if (scratch.size() < placeholders_.size()) scratch.resize(placeholders_.size());
  for (std::size_t i = 0; i < placeholders_.size(); ++i) {
    const Placeholder& ph = placeholders_[i];
    std::string& s = scratch[i];
    switch (ph.kind) {
      case Placeholder::rand:
        if (ctx.rng == nullptr) throw std::logic_error("template expansion needs TemplateContext::rng");
        put_int(s, ctx.rng->uniform(ph.lo, ph.hi));
        break;
      case Placeholder::seq:
        put_int(s, ctx.seq);
        break;
      case Placeholder::client:
        put_int(s, ctx.client);
        break;
      case Placeholder::now_ms:
        put_int(s, ctx.now_us / 1000);
        break;
      case Placeholder::now_us:
        put_int(s, ctx.now_us);
        break;
      case Placeholder::uuid:
        if (ctx.rng == nullptr) throw std::logic_error("template expansion needs TemplateContext::rng");
        put_uuid(s, *ctx.rng);
        break;
    }
  }
}

void TemplateSet::build(std::size_t t, std::string& o, const std::vector<std::string>& scratch) const {
  o.clear();
  for (const Segment& seg : compiled_[t])
    o.append(seg.placeholder < 0 ? seg.literal : scratch[seg.placeholder]);
}

void TemplateSet::expand(const TemplateContext& ctx, std::vector<std::string>& out,
                         std::vector<std::string>& scratch) const {
  draw(ctx, scratch);
  if (out.size() != compiled_.size()) out.resize(compiled_.size());
  for (std::size_t t = 0; t < compiled_.size(); ++t) build(t, out[t], scratch);
}

void TemplateSet::expand(const TemplateContext& ctx, std::vector<std::string>& keys,
                         std::vector<std::string>& args, std::vector<std::string>& scratch) const {
  draw(ctx, scratch);
  const std::size_t nk = key_count(), na = compiled_.size() - nk;
  if (keys.size() != nk) keys.resize(nk);
  if (args.size() != na) args.resize(na);
  for (std::size_t t = 0; t < nk; ++t) build(t, keys[t], scratch);
  for (std::size_t t = 0; t < na; ++t) build(nk + t, args[t], scratch);
}

}  // namespace lh::scenarios
