// The ports of the supervision engine: everything it needs from the outside world, as roles.
// Windows adapters implement them in daemon/win/; tests use ~30-line fakes. Every callback a port
// makes into the engine runs on the engine's executor (the io thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/config/config_model.h"
#include "daemon/engine/event.h"
#include "common/fanout.h"
#include "common/notify_protocol.h"
#include "common/config/config_store.h"

namespace sup::engine {

// One-shot timers on the engine's executor.
class Timers {
 public:
  using Id = std::uint64_t;
  virtual ~Timers() = default;
  // Calls `callback` after `delay` unless cancelled first. Never returns 0.
  virtual Id Schedule(Millis delay, std::function<void()> callback) = 0;
  // Forgets a pending timer: its callback never runs after this, even if the timer has expired
  // meanwhile. Unknown and already fired ids are ignored.
  virtual void Cancel(Id id) = 0;
};

// What ProcessLauncher::Launch says of a start that did not fail at once: the process's pid, or
// kLaunching when the start goes on elsewhere and its outcome comes through
// LauncherEvents::OnLaunched.
using LaunchStarted = std::optional<std::uint32_t>;
inline constexpr LaunchStarted kLaunching = std::nullopt;

// What a launcher reports about the processes it started: the one way up from it to the engine
// (Supervisor implements it; the Windows launcher is handed it once). Every call comes on the
// engine's executor, never from inside a ProcessLauncher call, and names the process it is about,
// so a report about a process that is gone already (a stale one) can be told apart and ignored.
class LauncherEvents {
 public:
  // The start of `worker` that went on elsewhere (kLaunching) ended with the process `pid`, or
  // failed.
  virtual void OnLaunched(const std::string& worker, Result<std::uint32_t> pid) = 0;
  // The process `pid` of `worker` exited with `exit_code`.
  virtual void OnExit(const std::string& worker, std::uint32_t pid, std::int64_t exit_code) = 0;
  // The job of `worker`'s process `pid` reached its MemoryLimitMB.
  virtual void OnMemoryLimit(const std::string& worker, std::uint32_t pid) = 0;
  // The stop step `step` could not be delivered to `worker`'s process `pid` (a Ctrl+C to a
  // process whose console cannot be attached).
  virtual void OnStopStepUndelivered(const std::string& worker, std::uint32_t pid,
                                     StopStep step) = 0;
  // Writing or rotating one of `worker`'s log files started failing (`message` says how), or
  // works again (`healed`).
  virtual void OnOutputProblem(const std::string& worker, std::string message, bool healed) = 0;
  // A process in the job of `worker`'s process `pid` wrote `message` to that process's notify
  // pipe (SUP_NOTIFY_PIPE). Messages from outside the job never come here.
  virtual void OnNotify(const std::string& worker, std::uint32_t pid, NotifyMessage message) = 0;

 protected:
  ~LauncherEvents() = default;
};

// Starts and stops worker processes (on Windows: one job object per worker). Exits and the
// outcomes of starts that went on elsewhere come back through LauncherEvents.
class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Starts the worker's process: its pid, or why it could not start, or kLaunching when the start
  // goes on elsewhere (on Windows a thread of its own: opening the program's image may wait on a
  // file another program holds, and the io thread must not). While a start goes on, RequestStop
  // and Kill for the worker change nothing: the engine repeats the stop step once it has the pid.
  virtual Result<LaunchStarted> Launch(const std::string& worker, const LaunchConfig& launch) = 0;
  // One soft step of the stop ladder (event, ctrl-c, close); the worker may or may not exit.
  virtual void RequestStop(const std::string& worker, StopStep step) = 0;
  // Terminates the worker's whole process tree.
  virtual void Kill(const std::string& worker) = 0;
  // The worker left the configuration and its process is gone: what was kept for it across its
  // launches (its output capture) can go.
  virtual void Forget(const std::string& worker) = 0;
  // The working set of the worker's whole process tree now, in bytes, for MemoryRestartMB;
  // nullopt when it has no process or the figure cannot be read. Asked only for workers with a
  // threshold, every MemoryCheckMs.
  virtual std::optional<std::uint64_t> WorkingSetBytes(const std::string& worker) = 0;
};

struct ProbeResult {
  bool success = false;
  std::string
      message;  // why it failed ("connection refused", "HTTP 503", "timed out after 1000 ms")
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Runs one probe; calls `done` exactly once, within about probe.timeout.
  virtual void Run(const std::string& worker, const ProbeConfig& probe,
                   std::function<void(ProbeResult)> done) = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(const Event& event) = 0;
};

// Randomness for backoff jitter.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double NextUnit() = 0;  // uniform in [0, 1)
};

}  // namespace sup::engine
