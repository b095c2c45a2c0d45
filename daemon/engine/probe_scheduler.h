// One worker process's probes (Kubernetes semantics): the startup probe first, then liveness and
// readiness, each run every PeriodMs after its InitialDelayMs and counted against its thresholds.
// It says what each result means; what to do about it (confirm the start, kill, flip ready) is
// the Supervisor's. It owns its timers and runs: Cancel, Begin again, or destroying it calls
// every pending one off.
//
// Threading: the engine's executor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/config/config_model.h"
#include "daemon/engine/guarded_timer.h"
#include "daemon/engine/ports.h"

namespace sup::engine {

class ProbeScheduler {
 public:
  // A threshold crossed by the result just counted.
  enum class Verdict { kNone, kPassed, kFailed };
  struct Outcome {
    ProbeKind kind = ProbeKind::kLiveness;
    ProbeResult result;
    Verdict verdict = Verdict::kNone;
    bool news = false;  // a failure, or a result unlike the previous one of this probe: an event
  };
  // Every result, counted. After a startup verdict, or a liveness failure, the probe is not run
  // again: the Supervisor decides what comes next (Begin after the start, or a kill).
  using OnOutcome = std::function<void(const Outcome&)>;

  ProbeScheduler(Timers& timers, Prober& prober, std::string worker, OnOutcome on_outcome)
      : timers_(timers),
        prober_(prober),
        worker_(std::move(worker)),
        on_outcome_(std::move(on_outcome)) {}
  ~ProbeScheduler() { Cancel(); }
  ProbeScheduler(const ProbeScheduler&) = delete;
  ProbeScheduler& operator=(const ProbeScheduler&) = delete;

  // Begins probing with `probes`, counts cleared: at a launch, the startup probe (without one,
  // liveness and readiness); after the startup probe passed, liveness and readiness.
  void Begin(const std::map<ProbeKind, ProbeConfig>& probes, bool at_launch);
  // Calls every pending timer and run off.
  void Cancel();
  // A run of `kind` is scheduled or under way.
  bool Active(ProbeKind kind) const;

 private:
  struct Slot {
    ProbeConfig config;
    std::uint32_t successes = 0;  // consecutive
    std::uint32_t failures = 0;
    std::optional<bool> last_success;
    GuardedTimer timer;
    CallbackGuard run;
  };

  void Schedule(ProbeKind kind, Millis delay);
  void Run(ProbeKind kind);
  void Count(ProbeKind kind, const ProbeResult& result);

  Timers& timers_;
  Prober& prober_;
  std::string worker_;
  OnOutcome on_outcome_;
  std::map<ProbeKind, Slot> slots_;
};

}  // namespace sup::engine
