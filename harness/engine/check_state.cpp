#include "harness/engine/check_state.hpp"

#include <cstring>
#include <stdexcept>

#include "harness/stats/codec.hpp"

namespace lh::engine {

const nlohmann::json& state_field(const nlohmann::json& j, std::string_view name) {
  if (!j.is_object()) throw std::invalid_argument("check_state: not an object");
  const auto it = j.find(name);
  if (it == j.end()) throw std::invalid_argument("check_state." + std::string(name) + ": missing");
  return *it;
}

void expect_form(const nlohmann::json& j, std::string_view form) {
  const auto& f = state_field(j, "form");
  if (!f.is_string() || f.get<std::string>() != form)
    throw std::invalid_argument("check_state.form: " + f.dump() + ", expected \"" + std::string(form) + "\"");
}

void HistoryState::merge(const CheckState& o) {
  const auto& h = same_form<HistoryState>(*this, o).history;
  history.insert(history.end(), h.begin(), h.end());
}

nlohmann::json save_events(const History& history) {
  const auto* p = reinterpret_cast<const uint8_t*>(history.data());
  const std::vector<uint8_t> z = stats::zlib_compress({p, history.size() * sizeof(Event)});
  return {{"events", history.size()},
          {"encoding", "zlib+base64, 32-byte events"},
          {"data", stats::base64_encode(z)}};
}

History load_events(const nlohmann::json& j, std::string_view field) {
  const std::string where = "check_state." + std::string(field);
  if (!j.is_object()) throw std::invalid_argument(where + ": not an object");
  const auto& n = state_field(j, "events");
  const auto& d = state_field(j, "data");
  if (!n.is_number_unsigned() || !d.is_string())
    throw std::invalid_argument(where + ": events must be a count and data a string");
  const auto bytes = stats::base64_decode(d.get<std::string>());
  if (!bytes) throw std::invalid_argument(where + ".data: not base64");
  // zlib inflates at most ~1032:1: a count beyond that is a lie, refused before allocating for it.
  if (n.get<uint64_t>() > (uint64_t{1} << 40) ||
      n.get<uint64_t>() * sizeof(Event) > bytes->size() * 1032 + 64)
    throw std::invalid_argument(where + ".events: more than its data can hold");
  const auto raw = stats::zlib_uncompress(*bytes, n.get<std::size_t>() * sizeof(Event));
  if (!raw) throw std::invalid_argument(where + ".data: does not inflate to the stated events");
  History h(n.get<std::size_t>());
  if (!raw->empty()) std::memcpy(h.data(), raw->data(), raw->size());
  return h;
}

nlohmann::json HistoryState::save() const {
  nlohmann::json j = save_events(history);
  j["form"] = "history";
  return j;
}

void HistoryState::load(const nlohmann::json& j) {
  expect_form(j, "history");
  history = load_events(j, "history");
}

void NoState::merge(const CheckState& o) { n_ += same_form<NoState>(*this, o).n_; }

void NoState::load(const nlohmann::json& j) {
  expect_form(j, "none");
  const auto& n = state_field(j, "events");
  if (!n.is_number_unsigned()) throw std::invalid_argument("check_state.events: not a count");
  n_ = n.get<uint64_t>();
}

}  // namespace lh::engine
