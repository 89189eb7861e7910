// What a cluster client does after each try of one command, as a pure decision: the reply (or the failure that
// stood for it) in, the next step out. The async router (ClusterRedis, the load) and the blocking admin client
// (ClusterSync: setup, read-back, cleanup) both drive this one policy; they differ only in their limits and in
// what they do with a step (update which map, sleep how, say what on giving up). No I/O and no clock read in
// here: a wait's timing takes the time from the caller.
//
//   reply                      step
//   ok, or any other error     done: the reply is the op's answer
//   MOVED slot host:port       moved: point the slot at that node, retry there
//   ASK slot host:port         ask: ASKING + the command at that node, once; the map unchanged
//   (more than 16 of those, or one that does not parse: give up, the reply is the answer)
//   TRYAGAIN                   wait, retry at the map's owner (a multi-key op during a migration)
//   CLUSTERDOWN                wait, refresh the map, retry at the map's owner
//   NOSCRIPT                   reload the script on that node, retry there, once (when the client has a script)
//   LOADING                    wait, retry at the same node (when the limits say so: the admin client)
//   no node owns the slot      wait, refresh, retry at the map's owner
//   connect failed             wait, refresh, retry at the map's owner (nothing was sent)
//   connection lost            the command may have run: done (the router), or wait, refresh and resend (the
//                              admin client, whose commands are idempotent)
// Waits back off and are bounded (RetryLimits); once the budget is spent, wait() says stop and the reply (or the
// failure) is the command's answer. The same back-off serves NodeClient's retries on one standalone node.
#pragma once
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "harness/net/connection.hpp"
#include "harness/net/reply.hpp"
#include "harness/transport/slot_map.hpp"

namespace lh::transport {

// A slot bounced between nodes this often within one command is a cluster in flux: the redirect is the answer.
inline constexpr int kMaxRedirects = 16;

struct Redirect {
  enum Kind { moved, ask } kind;
  uint16_t slot;
  NodeAddr addr;  // host may be empty: Redis sends "MOVED 3999 :6381" when the node's endpoint is unknown,
                  // meaning "the host you are connected to"
};

// Parses "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381" (a leading '-' is tolerated); anything else
// -> nullopt. IPv6 hosts work: the port follows the last ':'.
std::optional<Redirect> parse_redirect(std::string_view error_message);

// How one command backs off before a retry: `first_delay`, doubling up to `max_delay`, at most `max_waits` waits
// within `budget`.
struct BackoffLimits {
  std::chrono::milliseconds first_delay;
  std::chrono::milliseconds max_delay;
  int max_waits;
  std::chrono::milliseconds budget;
  // The budget runs from the command's start (given to the Backoff), or else from its first wait (so a command
  // that never waits reads no clock).
  bool budget_from_start;
  // The last wait is cut short at the budget's end (one more try right then), or else a wait that would end past
  // the budget is not begun.
  bool cut_last_wait;
};

// The back-off of one command: each wait() is one more wait, or the end.
class Backoff {
 public:
  enum class Stop : uint8_t { none, interrupted, waits, time };
  struct Wait {
    Stop stop = Stop::none;  // none: wait until `until`, then retry
    net::Clock::time_point until{};
  };

  // `start`: the command's start, when the limits count the budget from there.
  explicit Backoff(const BackoffLimits& limits, net::Clock::time_point start = {}) noexcept;
  // The next wait, at `now`; `interrupted` (the run was interrupted) ends the waiting at once.
  Wait wait(net::Clock::time_point now, bool interrupted) noexcept;
  int waits() const noexcept { return waits_; }

