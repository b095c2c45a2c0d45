#include "daemon/control/config_apply.h"

#include <utility>

namespace sup::control {

const char* TriggerName(ApplyTrigger trigger) {
  switch (trigger) {
    case ApplyTrigger::kRegistryChange: return "registry change";
    case ApplyTrigger::kReloadRequest: return "reload request";
    case ApplyTrigger::kUpdateRequest: return "update request";
  }
  return "reload";
}

void ReportConfigProblems(ConfigApplyHost& host, EventLogWriter* event_log,
                          const ValidatedConfig& config) {
  const auto report = [&](const std::string& what, const std::vector<ConfigError>& errors) {
    if (!event_log || errors.empty()) return;
    std::string all;
    for (const ConfigError& error : errors) all += (all.empty() ? "" : "; ") + error.ToString();
    event_log->Report(ConfigRejected(what, all));
  };
  for (const ConfigError& error : config.daemon_errors)
    host.Warn("config error (daemon values unchanged) error=\"" + error.ToString() + "\"");
  report("daemon values, left unchanged", config.daemon_errors);
  for (const auto& [worker, errors] : config.invalid_workers) {
    for (const ConfigError& error : errors)
      host.Warn("config error name=" + worker + " error=\"" + error.ToString() + "\"");
    report("the definition of worker " + worker, errors);
  }
}

ConfigApplier::ConfigApplier(engine::Supervisor& supervisor, config::ConfigSource& source,
                             ConfigApplyHost* host, EventLogWriter* event_log)
    : supervisor_(supervisor), source_(source), host_(host), event_log_(event_log) {}

Result<ValidatedConfig> ConfigApplier::Read(const std::vector<std::string>& names) {
  Result<ValidatedConfig> read = supervisor_.ReadConfig(source_);
  if (!read) return Error(ErrorKind::kUnavailable, read.error().message());
  if (names.empty()) return read;
  std::vector<std::string> unknown;
  ValidatedConfig restricted =
      config::RestrictTo(*read, supervisor_.DefinitionsInForce(), names, unknown);
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& name : unknown) list += (list.empty() ? "" : ", ") + name;
    return Error(ErrorKind::kNotFound, "no such worker, configured or running: " + list);
  }
  return restricted;
}

Result<ApplyOutcome> ConfigApplier::Preview(const std::vector<std::string>& names) {
  Result<ValidatedConfig> read = Read(names);
  if (!read) return read.error();
  config::ConfigDiff diff = config::DiffConfigs(supervisor_.DefinitionsInForce(), *read);
  return ApplyOutcome{std::move(*read), std::move(diff), false};
}

Result<ApplyOutcome> ConfigApplier::Apply(ApplyTrigger trigger,
                                          const std::vector<std::string>& names) {
  const std::string name = TriggerName(trigger);
  // One decision per apply: its lines are all told or none.
  std::uint64_t unlogged = 0;  // requests whose lines were held back before this one
  bool tell = host_ != nullptr;
  if (host_ && trigger != ApplyTrigger::kRegistryChange) {
    const std::optional<std::uint64_t> allowed = host_->AllowRequestLines();
    tell = allowed.has_value();
    unlogged = allowed.value_or(0);
  }
  Result<ValidatedConfig> read = Read(names);
  if (!read && read.error().kind() == ErrorKind::kNotFound) return read.error();  // a wrong name
  last_reload_successful_ = read.ok();
  if (host_) host_->CheckConfigKey();
  if (!read) {
    if (tell) {
      // A warning in the log; the event log's entry (an error) is CONFIG_REJECTED.
      host_->Warn("config reload failed trigger=\"" + name + "\" reason=\"" +
                  read.error().message() + "\"");
      if (event_log_)
        event_log_->Report(ConfigRejected("reload on " + name, read.error().message()));
    }
    return read.error();
  }
  // AutoReload is read from the change itself, so that turning it on or off takes effect at once.
  if (trigger == ApplyTrigger::kRegistryChange && !read->daemon.auto_reload) {
    if (tell) {
      host_->Info(
          "registry change not applied: AutoReload is 0; supctl update, sc control paramchange "
          "or control 128 applies it");
    }
    return ApplyOutcome{std::move(*read), {}, false};
  }
  if (tell) ReportConfigProblems(*host_, event_log_, *read);
  if (host_ && read->daemon_errors.empty()) host_->AdoptDaemonValues(read->daemon);
  config::ConfigDiff diff = supervisor_.ApplyConfig(*read);
  if (tell) {
    const std::uint64_t generation = supervisor_.config_generation();
    if (event_log_) {
      event_log_->Report(ConfigApplied(generation, diff.added.size(), diff.removed.size(),
                                       diff.launch_changed.size(), diff.policy_changed.size(),
                                       diff.invalid.size()));
    }
    std::string line = "config reloaded trigger=\"" + name +
                       "\" generation=" + std::to_string(generation) +
                       " added=" + std::to_string(diff.added.size()) +
                       " removed=" + std::to_string(diff.removed.size()) +
                       " restarted=" + std::to_string(diff.launch_changed.size()) +
                       " updated=" + std::to_string(diff.policy_changed.size()) +
                       " invalid=" + std::to_string(diff.invalid.size());
    if (unlogged) line += " (" + std::to_string(unlogged) + " more requests not logged)";
    host_->Info(line);
  }
  return ApplyOutcome{std::move(*read), std::move(diff), true};
}

}  // namespace sup::control
