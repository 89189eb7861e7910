#include "harness/scenarios/leaderboard_check.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "harness/scenarios/check_support.hpp"

namespace lh::scenarios {

namespace {

constexpr std::array<DetailField, 9> kDetails = {{
    {"members", "members"},
    {"members_scored", "members with a final score"},
    {"submissions_acknowledged", "submissions acknowledged"},
    {"updates_acknowledged", "updates acknowledged (the score was higher)"},
    {"indeterminate", "submissions indeterminate"},
    {"failed", "submissions failed"},
    {"members_below_best", "members below their best acknowledged score"},
    {"members_with_unexplained_score", "members with a score nobody submitted"},
    {"ignored_events", "events of unknown members (ignored)"},
}};

}  // namespace

std::span<const DetailField> leaderboard_details() { return kDetails; }

void LeaderboardState::Member::raise(const Sub& s) {
  if (has_best && s.score <= best.score) return;
  has_best = true;
  best = s;
  if (maybe.size() > 64) prune();
}

void LeaderboardState::Member::note(const Sub& s) {
  if (recent.size() < kRecent) {
    recent.push_back(s);
  } else {
    recent[next] = s;
    next = (next + 1) % kRecent;
  }
}

void LeaderboardState::Member::prune() {
  if (!has_best) return;
  std::erase_if(maybe, [&](int64_t x) { return x <= best.score; });
}

void LeaderboardState::add(const Event& e) {
  ++events_;
  if (e.key >= m_.size()) {
    ++ignored_;
    return;
  }
  Member& m = m_[e.key];
  switch (e.result()) {
    case Outcome::ok:
      ++acknowledged_;
      updated_ += e.b == 1;
      m.raise({e.a, support::Who::of(e)});
      m.note({e.a, support::Who::of(e)});
      break;
    case Outcome::failed:
      ++failed_;
      break;
    default:
      ++indeterminate_;
      if (!m.has_best || e.a > m.best.score) m.maybe.push_back(e.a);
      break;
  }
}

void LeaderboardState::merge(const engine::CheckState& other) {
  const auto& o = engine::same_form<LeaderboardState>(*this, other);
  if (o.m_.size() != m_.size())
    throw std::invalid_argument("cannot merge leaderboard states of " + std::to_string(o.m_.size()) +
                                " and " + std::to_string(m_.size()) + " members");
  for (std::size_t i = 0; i < m_.size(); ++i) {
    Member& m = m_[i];
    const Member& x = o.m_[i];
    m.maybe.insert(m.maybe.end(), x.maybe.begin(), x.maybe.end());
    if (x.has_best) m.raise(x.best);
    m.prune();
    for (const Sub& s : x.recent) m.note(s);
  }
  acknowledged_ += o.acknowledged_;
  updated_ += o.updated_;
  indeterminate_ += o.indeterminate_;
  failed_ += o.failed_;
  ignored_ += o.ignored_;
  events_ += o.events_;
}

namespace {
nlohmann::json save_sub(const LeaderboardState::Sub& s) {
  return nlohmann::json::array({s.score, s.who.client, s.who.seq});
}
LeaderboardState::Sub load_sub(const nlohmann::json& j) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_number_integer() || !j[1].is_number_unsigned() ||
      !j[2].is_number_unsigned())
    throw std::invalid_argument("check_state.members: a submission is [score, client, seq]");
  return {j[0].get<int64_t>(), {j[1].get<uint32_t>(), j[2].get<uint32_t>(), 0}};
}
}  // namespace

nlohmann::json LeaderboardState::save() const {
  nlohmann::json members = nlohmann::json::array();
  for (const Member& m : m_) {
    nlohmann::json recent = nlohmann::json::array();
    for (const Sub& s : m.recent) recent.push_back(save_sub(s));
    std::vector<int64_t> maybe = m.maybe;
    if (m.has_best) std::erase_if(maybe, [&](int64_t x) { return x <= m.best.score; });
    members.push_back({{"best", m.has_best ? save_sub(m.best) : nlohmann::json(nullptr)},
                       {"maybe", maybe},
                       {"recent", std::move(recent)}});
  }
  return {{"form", "leaderboard"},
          {"keys", m_.size()},
          {"events", events_},
          {"acknowledged", acknowledged_},
          {"updated", updated_},
          {"indeterminate", indeterminate_},
          {"failed", failed_},
          {"ignored", ignored_},
          {"members", std::move(members)}};
}

