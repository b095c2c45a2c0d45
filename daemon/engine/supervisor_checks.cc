// Supervisor: what the checks' reports mean for a worker: MemoryRestartMB's (MemoryWatch) and
// MemoryLimitMB's, and the probes' (ProbeScheduler): a restart through the stop ladder, a start
// confirmed, a worker ready or not.
#include "daemon/engine/supervisor.h"

#include "common/format.h"

namespace sup::engine {

// ---------------------------------------------------------------------------------------------
// Memory

bool Supervisor::MemoryChecksDiffer(const WorkerConfig& a, const WorkerConfig& b) {
  return a.policy.memory_restart_mb != b.policy.memory_restart_mb ||
         a.policy.memory_check_period != b.policy.memory_check_period;
}

void Supervisor::ArmMemoryCheck(Worker& w) {
  if (w.memory) w.memory->Cancel();
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  const PolicyConfig& policy = w.config->policy;
  if (policy.memory_restart_mb == 0) return;
  if (!w.memory) {
    // The callbacks may use `w`: the watch, and every check it scheduled, dies with it.
    w.memory = std::make_unique<MemoryWatch>(
        ports_.timers,
        [this, &w]() -> std::optional<std::uint64_t> {
          // While an intent waits for dependents to stop, the worker is about to go down: no
          // reading is taken, but the checks go on, for an intent can be called off (`start`
          // after `stop`).
          if (w.intent) return std::nullopt;
          return ports_.launcher.WorkingSetBytes(w.name);
        },
        [this, &w](std::uint64_t used) {
          RestartAsFailure(w, Reason::kMemoryLimit,
                           "working set " + FormatBytes(used) + " above MemoryRestartMB " +
                               std::to_string(w.config->policy.memory_restart_mb) + " at " +
                               std::to_string(MemoryWatch::kChecksInARow) + " checks in a row");
          Settle();
        });
  }
  w.memory->Begin(policy.memory_restart_mb, policy.memory_check_period);
}

void Supervisor::OnMemoryLimit(const std::string& name, std::uint32_t pid) {
  Worker* found = Find(name);
  if (!found || !found->process || found->process->pid != pid) return;  // stale: an earlier process
  Worker& w = *found;
  if (w.state == WorkerState::kStopping || w.intent) return;  // on its way down already
  RestartAsFailure(
      w, Reason::kMemoryLimit,
      "its job reached MemoryLimitMB " + std::to_string(w.config->launch.memory_limit_mb));
  Settle();
}

// Through the stop ladder, so the worker may still shut down cleanly; its exit is then a failure
// like a failed liveness probe's, restarted by its policy (backoff, breaker).
void Supervisor::RestartAsFailure(Worker& w, Reason reason, std::string why) {
  w.process->killed_for = reason;
  BeginStop(w, reason, std::move(why));
}

// ---------------------------------------------------------------------------------------------
// Probes

void Supervisor::RestartProbes(Worker& w) {
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  // A start still going on elsewhere has nothing to probe yet: it is watched when it ends
  // (OnLaunched), by the policy in force then.
  if (w.process && w.process->launching) return;
  CancelTimers(w);
  w.readiness_passed = false;
  w.health = Health::kUnknown;
  const bool starting = w.state == WorkerState::kStarting;
  StartProbes(w, /*at_launch=*/starting);
  ArmMemoryCheck(w);
  // A start under way is confirmed the new way; a running worker is watched the new way.
  if (starting) {
    ArmStartConfirmation(w);
  } else {
    ArmWatchdog(w);
  }
}

void Supervisor::StartProbes(Worker& w, bool at_launch) {
  if (!w.probes) {
    // The callback may use `w`: the scheduler, and with it every callback it issued, dies with it.
    w.probes = std::make_unique<ProbeScheduler>(ports_.timers, ports_.prober, w.name,
                                                [this, &w](const ProbeScheduler::Outcome& outcome) {
                                                  OnProbeOutcome(w, outcome);
                                                  Settle();
                                                });
  }
  w.probes->Begin(w.config->policy.probes, at_launch);
}

void Supervisor::OnProbeOutcome(Worker& w, const ProbeScheduler::Outcome& outcome) {
  if (w.state != WorkerState::kStarting && w.state != WorkerState::kRunning) return;
  if (outcome.news) RecordProbeEvent(w, outcome);
  const bool passes = outcome.verdict == ProbeScheduler::Verdict::kPassed;
  const bool fails = outcome.verdict == ProbeScheduler::Verdict::kFailed;
  switch (outcome.kind) {
    case ProbeKind::kStartup:
      if (passes) ConfirmStart(w);
      if (fails) KillFor(w, Reason::kStartTimeout);
      return;
    case ProbeKind::kLiveness:
      if (passes && w.health != Health::kHealthy) {
        if (w.health == Health::kUnhealthy) w.process->stable_since = ports_.clock.SteadyNow();
        w.health = Health::kHealthy;
      } else if (fails) {
        w.health = Health::kUnhealthy;
        KillFor(w, Reason::kLivenessFailed);
      }
      return;
    case ProbeKind::kReadiness:
      if (passes && !w.readiness_passed) {
        w.readiness_passed = true;
        // A passing readiness probe confirms the start early.
        if (w.state == WorkerState::kStarting &&
            !w.config->policy.probes.contains(ProbeKind::kStartup))
          ConfirmStart(w);
      } else if (fails) {
        w.readiness_passed = false;
      }
      return;
  }
}

// A probe result is an event when it fails or when the probe's result changes; consecutive
// failures fold into one event with a count, kept apart from the transitions.
void Supervisor::RecordProbeEvent(Worker& w, const ProbeScheduler::Outcome& outcome) {
  Event event = NewEvent(w, EventKind::kProbe);
  event.probe = outcome.kind;
  event.probe_success = outcome.result.success;
  event.message = outcome.result.message;
  if (w.probe_events.PushOrFoldProbeFailure(event)) ports_.events.Emit(event);
}

}  // namespace sup::engine
