#include "harness/transport/cross_slot.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>

#include "harness/transport/slot.hpp"

namespace lh::transport {
namespace {

// A template split into literal text and `${...}` placeholders. Placeholders never expand to braces, so the
// hash tag of an expanded key is delimited by literal braces only.
struct Piece {
  std::string text;  // literal text, or the whole placeholder "${rand:1-9}"
  bool placeholder = false;
};

std::vector<Piece> split(std::string_view t) {
  std::vector<Piece> out;
  std::string literal;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 2, "${") == 0) {
      const auto close = t.find('}', i + 2);
      if (close != std::string_view::npos) {
        if (!literal.empty()) out.push_back({std::exchange(literal, {}), false});
        out.push_back({std::string(t.substr(i, close - i + 1)), true});
        i = close + 1;
        continue;
      }
    }
    literal += t[i++];
  }
  if (!literal.empty()) out.push_back({literal, false});
  return out;
}

// Position of a literal character: piece index + offset inside it.
struct Pos {
  size_t piece = 0, offset = 0;
};

struct Tag {
  Pos open, close;  // the literal '{' and '}' of the key's hash tag
};

std::optional<Pos> find_literal(const std::vector<Piece>& pieces, char c, Pos from) {
  for (size_t p = from.piece; p < pieces.size(); ++p) {
    if (pieces[p].placeholder) continue;
    const auto at = pieces[p].text.find(c, p == from.piece ? from.offset : 0);
    if (at != std::string::npos) return Pos{p, at};
  }
  return std::nullopt;
}

// Redis's rule on the expanded key: the first '{', the first '}' after it, and something in between.
std::optional<Tag> find_tag(const std::vector<Piece>& pieces) {
  const auto open = find_literal(pieces, '{', {});
  if (!open) return std::nullopt;
  const auto close = find_literal(pieces, '}', {open->piece, open->offset + 1});
  if (!close) return std::nullopt;
  if (close->piece == open->piece && close->offset == open->offset + 1) return std::nullopt;  // "{}"
  return Tag{*open, *close};
}

// Template text between two literal positions (exclusive).
std::string text_between(const std::vector<Piece>& pieces, Pos a, Pos b) {
  std::string out;
  for (size_t p = a.piece; p <= b.piece; ++p) {
    const std::string& t = pieces[p].text;
    const size_t from = p == a.piece ? a.offset + 1 : 0;
    const size_t to = p == b.piece ? b.offset : t.size();
    if (to > from) out.append(t, from, to - from);
  }
  return out;
}

std::string join(const std::vector<Piece>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p.text;
  return out;
}

// One sample value per placeholder; `k` varies the sample so that we can look for an expansion that shows the
// keys really landing in different slots.
std::string sample(const std::string& ph, int k) {
  const std::string_view body = std::string_view(ph).substr(2, ph.size() - 3);
  if (body.starts_with("rand:")) {
    const auto spec = body.substr(5);
    const auto dash = spec.find('-', 1);
    long long lo = 1, hi = 1;
    if (dash != std::string_view::npos) {
      std::from_chars(spec.data(), spec.data() + dash, lo);
      std::from_chars(spec.data() + dash + 1, spec.data() + spec.size(), hi);
    }
    const long long span = hi >= lo ? hi - lo + 1 : 1;
    return std::to_string(lo + k % span);
  }
  if (body == "now_ms") return std::to_string(1700000000000LL + k);
  if (body == "now_us") return std::to_string(1700000000000000LL + k);
  if (body == "uuid") {
    std::string tail = std::to_string(k);
    return "00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
  }
  return std::to_string(1 + k);  // seq, client, and anything unknown
}

std::string expand(const std::vector<Piece>& pieces, int k) {
  std::string out;
  for (const auto& p : pieces) out += p.placeholder ? sample(p.text, k) : p.text;
  return out;
}

struct KeyInfo {
  std::string tmpl;           // as the user wrote it
  std::vector<Piece> pieces;  // prefix + template
  std::optional<Tag> tag;
  std::string hashed;  // template text of the hashed part
  bool fixed = false;  // hashed part has no placeholder: one slot for every op
};

