#include "daemon/control/status_wire.h"

#include <algorithm>
#include <cctype>

#include "common/worker_state_wire.h"

namespace sup::control {
namespace {

sup::v1::Event::Kind ToWire(engine::EventKind kind) {
  switch (kind) {
    case engine::EventKind::kTransition: return sup::v1::Event::TRANSITION;
    case engine::EventKind::kProbe: return sup::v1::Event::PROBE;
    case engine::EventKind::kConfig: return sup::v1::Event::CONFIG;
    case engine::EventKind::kOutput: return sup::v1::Event::OUTPUT;
    case engine::EventKind::kNotify: return sup::v1::Event::NOTIFY;
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
  WireStatus wire;
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
  wire.set_account(snapshot.account);
  wire.set_status_text(snapshot.status_text);
  return wire;
}

}  // namespace sup::control
