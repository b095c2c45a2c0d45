#include "daemon/control/status_wire.h"

#include <algorithm>
#include <cctype>

namespace sup::control {
namespace {

using Wire = sup::v1::WorkerStatus;

Wire::State ToWire(WorkerState state) {
  switch (state) {
    case WorkerState::kStopped: return Wire::STOPPED;
    case WorkerState::kStarting: return Wire::STARTING;
    case WorkerState::kRunning: return Wire::RUNNING;
    case WorkerState::kBackoff: return Wire::BACKOFF;
    case WorkerState::kStopping: return Wire::STOPPING;
    case WorkerState::kExited: return Wire::EXITED;
    case WorkerState::kFailed: return Wire::FAILED;
  }
  return Wire::STATE_UNSPECIFIED;
}

Wire::Health ToWire(Health health) {
  switch (health) {
    case Health::kUnknown: return Wire::UNKNOWN;
    case Health::kHealthy: return Wire::HEALTHY;
    case Health::kUnhealthy: return Wire::UNHEALTHY;
  }
  return Wire::HEALTH_UNSPECIFIED;
}

Wire::Reason ToWire(Reason reason) {
  switch (reason) {
    case Reason::kNone: return Wire::REASON_UNSPECIFIED;
    case Reason::kOperator: return Wire::OPERATOR;
    case Reason::kExited: return Wire::EXITED_ITSELF;
    case Reason::kKilled: return Wire::KILLED;
    case Reason::kSpawnError: return Wire::SPAWN_ERROR;
    case Reason::kStartTimeout: return Wire::START_TIMEOUT;
    case Reason::kLivenessFailed: return Wire::LIVENESS_FAILED;
    case Reason::kMemoryLimit: return Wire::MEMORY_LIMIT;
    case Reason::kConfigChanged: return Wire::CONFIG_CHANGED;
    case Reason::kConfigError: return Wire::CONFIG_ERROR;
    case Reason::kDependency: return Wire::DEPENDENCY;
    case Reason::kBreakerOpen: return Wire::BREAKER_OPEN;
    case Reason::kShutdown: return Wire::SHUTDOWN;
  }
  return Wire::REASON_UNSPECIFIED;
}

sup::v1::Event::Kind ToWire(engine::EventKind kind) {
  switch (kind) {
    case engine::EventKind::kTransition: return sup::v1::Event::TRANSITION;
    case engine::EventKind::kProbe: return sup::v1::Event::PROBE;
    case engine::EventKind::kConfig: return sup::v1::Event::CONFIG;
  }
  return sup::v1::Event::KIND_UNSPECIFIED;
}

}  // namespace

sup::v1::Event ToWireEvent(const engine::Event& event, const Clock& clock) {
  sup::v1::Event wire;
  const auto age =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - event.time);
  wire.set_time_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                            clock.WallNow().time_since_epoch() - age)
                            .count());
  wire.set_worker(event.worker);
  wire.set_kind(ToWire(event.kind));
  if (event.kind == engine::EventKind::kTransition) {
    wire.set_from(ToWire(event.from));
    wire.set_to(ToWire(event.to));
  }
  wire.set_reason(ToWire(event.reason));
  wire.set_pid(event.pid);
  if (event.exit_code) wire.set_exit_code(*event.exit_code);
  if (event.probe) {
    std::string probe(kProbeKindNames[static_cast<std::size_t>(*event.probe)]);
    std::transform(probe.begin(), probe.end(), probe.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    wire.set_probe(probe);
    wire.set_probe_success(event.probe_success);
    wire.set_count(event.count);
  }
  wire.set_message(event.message);
  return wire;
}

sup::v1::WorkerStatus ToWireStatus(const engine::WorkerSnapshot& snapshot) {
  Wire wire;
  wire.set_name(snapshot.name);
  wire.set_state(ToWire(snapshot.state));
  wire.set_reason(ToWire(snapshot.reason));
  wire.set_health(ToWire(snapshot.health));
  wire.set_ready(snapshot.ready);
  wire.set_pid(snapshot.pid);
  wire.set_uptime_ms(static_cast<std::uint64_t>(snapshot.uptime.count()));
  wire.set_restarts(snapshot.restarts);
  if (snapshot.last_exit_code) wire.set_last_exit_code(*snapshot.last_exit_code);
  if (snapshot.next_restart_in)
    wire.set_next_restart_ms(
        static_cast<std::uint64_t>(std::max<Millis::rep>(0, snapshot.next_restart_in->count())));
  wire.set_description(Describe(snapshot));
  wire.set_serving(engine::IsServing(snapshot));
  wire.set_done(snapshot.done);
  wire.set_launches(snapshot.launches);
  return wire;
}

}  // namespace sup::control