// Suggests each key with the first placeholder common to all keys as its hash tag (any existing tag braces
// removed), or with a shared literal tag when the keys share no placeholder.
std::vector<std::string> suggest(const std::vector<KeyInfo>& keys) {
  std::vector<std::vector<Piece>> plain;  // user templates without their tag braces
  for (const auto& k : keys) {
    auto pieces = split(k.tmpl);
    if (auto tag = find_tag(pieces)) {
      pieces[tag->close.piece].text.erase(tag->close.offset, 1);  // close first: it may share open's piece
      pieces[tag->open.piece].text.erase(tag->open.offset, 1);
    }
    plain.push_back(std::move(pieces));
  }
  std::optional<std::string> common;
  for (const auto& p : plain.front()) {
    if (!p.placeholder) continue;
    const bool everywhere = std::all_of(plain.begin(), plain.end(), [&](const auto& pieces) {
      return std::any_of(pieces.begin(), pieces.end(),
                         [&](const Piece& q) { return q.placeholder && q.text == p.text; });
    });
    if (everywhere) {
      common = p.text;
      break;
    }
  }
  std::vector<std::string> out;
  for (auto& pieces : plain) {
    if (common) {
      for (auto& p : pieces)
        if (p.placeholder && p.text == *common) {
          p.text = "{" + p.text + "}";
          break;
        }
      out.push_back(join(pieces));
    } else {
      out.push_back("{tag}:" + join(pieces));
    }
  }
  return out;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

std::optional<std::string> cross_slot_problem(const std::vector<std::string>& key_templates,
                                              const std::string& key_prefix) {
  if (key_templates.size() < 2) return std::nullopt;

  std::vector<KeyInfo> keys;
  for (const auto& t : key_templates) {
    KeyInfo k;
    k.tmpl = t;
    k.pieces = split(key_prefix + t);
    k.tag = find_tag(k.pieces);
    k.hashed = k.tag ? text_between(k.pieces, k.tag->open, k.tag->close) : join(k.pieces);
    // Placeholders sit in their own pieces, so a tag's placeholders are the pieces strictly between its braces.
    const size_t from = k.tag ? k.tag->open.piece + 1 : 0;
    const size_t to = k.tag ? k.tag->close.piece : k.pieces.size();
    k.fixed = true;
    for (size_t p = from; p < to; ++p) k.fixed = k.fixed && !k.pieces[p].placeholder;
    keys.push_back(std::move(k));
  }

  // Safe when all hashed parts are the same template text, or all are fixed and land in one slot.
  const bool same_text =
      std::all_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return k.hashed == keys[0].hashed; });
  if (same_text) return std::nullopt;
  const bool all_fixed = std::all_of(keys.begin(), keys.end(), [](const KeyInfo& k) { return k.fixed; });
  if (all_fixed) {
    const uint16_t s0 = key_slot(keys[0].hashed);
    if (std::all_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return key_slot(k.hashed) == s0; }))
      return std::nullopt;
  }

  // Pick a sample expansion that shows different slots, when one of the first few does.
  std::vector<uint16_t> slots;
  for (int k = 0; k < 32; ++k) {
    std::vector<uint16_t> s;
    s.reserve(keys.size());
    for (const auto& key : keys) s.push_back(key_slot(expand(key.pieces, k)));
    const bool differ = std::any_of(s.begin(), s.end(), [&](uint16_t x) { return x != s[0]; });
    if (k == 0 || differ) slots = s;
    if (differ) break;
  }

  std::vector<std::string> named, fixed;
  for (size_t i = 0; i < keys.size(); ++i)
    named.push_back(quoted(keys[i].tmpl) + " (slot " + (keys[i].fixed ? "" : "e.g. ") +
                    std::to_string(slots[i]) + ")");
  for (const auto& s : suggest(keys)) fixed.push_back(quoted(s));
  return "keys " + list(named) +
         " can hash to different cluster slots; put the shared part in a hash tag: " + list(fixed);
}

}  // namespace lh::transport
