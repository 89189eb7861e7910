// A checker's running state. The engine feeds each op's event to the state of the worker thread that
// recorded it (one per thread, never shared: no lock, no atomic), merges the threads' states after join, and
// the variant's check() judges the merged state against the final state it reads back. A built-in scenario's
// state holds tallies bounded by its key space (plus a bounded sample of evidence), not the run's history,
// so a run's memory does not grow with its length; save()/load() carry it in the report, where shards of one
// run merge into the state one process would have had (lua-harness merge).
//
//   class CounterState final : public engine::CheckState { add, merge, save, load };
//   std::unique_ptr<CheckState> CounterAtomic::new_state() const { return std::make_unique<CounterState>(n); }
//
// A checker that judges real-time order across clients (cas, lock) streams instead: one shared state learns
// every thread's floor and judges what no later event can change (below). HistoryState keeps every event.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "harness/engine/history.hpp"

namespace lh::engine {

class CheckState {
 public:
  virtual ~CheckState() = default;
  // The checker's name for the state's form ("counter", "history", ...): save() writes it, load() and merge()
  // of another form refuse.
  virtual std::string_view form() const = 0;
  // One op's event, on the worker thread that ran the op.
  virtual void add(const Event& e) = 0;
  // Folds `o` (the same variant's state of another thread or shard, of the same form) into this one.
  // Throws std::invalid_argument when it does not fit (another form, another key count).
  virtual void merge(const CheckState& o) = 0;
  // The state as JSON (an object): what merge needs, and no more. load() reads what save() wrote and throws
  // std::invalid_argument, naming the field, on anything else.
  virtual nlohmann::json save() const = 0;
  virtual void load(const nlohmann::json& j) = 0;
  // Bytes it holds (the evidence sample included): what "memory independent of the run's length" measures.
  virtual std::size_t bytes() const = 0;
  // Ops it was fed (merged ones included).
  virtual uint64_t events() const = 0;

  // Streaming, for the checkers that judge order across clients (cas, lock): their state stays flat only when
  // it learns how far the whole run has got. Such a state says so with streams(); the engine then makes one
  // shared state of the variant (start_stream with the thread count). Every ~100 ms, and once more after
  // join, each worker queues its thread's state with its floor (no event the thread records from then on
  // starts before floor_us on the run clock; kNoFloor: it records none) and records into a fresh one; the
  // engine's collector thread hands the queued states over to the shared one in order (hand_off, which
  // empties them). The shared state judges what no later event can change, keeps the counts, and forgets
  // the events. A shard's states are never streamed: they keep their events for `lua-harness merge`.
  static constexpr uint64_t kNoFloor = UINT64_MAX;
  virtual bool streams() const { return false; }
  virtual void start_stream(uint32_t /*threads*/) {}
  virtual void hand_off(CheckState& /*shared*/, uint32_t /*thread*/, uint64_t /*floor_us*/) {}
};

// The whole history, for the checkers that need it (and the tests that replay recorded histories).
class HistoryState final : public CheckState {
 public:
  History history;

  std::string_view form() const override { return "history"; }
  void add(const Event& e) override { history.push_back(e); }
  void merge(const CheckState& o) override;
  nlohmann::json save() const override;  // the events, 32 bytes each, zlib-compressed and base64-encoded
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override { return history.capacity() * sizeof(Event); }
  uint64_t events() const override { return history.size(); }
};

// No checker (a user's script): counts the ops, keeps nothing.
class NoState final : public CheckState {
 public:
  std::string_view form() const override { return "none"; }
  void add(const Event&) override { ++n_; }
  void merge(const CheckState& o) override;
  nlohmann::json save() const override { return {{"form", "none"}, {"events", n_}}; }
  void load(const nlohmann::json& j) override;
  std::size_t bytes() const override { return 0; }
  uint64_t events() const override { return n_; }

 private:
  uint64_t n_ = 0;
};

// A list of events as a state's JSON keeps it: {"events": N, "encoding": ..., "data": zlib+base64 of the
// 32-byte events}; load_events throws std::invalid_argument naming `field`.
nlohmann::json save_events(const History& h);
History load_events(const nlohmann::json& j, std::string_view field);

// Helpers for the states' save()/load(): a required field of a given JSON type, or std::invalid_argument
// "check_state.FIELD: ...".
const nlohmann::json& state_field(const nlohmann::json& j, std::string_view name);
void expect_form(const nlohmann::json& j, std::string_view form);
// The other state as T, or std::invalid_argument "cannot merge a FORM state into a FORM state".
template <class T>
const T& same_form(const CheckState& self, const CheckState& o) {
  if (o.form() != self.form())
    throw std::invalid_argument("cannot merge a " + std::string(o.form()) + " checker state into a " +
                                std::string(self.form()) + " one");
  return static_cast<const T&>(o);
}

}  // namespace lh::engine
