// Supervisor: what a worker says through its notify pipe (common/notify_protocol.h). READY=1 is
// the start of a Notify=1 worker; WATCHDOG=1 keeps a worker with WatchdogMs from being restarted;
// STOPPING=1 says it is shutting down; STATUS= is shown as it is.
#include "daemon/engine/supervisor.h"

#include "common/format.h"

namespace sup::engine {

void Supervisor::OnNotify(const std::string& name, std::uint32_t pid, NotifyMessage message) {
  Worker* found = Find(name);
  if (!found || !found->process || found->process->pid != pid) return;  // stale: an earlier process
  Worker& w = *found;
  Process& process = *w.process;
  switch (message.kind) {
    case NotifyKind::kStatus: process.status_text = std::move(message.status); return;
    case NotifyKind::kReady:
      if (process.said_ready) return;
      process.said_ready = true;
      // Also while an intent waits for dependents to stop, as StartSeconds would confirm it.
      if (w.state == WorkerState::kStarting && w.config->policy.notify &&
          process.start_checks_passed) {
        ConfirmStart(w);
      }
      break;
    case NotifyKind::kWatchdog:
      if (w.state == WorkerState::kRunning) ArmWatchdog(w);
      return;
    case NotifyKind::kStopping:
      if (process.said_stopping) return;
      process.said_stopping = true;
      w.watchdog_timer.Cancel(ports_.timers);
      RecordNotify(w, "the worker said STOPPING=1: its watchdog is no longer expected");
      break;
  }
  Settle();
}

void Supervisor::RecordNotify(Worker& w, std::string message) {
  Event event = NewEvent(w, EventKind::kNotify);
  event.message = std::move(message);
  Record(w, std::move(event));
}

void Supervisor::OnReadyTimeElapsed(Worker& w) {
  if (w.state != WorkerState::kStarting) return;
  // An intent waiting for dependents to stop takes it down soon, but may be called off: the
  // wait for READY=1 is timed again.
  if (w.intent)
    return ArmStateTimer(w, w.config->policy.start_timeout, &Supervisor::OnReadyTimeElapsed);
  // Through the stop ladder, as a hung start may still shut down cleanly; its exit is a failed
  // start.
  RestartAsFailure(
      w, Reason::kStartTimeout,
      "no READY=1 within StartTimeoutMs " + FormatDelay(w.config->policy.start_timeout));
}

void Supervisor::ArmWatchdog(Worker& w) {
  w.watchdog_timer.Cancel(ports_.timers);
  const Millis period = w.config->policy.watchdog;
  if (w.state != WorkerState::kRunning || period.count() == 0 || w.process->said_stopping) return;
  // The guard inside watchdog_timer dies with the worker, so `w` is alive whenever this runs.
  w.watchdog_timer.Arm(ports_.timers, period, [this, &w] {
    OnWatchdogElapsed(w);
    Settle();
  });
}

void Supervisor::OnWatchdogElapsed(Worker& w) {
  // While an intent waits for dependents to stop, the worker is about to go down, but the intent
  // may be called off (`start` after `stop`): the watch goes on.
  if (w.intent) return ArmWatchdog(w);
  RestartAsFailure(w, Reason::kWatchdog,
                   "no WATCHDOG=1 within WatchdogMs " + FormatDelay(w.config->policy.watchdog));
}

}  // namespace sup::engine
