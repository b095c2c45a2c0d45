#include "daemon/control/event_log_entry.h"

#include "common/format.h"

namespace sup::control {
namespace {

std::string ExitCodeText(const engine::Event& event) {
  return event.exit_code ? FormatExitCode(*event.exit_code) : "none";
}

std::string ReasonText(Reason reason) { return std::string(NameOf(reason, kReasonNames)); }

std::optional<EventLogEntry> TransitionEntry(const engine::Event& event) {
  const std::string& worker = event.worker;
  switch (event.to) {
    case WorkerState::kRunning:
      return EventLogEntry{event_ids::kWorkerRunning, {worker, std::to_string(event.pid)}};
    case WorkerState::kFailed:
      return EventLogEntry{event_ids::kBreakerOpen, {worker, event.message}};
    case WorkerState::kBackoff:
      if (event.reason == Reason::kSpawnError)
        return EventLogEntry{event_ids::kWorkerSpawnFailed, {worker, event.message}};
      return EventLogEntry{event_ids::kWorkerEnded,
                           {worker, ReasonText(event.reason), ExitCodeText(event), event.message}};
    case WorkerState::kExited:
      // Ended for good as its policy says: a crash if it failed, the end of a run otherwise.
      if (event.exit_code.value_or(0) != 0) {
        return EventLogEntry{
            event_ids::kWorkerEnded,
            {worker, ReasonText(event.reason), ExitCodeText(event), "not restarted"}};
      }
      return EventLogEntry{event_ids::kWorkerStopped, {worker, "ended (exit code 0)"}};
    case WorkerState::kStopping:
      if (event.reason == Reason::kMemoryLimit)
        return EventLogEntry{event_ids::kWorkerMemory, {worker, event.message}};
      if (event.reason == Reason::kWatchdog)
        return EventLogEntry{event_ids::kWorkerWatchdog, {worker, event.message}};
      return std::nullopt;
    case WorkerState::kStopped:
      // (A definition rejected is the daemon's entry, made where the configuration is read.)
      if (event.from == WorkerState::kStopped || event.reason == Reason::kConfigError)
        return std::nullopt;
      return EventLogEntry{event_ids::kWorkerStopped, {worker, ReasonText(event.reason)}};
    case WorkerState::kStarting: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<EventLogEntry> EventLogEntryFor(const engine::Event& event) {
  switch (event.kind) {
    case engine::EventKind::kTransition: return TransitionEntry(event);
    case engine::EventKind::kProbe:
      if (event.probe_success) return std::nullopt;
      return EventLogEntry{
          event_ids::kProbeFailed,
          {event.worker, std::string(NameOf(*event.probe, kProbeKindNames)), event.message}};
    case engine::EventKind::kOutput:
      return EventLogEntry{
          event.healed ? event_ids::kWorkerOutputHealed : event_ids::kWorkerOutputFailed,
          {event.worker, event.message}};
    case engine::EventKind::kConfig:
    case engine::EventKind::kNotify: return std::nullopt;
  }
  return std::nullopt;
}

EventLogEntry SupdStarted(const std::string& version, std::uint32_t pid,
                          const std::string& config_key, std::size_t workers) {
  return {event_ids::kSupdStarted,
          {version, std::to_string(pid), config_key, std::to_string(workers)}};
}

EventLogEntry SupdStopped() { return {event_ids::kSupdStopped, {}}; }

EventLogEntry ConfigApplied(std::uint64_t generation, std::size_t added, std::size_t removed,
                            std::size_t restarted, std::size_t updated, std::size_t invalid) {
  return {event_ids::kConfigApplied,
          {std::to_string(generation), std::to_string(added), std::to_string(removed),
           std::to_string(restarted), std::to_string(updated), std::to_string(invalid)}};
}

EventLogEntry ConfigRejected(const std::string& what, const std::string& reason) {
  return {event_ids::kConfigRejected, {what, reason}};
}

EventLogEntry ConfigKeyWritable(const std::string& key, const std::string& writers) {
  return {event_ids::kConfigKeyWritable, {key, writers}};
}

EventLogEntry RequestAudited(const AuditRecord& record) {
  std::string workers;
  for (const std::string& worker : record.workers)
    workers += (workers.empty() ? "" : ", ") + worker;
  return {event_ids::kRequestAudited,
          {record.account.empty() ? "an unknown account" : record.account, record.role, record.verb,
           workers, record.result}};
}

EventLogEntry PipeNameTaken(const std::string& pipe, const std::string& why) {
  return {event_ids::kPipeNameTaken, {pipe, why}};
}

EventLogEntry SupdError(const std::string& line) { return {event_ids::kSupdError, {line}}; }

EventLogEntry SupervisionUnanswered(std::uint64_t silent_seconds, std::uint64_t limit_ms,
                                    const std::string& then) {
  return {event_ids::kSupervisionUnanswered,
          {std::to_string(silent_seconds), std::to_string(limit_ms), then}};
}

}  // namespace sup::control
