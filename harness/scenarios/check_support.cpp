#include "harness/scenarios/check_support.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace lh::scenarios::support {

static const nlohmann::json& state_field_of(const nlohmann::json& j, std::string_view f) {
  return engine::state_field(j, f);
}

void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& scratch, int lo_byte, int hi_byte) {
  const std::size_t n = v.size();
  if (n < 2) return;
  // Large inputs: 16-bit digits (half the passes; the counts still fit in L2). Small ones: 8-bit digits.
  const int digit_bits = n >= (1u << 16) ? 16 : 8;
  const std::size_t radix = std::size_t(1) << digit_bits;
  const int lo = 8 * lo_byte, hi = 8 * hi_byte;
  const int digits = (hi - lo + digit_bits - 1) / digit_bits;
  std::array<uint64_t, 8> mask{};
  for (int d = 0; d < digits; ++d) {
    const int width = std::min(digit_bits, hi - (lo + d * digit_bits));
    mask[d] = (uint64_t(1) << width) - 1;
  }
  // All digits' counts in one read pass.
  std::vector<std::size_t> count(static_cast<std::size_t>(digits) * radix, 0);
  for (uint64_t x : v)
    for (int d = 0; d < digits; ++d) ++count[d * radix + ((x >> (lo + d * digit_bits)) & mask[d])];
  scratch.resize(n);
  for (int d = 0; d < digits; ++d) {
    const int shift = lo + d * digit_bits;
    std::size_t* c = count.data() + d * radix;
    if (c[(v[0] >> shift) & mask[d]] == n) continue;  // this digit is the same everywhere
    std::size_t sum = 0;
    for (std::size_t i = 0; i < radix; ++i) {
      const std::size_t k = c[i];
      c[i] = sum;
      sum += k;
    }
    for (uint64_t x : v) scratch[c[(x >> shift) & mask[d]]++] = x;
    v.swap(scratch);
  }
}

void set_verdict(reports::Correctness& c, int64_t violations) {
  c.checked = true;
  c.violations = violations;
  c.verdict = violations == 0 ? "pass" : "violated";
}

std::string who(const Event& e) {
  return "client " + std::to_string(e.client) + " op " + std::to_string(static_cast<uint32_t>(e.seq));
}

std::string at_ms(uint64_t us) {
  std::string frac = std::to_string(us % 1000);
  return std::to_string(us / 1000) + "." + std::string(3 - frac.size(), '0') + frac + " ms";
}

std::string Who::text() const { return "client " + std::to_string(client) + " op " + std::to_string(seq); }

namespace {
uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
nlohmann::json save_who(const Who& w) { return nlohmann::json::array({w.client, w.seq, w.aux}); }
Who load_who(const nlohmann::json& j) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_number_unsigned() || !j[1].is_number_unsigned() ||
      !j[2].is_number_integer())
    throw std::invalid_argument("check_state.sample: an op is [client, seq, value]");
  return {j[0].get<uint32_t>(), j[1].get<uint32_t>(), j[2].get<int64_t>()};
}
}  // namespace

bool WriterSample::keeps(uint64_t id) const { return level_ == 0 || (mix(id) >> (64 - level_)) == 0; }

void WriterSample::note_pair(uint64_t id, const Who& a, const Who& b) {
  if (pairs_.size() < kMaxExamples) pairs_.push_back({id, a, b});
}

void WriterSample::tighten() {
  while (first_.size() > kCap && level_ < 63) {
    ++level_;
    for (auto it = first_.begin(); it != first_.end();)
      it = keeps(it->first) ? std::next(it) : first_.erase(it);
  }
}

void WriterSample::add(uint64_t id, const Who& w) {
  if (!keeps(id)) return;
  const auto [it, fresh] = first_.try_emplace(id, w);
  if (!fresh) {
    note_pair(id, it->second, w);
    return;
  }
  if (first_.size() > kCap) tighten();
}

void WriterSample::merge(const WriterSample& o) {
  for (const Pair& p : o.pairs_) note_pair(p.id, p.first, p.second);
  level_ = std::max(level_, o.level_);
  for (auto it = first_.begin(); it != first_.end();)
    it = keeps(it->first) ? std::next(it) : first_.erase(it);
  for (const auto& [id, w] : o.first_) add(id, w);
}

nlohmann::json WriterSample::save() const {
  nlohmann::json kept = nlohmann::json::array(), pairs = nlohmann::json::array();
  for (const auto& [id, w] : first_) kept.push_back({id, save_who(w)});
  for (const Pair& p : pairs_) pairs.push_back({p.id, save_who(p.first), save_who(p.second)});
  return {{"level", level_}, {"kept", std::move(kept)}, {"pairs", std::move(pairs)}};
}

