#include "harness/transport/redirect.hpp"

#include <algorithm>
#include <charconv>

#include "harness/transport/slot.hpp"

namespace lh::transport {

namespace {

template <typename Int>
bool parse_int(std::string_view text, Int& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::optional<Redirect> parse_redirect(std::string_view msg) {
  if (!msg.empty() && msg.front() == '-') msg.remove_prefix(1);
  Redirect r{};
  if (msg.starts_with("MOVED ")) {
    r.kind = Redirect::moved;
    msg.remove_prefix(6);
  } else if (msg.starts_with("ASK ")) {
    r.kind = Redirect::ask;
    msg.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = msg.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!parse_int(msg.substr(0, space), r.slot) || r.slot >= kSlotCount) return std::nullopt;
  std::string_view addr = msg.substr(space + 1);
  while (!addr.empty() && (addr.back() == '\r' || addr.back() == '\n' || addr.back() == ' '))
    addr.remove_suffix(1);
  const auto colon = addr.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  if (!parse_int(addr.substr(colon + 1), r.addr.port) || r.addr.port <= 0 || r.addr.port > 65535)
    return std::nullopt;
  r.addr.host = std::string(addr.substr(0, colon));
  return r;
}

// ---- back-off -------------------------------------------------------------------------------------------------

Backoff::Backoff(const BackoffLimits& limits, net::Clock::time_point start) noexcept
    : limits_(limits), delay_(limits.first_delay) {
  if (limits_.budget_from_start) deadline_ = start + limits_.budget;
}

Backoff::Wait Backoff::wait(net::Clock::time_point now, bool interrupted) noexcept {
  if (deadline_ == net::Clock::time_point{})
    deadline_ = now + limits_.budget;  // the first wait starts the budget
  ++waits_;
  if (interrupted) return {Stop::interrupted, {}};
  if (waits_ > limits_.max_waits) return {Stop::waits, {}};
  const auto end = now + delay_;
  Wait w;
  if (limits_.cut_last_wait) {
    if (now >= deadline_) return {Stop::time, {}};
    w.until = std::min(deadline_, end);
  } else {
    if (end > deadline_) return {Stop::time, {}};
    w.until = end;
  }
  delay_ = std::min(delay_ * 2, limits_.max_delay);
  return w;
}

// ---- the policy -----------------------------------------------------------------------------------------------

Step RedirectPolicy::on_reply(const net::Reply& r, std::string_view asked_host, bool has_script) {
  if (r.is_transport_failure()) return resend_after_lost_ ? wait_step(Step::Refresh::now) : Step{};
  if (!r.is_error()) return {};
  const std::string_view m = r.error_message();
  if (wait_out_loading_ && m.starts_with("LOADING")) return wait_step(Step::Refresh::none, true);
  switch (r.error_class()) {
    case net::ErrorClass::moved:
    case net::ErrorClass::ask: {
      auto rd = parse_redirect(m);
      Step s;
      if (!rd || ++redirects_ > max_redirects_) {
        s.kind = Step::Kind::give_up;
        return s;
      }
      s.kind = rd->kind == Redirect::moved ? Step::Kind::moved : Step::Kind::ask;
      s.slot = rd->slot;
      s.node = std::move(rd->addr);
      if (s.node.host.empty()) s.node.host = asked_host;  // "MOVED 3999 :6381": the host we asked
      return s;
    }
    case net::ErrorClass::tryagain:
      return wait_step(Step::Refresh::none);
    case net::ErrorClass::clusterdown:
      return wait_step(Step::Refresh::after_wait);
    case net::ErrorClass::noscript: {
      Step s;
      if (has_script && !reloaded_) {
        reloaded_ = true;
        s.kind = Step::Kind::reload;
      }
      return s;
    }
    default:
      return {};
  }
}

}  // namespace lh::transport
