// The ports of the supervision engine: everything it needs from the outside world, as roles.
// Windows adapters implement them in daemon/win/; tests use ~30-line fakes. Every callback a port
// makes into the engine runs on the engine's executor (the io thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "daemon/core/config_model.h"
#include "daemon/core/event.h"
#include "daemon/core/fanout.h"
#include "daemon/core/raw_config.h"

namespace sup::core {

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

// Starts and stops worker processes (on Windows: one job object per worker). Exits are reported
// through Supervisor::OnExit, never from inside these calls.
class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Starts the worker's process; its pid, or why it could not start.
  virtual Result<std::uint32_t> Launch(const std::string& worker, const LaunchConfig& launch) = 0;
  // One soft step of the stop ladder (event, ctrl-c, close); the worker may or may not exit.
  virtual void RequestStop(const std::string& worker, StopStep step) = 0;
  // Terminates the worker's whole process tree.
  virtual void Kill(const std::string& worker) = 0;
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

class ConfigSource {
 public:
  virtual ~ConfigSource() = default;
  virtual Result<RawConfig> Read() = 0;
};

// Operator intent that outlives supd: which workers an operator stopped.
class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::set<std::string> LoadStoppedByOperator() = 0;
  // Written where a configuration reload does not see it. A failure is reported to the operator.
  virtual Result<void> SetStoppedByOperator(const std::string& worker, bool stopped) = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(const Event& event) = 0;
};

enum class OutputStream { kStdout, kStderr };

// Workers' captured output, for Describe and Logs. Not an engine port: the control plane's.
class OutputSource {
 public:
  virtual ~OutputSource() = default;
  // The last `lines` lines kept in memory, oldest first; an error naming why there are none (no
  // such worker, or that stream is not captured).
  virtual Result<std::vector<std::string>> Tail(const std::string& worker, OutputStream stream,
                                                std::size_t lines) const = 0;
  // Every line from now on, as it is written: the lines of each chunk read, together.
  virtual Result<Subscription> Follow(
      const std::string& worker, OutputStream stream,
      std::function<void(const std::vector<std::string>&)> on_lines) = 0;
};

// Randomness for backoff jitter.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double NextUnit() = 0;  // uniform in [0, 1)
};

}  // namespace sup::core