void WriterSample::load(const nlohmann::json& j) {
  const auto& level = state_field_of(j, "level");
  if (!level.is_number_unsigned() || level.get<unsigned>() > 63)
    throw std::invalid_argument("check_state.sample.level: not a level in [0, 63]");
  level_ = level.get<unsigned>();
  first_.clear();
  pairs_.clear();
  for (const auto& k : state_field_of(j, "kept")) {
    if (!k.is_array() || k.size() != 2 || !k[0].is_number_unsigned())
      throw std::invalid_argument("check_state.sample.kept: an entry is [id, op]");
    first_.emplace(k[0].get<uint64_t>(), load_who(k[1]));
  }
  for (const auto& p : state_field_of(j, "pairs")) {
    if (!p.is_array() || p.size() != 3 || !p[0].is_number_unsigned())
      throw std::invalid_argument("check_state.sample.pairs: an entry is [id, op, op]");
    note_pair(p[0].get<uint64_t>(), load_who(p[1]), load_who(p[2]));
  }
}

std::size_t WriterSample::bytes() const {
  return first_.bucket_count() * sizeof(void*) + first_.size() * (sizeof(uint64_t) + sizeof(Who) + 16) +
         pairs_.capacity() * sizeof(Pair);
}

void EventSample::merge(const EventSample& o) {
  for (const Event& e : o.events) add(e);
}

nlohmann::json EventSample::save() const {
  nlohmann::json out = nlohmann::json::array();
  for (const Event& e : events)
    out.push_back({e.client, static_cast<uint32_t>(e.seq), e.key, static_cast<uint32_t>(e.kind),
                   static_cast<uint32_t>(e.outcome), e.a, e.b, e.start_us, e.end_us});
  return out;
}

void EventSample::load(const nlohmann::json& j, std::string_view field) {
  const std::string where = "check_state." + std::string(field);
  if (!j.is_array()) throw std::invalid_argument(where + ": not an array");
  events.clear();
  for (const auto& x : j) {
    if (!x.is_array() || x.size() != 9)
      throw std::invalid_argument(where +
                                  ": an event is [client, seq, key, kind, outcome, a, b, start, end]");
    for (std::size_t i = 0; i < 9; ++i)
      if (!x[i].is_number_integer()) throw std::invalid_argument(where + ": an event holds integers only");
    Event e;
    e.client = x[0].get<uint16_t>();
    e.seq = x[1].get<uint32_t>() & 0xFFFFFF;
    e.key = x[2].get<uint16_t>();
    e.kind = x[3].get<uint32_t>() & 0xF;
    e.outcome = x[4].get<uint32_t>() & 0xF;
    e.a = x[5].get<int64_t>();
    e.b = x[6].get<int64_t>();
    e.start_us = x[7].get<uint32_t>();
    e.end_us = x[8].get<uint32_t>();
    add(e);
  }
}

nlohmann::json save_tally(const std::vector<int64_t>& v) { return v; }

std::vector<int64_t> load_tally(const nlohmann::json& j, std::string_view field, std::size_t n) {
  const auto& a = state_field_of(j, field);
  const std::string where = "check_state." + std::string(field);
  if (!a.is_array() || a.size() != n)
    throw std::invalid_argument(where + ": not an array of " + std::to_string(n) + " integers");
  std::vector<int64_t> out;
  out.reserve(n);
  for (const auto& x : a) {
    if (!x.is_number_integer()) throw std::invalid_argument(where + ": not an array of integers");
    out.push_back(x.get<int64_t>());
  }
  return out;
}

int64_t load_int(const nlohmann::json& j, std::string_view field) {
  const auto& x = state_field_of(j, field);
  if (!x.is_number_integer())
    throw std::invalid_argument("check_state." + std::string(field) + ": not an integer");
  return x.get<int64_t>();
}

void expect_keys(const nlohmann::json& j, std::size_t n) {
  if (load_int(j, "keys") != static_cast<int64_t>(n))
    throw std::invalid_argument("check_state.keys: " + engine::state_field(j, "keys").dump() + ", expected " +
                                std::to_string(n));
}

void add_tally(std::vector<int64_t>& into, const std::vector<int64_t>& from) {
  if (into.size() != from.size())
    throw std::invalid_argument("cannot merge checker states of " + std::to_string(from.size()) + " and " +
                                std::to_string(into.size()) + " keys");
  for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
}

}  // namespace lh::scenarios::support