void LeaderboardState::load(const nlohmann::json& j) {
  engine::expect_form(j, "leaderboard");
  const auto& members = engine::state_field(j, "members");
  if (!members.is_array() || members.size() != m_.size())
    throw std::invalid_argument("check_state.members: not an array of " + std::to_string(m_.size()) +
                                " members");
  for (std::size_t i = 0; i < m_.size(); ++i) {
    Member m;
    const auto& x = members[i];
    const auto& best = engine::state_field(x, "best");
    if (!best.is_null()) {
      m.has_best = true;
      m.best = load_sub(best);
    }
    for (const auto& v : engine::state_field(x, "maybe")) {
      if (!v.is_number_integer()) throw std::invalid_argument("check_state.members.maybe: not integers");
      m.maybe.push_back(v.get<int64_t>());
    }
    for (const auto& r : engine::state_field(x, "recent")) m.note(load_sub(r));
    m_[i] = std::move(m);
  }
  acknowledged_ = support::load_int(j, "acknowledged");
  updated_ = support::load_int(j, "updated");
  indeterminate_ = support::load_int(j, "indeterminate");
  failed_ = support::load_int(j, "failed");
  ignored_ = support::load_int(j, "ignored");
  events_ = static_cast<uint64_t>(support::load_int(j, "events"));
}

std::size_t LeaderboardState::bytes() const {
  std::size_t b = m_.capacity() * sizeof(Member);
  for (const Member& m : m_) b += m.maybe.capacity() * sizeof(int64_t) + m.recent.capacity() * sizeof(Sub);
  return b;
}

reports::Correctness LeaderboardState::finish(const std::vector<std::optional<int64_t>>& final_score,
                                              bool safe_by_design) const {
  const std::size_t n = std::min(final_score.size(), m_.size());
  // A final score above the best acknowledged one must be an indeterminate submission of that member.
  auto explained = [&](std::size_t m, int64_t score) {
    return std::find(m_[m].maybe.begin(), m_[m].maybe.end(), score) != m_[m].maybe.end();
  };
  int64_t below = 0, unexplained = 0, members_scored = 0;
  std::vector<std::size_t> bad;
  for (std::size_t m = 0; m < n; ++m) {
    const auto& fin = final_score[m];
    const Member& x = m_[m];
    members_scored += fin.has_value();
    if (x.has_best && (!fin || *fin < x.best.score)) {
      ++below;
      bad.push_back(m);
    } else if (fin && (!x.has_best || *fin > x.best.score) && !explained(m, *fin)) {
      ++unexplained;
      bad.push_back(m);
    }
  }

  reports::Correctness c;
  c.invariant =
      "each member's final score is its highest acknowledged submission (or an indeterminate one above it)";
  c.safe_by_design = safe_by_design;
  c.details = {{"members", n},
               {"members_scored", members_scored},
               {"submissions_acknowledged", acknowledged_},
               {"updates_acknowledged", updated_},
               {"indeterminate", indeterminate_},
               {"failed", failed_},
               {"members_below_best", below},
               {"members_with_unexplained_score", unexplained}};
  if (ignored_) c.details["ignored_events"] = ignored_;
  support::set_verdict(c, below + unexplained);

  // Evidence: the first few bad members, with who wrote the score they ended with when it is one of their
  // last acknowledged submissions.
  if (bad.size() > support::kMaxExamples) bad.resize(support::kMaxExamples);
  for (const std::size_t m : bad) {
    const auto& fin = final_score[m];
    const Member& x = m_[m];
    const std::string final_text = fin ? std::to_string(*fin) : std::string("absent");
    if (!x.has_best || (fin && *fin > x.best.score)) {
      c.examples.push_back("member m" + std::to_string(m) + ": final score " + final_text +
                           " was never submitted");
      continue;
    }
    std::string s = "member m" + std::to_string(m) + ": final score " + final_text + ", below " +
                    std::to_string(x.best.score) + " submitted by " + x.best.who.text() + " (acknowledged)";
    for (const Sub& r : x.recent)
      if (fin && r.score == *fin) {
        s += "; overwritten by " + r.who.text() + "'s " + std::to_string(r.score);
        break;
      }
    c.examples.push_back(std::move(s));
  }
  return c;
}

reports::Correctness check_leaderboard(const LeaderboardCheckInput& in) {
  LeaderboardState s(in.final_score.size());
  for (const Event& e : in.history) s.add(e);
  return s.finish(in.final_score, in.safe_by_design);
}

}  // namespace lh::scenarios