 private:
  BackoffLimits limits_;
  std::chrono::milliseconds delay_;
  net::Clock::time_point deadline_{};  // unset until the budget starts
  int waits_ = 0;
};

struct RetryLimits {
  BackoffLimits backoff;
  int max_redirects;
  bool resend_after_lost;  // a connection lost after the command went out: resend (idempotent commands only)
  bool wait_out_loading;   // LOADING (a restarted node still loading its data): wait and retry that node
};

// The load's router (ClusterRedis): 5 ms doubling up to 250 ms, at most 12 waits and 2 s from the op's first wait
// (so an op never hangs past a bounded margin); a lost connection ends the op (indeterminate).
inline constexpr RetryLimits kRouterLimits{{std::chrono::milliseconds(5), std::chrono::milliseconds(250), 12,
                                            std::chrono::milliseconds(2000), false, true},
                                           kMaxRedirects,
                                           false,
                                           false};

// The admin client (ClusterSync): 5 ms doubling up to 500 ms for up to `patience` from the command's start (a
// failover: node timeout + election); a lost connection is resent, LOADING waited out.
constexpr RetryLimits admin_limits(std::chrono::milliseconds patience) {
  return {{std::chrono::milliseconds(5), std::chrono::milliseconds(500), std::numeric_limits<int>::max(),
           patience, true, false},
          kMaxRedirects,
          true,
          true};
}

// A standalone node's admin client (NodeClient::command, no redirects): 10 ms doubling up to 500 ms for up to
// `patience` from the command's start, after a lost connection or LOADING/BUSY.
constexpr BackoffLimits node_backoff(std::chrono::milliseconds patience) {
  return {std::chrono::milliseconds(10),
          std::chrono::milliseconds(500),
          std::numeric_limits<int>::max(),
          patience,
          true,
          false};
}

// The next step of one command, as the policy decides it.
struct Step {
  enum class Kind : uint8_t {
    done,    // the reply is the command's answer
    moved,   // point `slot` at `node` in the map, retry at `node`
    ask,     // send ASKING + the command to `node`, once; the map unchanged
    reload,  // SCRIPT LOAD on the node that answered NOSCRIPT, retry there (once per command)
    wait,  // call RedirectPolicy::wait(), then retry (at the same node when `same_node`, else the map's owner)
    give_up,  // the reply is the command's answer: too many redirects, or one that does not parse
  };
  // When a wait asks for a fresh map.
  enum class Refresh : uint8_t {
    none,
    now,         // the map is known stale (no owner, a node unreachable or lost): mark it now, refresh after
    after_wait,  // CLUSTERDOWN: refresh after the wait
  };
  Kind kind = Kind::done;
  Refresh refresh = Refresh::none;
  bool same_node = false;
  uint16_t slot = 0;
  NodeAddr node;
};

// The policy for one command: make one per command, feed it each try's result, do what it returns.
class RedirectPolicy {
 public:
  explicit RedirectPolicy(const RetryLimits& limits, net::Clock::time_point start = {}) noexcept
      : backoff_(limits.backoff, start),
        max_redirects_(limits.max_redirects),
        resend_after_lost_(limits.resend_after_lost),
        wait_out_loading_(limits.wait_out_loading) {}

  // A reply from the node at `asked_host` (an error reply or a transport failure included). `has_script`: the
  // command is a script call the client can load again after NOSCRIPT.
  Step on_reply(const net::Reply& r, std::string_view asked_host, bool has_script);
  // The map names no node for the slot.
  Step on_no_owner() const noexcept { return wait_step(Step::Refresh::now); }
  // The node could not be connected to (nothing was sent).
  Step on_connect_failed() const noexcept { return wait_step(Step::Refresh::now); }
  // After a `wait` step: how long, or the end (then the reply, or the failure, is the command's answer).
  Backoff::Wait wait(net::Clock::time_point now, bool interrupted) noexcept {
    return backoff_.wait(now, interrupted);
  }

  int redirects() const noexcept { return redirects_; }
  int waits() const noexcept { return backoff_.waits(); }

 private:
  static Step wait_step(Step::Refresh refresh, bool same_node = false) noexcept {
    Step s;
    s.kind = Step::Kind::wait;
    s.refresh = refresh;
    s.same_node = same_node;
    return s;
  }

  Backoff backoff_;
  int max_redirects_;
  bool resend_after_lost_, wait_out_loading_;
  int redirects_ = 0;
  bool reloaded_ = false;
};

// The router's one test on the hot path: whether a reply needs RedirectPolicy::on_reply at all under
// kRouterLimits (an error reply of class MOVED, ASK, TRYAGAIN, CLUSTERDOWN or NOSCRIPT). Everything else is
// `done` there, so the common reply costs two branches.
inline bool needs_follow_up(const net::Reply& r) noexcept {
  if (!r.is_error() || r.is_transport_failure()) return false;
  switch (r.error_class()) {
    case net::ErrorClass::moved:
    case net::ErrorClass::ask:
    case net::ErrorClass::tryagain:
    case net::ErrorClass::clusterdown:
    case net::ErrorClass::noscript:
      return true;
    default:
      return false;
  }
}

}  // namespace lh::transport
