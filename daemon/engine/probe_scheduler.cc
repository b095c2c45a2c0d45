#include "daemon/engine/probe_scheduler.h"

namespace sup::engine {

void ProbeScheduler::Begin(const std::map<ProbeKind, ProbeConfig>& probes, bool at_launch) {
  Cancel();
  slots_.clear();
  const bool has_startup = probes.contains(ProbeKind::kStartup);
  for (const auto& [kind, config] : probes) {
    const bool startup = kind == ProbeKind::kStartup;
    // With a startup probe, liveness and readiness wait until it passes.
    const bool now = at_launch ? (startup || !has_startup) : !startup;
    if (!now) continue;
    slots_[kind].config = config;
    Schedule(kind, config.initial_delay);
  }
}

void ProbeScheduler::Cancel() {
  for (auto& [kind, slot] : slots_) {
    slot.timer.Cancel(timers_);
    slot.run.Reset();
  }
}

bool ProbeScheduler::Active(ProbeKind kind) const {
  const auto slot = slots_.find(kind);
  return slot != slots_.end() && (slot->second.timer.armed() || slot->second.run.pending());
}

void ProbeScheduler::Schedule(ProbeKind kind, Millis delay) {
  slots_.at(kind).timer.Arm(timers_, delay, [this, kind] { Run(kind); });
}

void ProbeScheduler::Run(ProbeKind kind) {
  Slot& slot = slots_.at(kind);
  prober_.Run(worker_, slot.config,
              slot.run.Wrap(std::function<void(ProbeResult)>(
                  [this, kind](ProbeResult result) { Count(kind, result); })));
}

void ProbeScheduler::Count(ProbeKind kind, const ProbeResult& result) {
  Slot& slot = slots_.at(kind);
  if (result.success) {
    ++slot.successes;
    slot.failures = 0;
  } else {
    ++slot.failures;
    slot.successes = 0;
  }
  Outcome outcome{kind, result, Verdict::kNone, !result.success || slot.last_success != true};
  slot.last_success = result.success;
  if (result.success && slot.successes >= slot.config.success_threshold)
    outcome.verdict = Verdict::kPassed;
  if (!result.success && slot.failures >= slot.config.failure_threshold)
    outcome.verdict = Verdict::kFailed;
  const bool settled = (kind == ProbeKind::kStartup && outcome.verdict != Verdict::kNone) ||
                       (kind == ProbeKind::kLiveness && outcome.verdict == Verdict::kFailed);
  if (!settled)
    Schedule(kind, slot.config.period);  // before the callback, which may Begin or Cancel
  on_outcome_(outcome);                  // may Begin or Cancel: nothing of `slot` after it
}

}  // namespace sup::engine
