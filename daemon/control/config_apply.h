// The one way a configuration is applied, whoever asked for it: a change of the registry key, a
// reload request (`sc control supd paramchange`, control 128) or `supctl update`. Each reads the
// configuration as the engine would apply it, reports its errors (log and event log), hands the
// daemon the values it keeps itself (the operators group, the key's writers), applies the rest
// and says what changed, so an update and a reload cannot drift apart. `supctl reread` previews
// the same reading without applying it. Portable; runs on the io thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config_model.h"
#include "common/config/config_diff.h"
#include "common/config/config_store.h"
#include "common/result.h"
#include "daemon/control/event_log_entry.h"
#include "daemon/engine/supervisor.h"

namespace sup::control {

enum class ApplyTrigger { kRegistryChange, kReloadRequest, kUpdateRequest };

// "registry change", "reload request", "update request": as the log lines name them.
const char* TriggerName(ApplyTrigger trigger);

// The daemon's side of applying a configuration: where its lines go and the values only it holds.
class ConfigApplyHost {
 public:
  virtual ~ConfigApplyHost() = default;
  // Whether a request's lines may be written now: anyone with the right may ask as often as they
  // like, so their lines are limited (the apply itself happens each time). nullopt: stay quiet;
  // otherwise how many requests went unlogged before this one. A registry change is always told.
  virtual std::optional<std::uint64_t> AllowRequestLines() = 0;
  virtual void Warn(const std::string& line) = 0;
  virtual void Info(const std::string& line) = 0;
  // Before the engine applies the rest: the daemon values supd keeps outside the engine (the
  // operators group, the configuration key's writers). `daemon` is valid (no daemon errors).
  virtual void AdoptDaemonValues(const DaemonConfig& daemon) = 0;
  // Checked at every reading, valid or not (a key opened to others is worth saying either way).
  virtual void CheckConfigKey() = 0;
};

// What a reading came to: the configuration read (its errors for the reply) and the changes
// made (Apply) or that applying it would make (Preview).
struct ApplyOutcome {
  ValidatedConfig read;
  config::ConfigDiff diff;
  bool applied = false;  // false for a preview, and for a registry change while AutoReload is 0
};

// Each error of `config` in the host's log and, one entry per rejected part, the event log.
void ReportConfigProblems(ConfigApplyHost& host, EventLogWriter* event_log,
                          const ValidatedConfig& config);

class ConfigApplier {
 public:
  // `host` and `event_log` may be null (tests of the control plane alone): nothing is told and
  // the daemon's own values are left alone. Each must outlive the applier.
  ConfigApplier(engine::Supervisor& supervisor, config::ConfigSource& source,
                ConfigApplyHost* host = nullptr, EventLogWriter* event_log = nullptr);

  // Reads the configuration and applies it to `names` (empty: every worker; the daemon values
  // always). A name neither configured nor running is kNotFound and nothing is applied; a
  // configuration that cannot be read is kUnavailable. A registry change is read but not applied
  // while the configuration's AutoReload is 0.
  Result<ApplyOutcome> Apply(ApplyTrigger trigger, const std::vector<std::string>& names = {});
  // What Apply(names) would change now; nothing is applied or told.
  Result<ApplyOutcome> Preview(const std::vector<std::string>& names = {});

  // Whether the newest Apply could read the configuration (sup_config_last_reload_successful).
  bool last_reload_successful() const { return last_reload_successful_; }

 private:
  // The configuration restricted to `names`, or kNotFound naming the unknown ones.
  Result<ValidatedConfig> Read(const std::vector<std::string>& names);

  engine::Supervisor& supervisor_;
  config::ConfigSource& source_;
  ConfigApplyHost* host_;
  EventLogWriter* event_log_;
  bool last_reload_successful_ = true;
};

}  // namespace sup::control
