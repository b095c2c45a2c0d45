// Where the configuration lives, as roles: supd reads it (ConfigSource) and keeps operator
// intent beside it (StateStore); supctl edits it (ConfigStore). The registry implements all three
// (common/config/win); tests use in-memory fakes.
#pragma once

#include <set>
#include <string>

#include "common/config/raw_config.h"
#include "common/result.h"

namespace sup::config {

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

// The configuration as supctl edits it: read whole, written one value at a time.
class ConfigStore {
 public:
  virtual ~ConfigStore() = default;
  virtual Result<RawConfig> Read() = 0;
  // `key` is a worker value ("StopTimeoutMs") or a probe value ("Probes\Liveness\PeriodMs").
  virtual Result<void> SetWorkerValue(const std::string& worker, const std::string& key,
                                      const RawValue& value) = 0;
  virtual Result<void> DeleteWorkerValue(const std::string& worker, const std::string& key) = 0;
  virtual Result<void> DeleteWorker(const std::string& worker) = 0;
  virtual Result<void> SetDaemonValue(const std::string& key, const RawValue& value) = 0;
  // Removes every daemon value and every worker; operator state (State\...) stays.
  virtual Result<void> Clear() = 0;
};

}  // namespace sup::config
