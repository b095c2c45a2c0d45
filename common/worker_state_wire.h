// The workers' vocabulary (common/worker_state.h) on the wire: one row per value, mapping the
// engine's enum to sup.v1's, so supd's replies and supctl's rendering use the same names
// (kWorkerStateNames, kHealthNames, kReasonNames) with nothing to keep in step by hand. Checked
// at compile time: every wire value (but an UNSPECIFIED that has no engine value) has exactly one
// row, the rows follow the engine enum's order, and every row has a name.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

#include "common/worker_state.h"
#include "sup/v1/control.pb.h"

namespace sup {

template <typename Enum, typename Wire>
struct WireRow {
  Enum value;
  Wire wire;
};

using WireStatus = v1::WorkerStatus;

inline constexpr WireRow<WorkerState, WireStatus::State> kWorkerStateWire[] = {
    {WorkerState::kStopped, WireStatus::STOPPED},   {WorkerState::kStarting, WireStatus::STARTING},
    {WorkerState::kRunning, WireStatus::RUNNING},   {WorkerState::kBackoff, WireStatus::BACKOFF},
    {WorkerState::kStopping, WireStatus::STOPPING}, {WorkerState::kExited, WireStatus::EXITED},
    {WorkerState::kFailed, WireStatus::FAILED}};

inline constexpr WireRow<Health, WireStatus::Health> kHealthWire[] = {
    {Health::kUnknown, WireStatus::UNKNOWN},
    {Health::kHealthy, WireStatus::HEALTHY},
    {Health::kUnhealthy, WireStatus::UNHEALTHY}};

// kNone travels as REASON_UNSPECIFIED: "no reason" is a value of its own.
inline constexpr WireRow<Reason, WireStatus::Reason> kReasonWire[] = {
    {Reason::kNone, WireStatus::REASON_UNSPECIFIED},
    {Reason::kOperator, WireStatus::OPERATOR},
    {Reason::kExited, WireStatus::EXITED_ITSELF},
    {Reason::kKilled, WireStatus::KILLED},
    {Reason::kSpawnError, WireStatus::SPAWN_ERROR},
    {Reason::kStartTimeout, WireStatus::START_TIMEOUT},
    {Reason::kLivenessFailed, WireStatus::LIVENESS_FAILED},
    {Reason::kMemoryLimit, WireStatus::MEMORY_LIMIT},
    {Reason::kConfigChanged, WireStatus::CONFIG_CHANGED},
    {Reason::kConfigError, WireStatus::CONFIG_ERROR},
    {Reason::kDependency, WireStatus::DEPENDENCY},
    {Reason::kBreakerOpen, WireStatus::BREAKER_OPEN},
    {Reason::kShutdown, WireStatus::SHUTDOWN},
    {Reason::kWatchdog, WireStatus::WATCHDOG}};

// True when `rows` maps the engine values 0..N-1, in order, one to one onto the wire values
// first_wire..wire_count-1, and `names` has one name per row.
template <typename Enum, typename Wire, std::size_t N, std::size_t M>
constexpr bool IsOneToOne(const WireRow<Enum, Wire> (&rows)[N], const std::string_view (&)[M],
                          int first_wire, int wire_count) {
  if (N != M || static_cast<int>(N) != wire_count - first_wire) return false;
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(rows[i].value) != i) return false;
    const int wire = static_cast<int>(rows[i].wire);
    if (wire < first_wire || wire >= wire_count) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (static_cast<int>(rows[j].wire) == wire) return false;
  }
  return true;
}

static_assert(IsOneToOne(kWorkerStateWire, kWorkerStateNames, 1, WireStatus::State_ARRAYSIZE),
              "every WorkerState has one wire value and one name, and every wire state one row");
static_assert(IsOneToOne(kHealthWire, kHealthNames, 1, WireStatus::Health_ARRAYSIZE),
              "every Health has one wire value and one name, and every wire health one row");
static_assert(IsOneToOne(kReasonWire, kReasonNames, 0, WireStatus::Reason_ARRAYSIZE),
              "every Reason has one wire value and one name, and every wire reason one row");

template <typename Enum, typename Wire, std::size_t N>
constexpr Wire ToWire(Enum value, const WireRow<Enum, Wire> (&rows)[N]) {
  return rows[static_cast<std::size_t>(value)].wire;
}
inline WireStatus::State ToWire(WorkerState state) { return ToWire(state, kWorkerStateWire); }
inline WireStatus::Health ToWire(Health health) { return ToWire(health, kHealthWire); }
inline WireStatus::Reason ToWire(Reason reason) { return ToWire(reason, kReasonWire); }

// The engine value a wire value stands for; nullopt for UNSPECIFIED or a value this build does
// not know (a newer supd).
template <typename Enum, typename Wire, std::size_t N>
constexpr std::optional<Enum> FromWire(Wire wire, const WireRow<Enum, Wire> (&rows)[N]) {
  for (const WireRow<Enum, Wire>& row : rows)
    if (row.wire == wire) return row.value;
  return std::nullopt;
}

// The names people and scripts see for a wire value: "UNKNOWN" for a state or health this build
// does not know, "" for no reason.
inline std::string_view NameOf(WireStatus::State state) {
  const std::optional<WorkerState> value = FromWire(state, kWorkerStateWire);
  return value ? NameOf(*value, kWorkerStateNames) : "UNKNOWN";
}
inline std::string_view NameOf(WireStatus::Health health) {
  const std::optional<Health> value = FromWire(health, kHealthWire);
  return value ? NameOf(*value, kHealthNames) : "UNKNOWN";
}
inline std::string_view NameOf(WireStatus::Reason reason) {
  const std::optional<Reason> value = FromWire(reason, kReasonWire);
  return value ? NameOf(*value, kReasonNames) : "";
}

}  // namespace sup
