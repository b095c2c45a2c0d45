#include "common/config/validate.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/command_line.h"
#include "common/config/dependency_graph.h"
#include "common/config/probe_target.h"
#include "common/config/value_parse.h"
#include "common/format.h"
#include "common/pipe_names.h"

namespace sup::config {
namespace {

// Collects the errors of one key (the daemon, a worker, a probe) with the key's path.
class ErrorList {
 public:
  explicit ErrorList(std::vector<ConfigError>& errors, std::string key)
      : errors_(errors), key_(std::move(key)) {}
  void Add(std::string value, std::string expected, std::string found) {
    errors_.push_back({key_, std::move(value), std::move(expected), std::move(found)});
  }
  const std::string& key() const { return key_; }

 private:
  std::vector<ConfigError>& errors_;
  std::string key_;
};

using Settings = std::vector<std::pair<std::string, std::string>>;

// Applies the defaults of `schema`, then every value of `raw`, to `target`; unknown and invalid
// values and missing required ones go to `errors`. Each value applied is also added to
// `settings`, if given, under `prefix` + its name.
template <typename Target>
void ApplyValues(std::span<const SchemaValue<Target>> schema, const RawValues& raw, Target& target,
                 ErrorList& errors, Settings* settings = nullptr, const std::string& prefix = {}) {
  const auto apply = [&](const SchemaValue<Target>& row, const ParsedValue& parsed) {
    row.apply(target, parsed);
    if (settings)
      settings->emplace_back(prefix + std::string(row.name),
                             FormatParsedValue(row.kind, row.choices, parsed));
  };
  for (const SchemaValue<Target>& row : schema) {
    const auto found = raw.find(row.name);
    if (found == raw.end()) {
      if (row.required) {
        errors.Add(std::string(row.name), "a value (required): " + std::string(row.description),
                   "nothing");
      } else if (Result<ParsedValue> parsed = ParseDefault(row); parsed) {
        apply(row, *parsed);
      }
      continue;
    }
    Result<ParsedValue> parsed =
        ParseRawValue(row.kind, row.min, row.max, row.choices, found->second);
    if (!parsed) {
      errors.Add(std::string(row.name), parsed.error().message(), DescribeRawValue(found->second));
      continue;
    }
    apply(row, *parsed);
  }
  for (const auto& entry : raw) {
    const std::string& name =
        entry.first;  // not a structured binding: clang 14 cannot capture those
    const bool known = std::any_of(
        schema.begin(), schema.end(),
        [&name](const SchemaValue<Target>& row) { return EqualsIgnoringCase(row.name, name); });
    if (!known) {
      std::string names;
      for (const SchemaValue<Target>& row : schema)
        names += (names.empty() ? "" : ", ") + std::string(row.name);
      errors.Add(name, "one of the known values: " + names,
                 "an unknown value " + DescribeRawValue(entry.second));
    }
  }
}

std::string ExpectedTarget(ProbeType type) {
  switch (type) {
    case ProbeType::kTcp: return "host:port for Type=tcp";
    case ProbeType::kHttp: return "an http://host[:port][/path] URL for Type=http";
    case ProbeType::kPipe: return "a pipe name (\\\\.\\pipe\\<name>) for Type=pipe";
    case ProbeType::kExec:
      return "a command line for Type=exec, its program quoted when its path has a space";
  }
  return "a target";
}

// What is wrong with a probe's target for its type, or nullopt.
std::optional<std::string> ProbeTargetProblem(const ProbeConfig& probe) {
  const auto problem = [](const Error& error) {
    return std::optional<std::string>(error.message());
  };
  switch (probe.type) {
    case ProbeType::kTcp:
      if (Result<HostPort> parsed = ParseHostPort(probe.target); !parsed)
        return problem(parsed.error());
      return std::nullopt;
    case ProbeType::kHttp:
      if (Result<HttpTarget> parsed = ParseHttpTarget(probe.target); !parsed)
        return problem(parsed.error());
      return std::nullopt;
    case ProbeType::kPipe: return PipeNameProblem(probe.target);
    case ProbeType::kExec:
      if (QuoteAmbiguousProgram(probe.target))
        return "\"" + probe.target + "\", an unquoted path with a space";
      return std::nullopt;
  }
  return std::nullopt;
}

void CheckPipeNames(const DaemonConfig& daemon, ErrorList& errors) {
  for (const auto& [value, name] :
       {std::pair{"ControlPipe", &daemon.control_pipe}, {"HealthPipe", &daemon.health_pipe}}) {
    if (std::optional<std::string> problem = PipeNameProblem(*name, kMaxServedPipeNameChars))
      errors.Add(value, "a pipe name", *problem);
  }
  if (EqualsIgnoringCase(daemon.control_pipe, daemon.health_pipe)) {
    errors.Add("HealthPipe", "a pipe name other than ControlPipe's",
               "\"" + daemon.health_pipe + "\" for both");
  }
}

// Two workers writing one log file would interleave and rotate each other's output: both are
// refused, each naming the other.
void RejectSharedLogFiles(std::map<std::string, WorkerConfig>& workers,
                          std::map<std::string, std::vector<ConfigError>>& invalid) {
  // Per file (as Windows compares paths, ignoring case): the workers writing it, the value
  // naming it, and the path as that value spells it. A worker's stdout and stderr may share one.
  struct Writer {
    std::string worker, value, path;
  };
  std::map<std::string, std::vector<Writer>, CaseInsensitiveLess> writers;
  for (const auto& [name, worker] : workers) {
    if (!worker.launch.stdout_log.empty())
      writers[worker.launch.stdout_log].push_back({name, "StdoutLog", worker.launch.stdout_log});
    if (!worker.launch.stderr_log.empty() &&
        !EqualsIgnoringCase(worker.launch.stderr_log, worker.launch.stdout_log)) {
      writers[worker.launch.stderr_log].push_back({name, "StderrLog", worker.launch.stderr_log});
    }
  }
  for (const auto& [file, users] : writers) {
    if (users.size() < 2) continue;
    for (const Writer& user : users) {
      std::vector<std::string> others;
      for (const Writer& other : users) {
        if (other.worker != user.worker) others.push_back(other.worker);
      }
      invalid[user.worker].push_back(
          {"Workers\\" + user.worker, user.value, "a log file no other worker writes",
           "\"" + user.path + "\", written by " + JoinNames(others) + " too"});
    }
  }
  for (const auto& [name, errors] : invalid) workers.erase(name);
}

// Checks that involve more than one value of a worker.
void CheckWorker(const WorkerConfig& worker, ErrorList& errors) {
  const PolicyConfig& policy = worker.policy;
  if (policy.backoff_max < policy.backoff_initial) {
    errors.Add("BackoffMaxMs",
               "at least BackoffInitialMs (" + std::to_string(policy.backoff_initial.count()) + ")",
               std::to_string(policy.backoff_max.count()));
  }
  for (const std::string& entry : worker.launch.environment) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      errors.Add("Environment", "KEY=VALUE entries with a non-empty KEY", "\"" + entry + "\"");
    }
  }
  std::set<std::string, CaseInsensitiveLess> seen;
  for (const std::string& dependency : policy.depends_on) {
    if (!IsValidWorkerName(dependency)) {
      errors.Add("DependsOn", "worker names ([A-Za-z0-9._-], 1 to 64 characters)",
                 "\"" + dependency + "\"");
    } else if (EqualsIgnoringCase(dependency, worker.name)) {
      errors.Add("DependsOn", "other workers' names", "the worker itself");
    } else if (!seen.insert(dependency).second) {
      errors.Add("DependsOn", "each worker at most once", "\"" + dependency + "\" twice");
    }
  }
  const auto terminate =
      std::find(policy.stop_steps.begin(), policy.stop_steps.end(), StopStep::kTerminate);
  if (terminate != policy.stop_steps.end() && terminate + 1 != policy.stop_steps.end()) {
    errors.Add("StopSteps", "terminate only as the last step", "steps after terminate");
  }
  if (std::optional<std::string> quoted = QuoteAmbiguousProgram(worker.launch.command)) {
    errors.Add("Command", "the program quoted when its path has a space: " + *quoted,
               "an unquoted path Windows would try piece by piece, the first piece first");
  }
  const WorkerIdentity& identity = worker.launch.identity;
  if (identity.logon_type == LogonType::kS4u && identity.account.kind != AccountKind::kUser) {
    errors.Add("LogonType",
               "service for Account " + identity.account.ToString() +
                   " (s4u logs on a user account: .\\name, DOMAIN\\name, name@domain)",
               "s4u");
  }
  for (const auto& [kind, probe] : policy.probes) {
    const std::string probe_key = "Probes\\" + std::string(NameOf(kind, kProbeKindNames));
    if (kind != ProbeKind::kReadiness && probe.success_threshold != 1) {
      errors.Add(probe_key + "\\SuccessThreshold", "1 for Startup and Liveness probes",
                 std::to_string(probe.success_threshold));
    }
  }
}

// Default log paths: LogDirectory\<name>.out.log, "none" disables capture.
void ResolveLogPaths(WorkerConfig& worker, const DaemonConfig& daemon) {
  auto resolve = [&](std::string& path, std::string_view suffix) {
    if (EqualsIgnoringCase(path, "none")) {
      path.clear();
    } else if (path.empty()) {
      path = daemon.log_directory + "\\" + worker.name + std::string(suffix);
    }
  };
  resolve(worker.launch.stdout_log, ".out.log");
  resolve(worker.launch.stderr_log, ".err.log");
}

bool IsDosDeviceName(std::string_view name) {
  // Windows opens the device for "NUL" and for "nul.txt" alike: the part before the first dot.
  std::string base(name.substr(0, name.find('.')));
  for (char& c : base) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (base == "CON" || base == "PRN" || base == "AUX" || base == "NUL") return true;
  return base.size() == 4 && (base.starts_with("COM") || base.starts_with("LPT")) &&
         base[3] >= '1' && base[3] <= '9';
}

// The daemon's values, or (when any is invalid) `in_force`, or the defaults at the first reading.
DaemonConfig ValidateDaemon(const RawValues& raw, const DaemonConfig* in_force,
                            std::vector<ConfigError>& errors) {
  DaemonConfig daemon;
  ErrorList daemon_errors(errors, "HKLM\\SOFTWARE\\Sup");
  ApplyValues(DaemonSchema(), raw, daemon, daemon_errors);
  if (errors.empty()) CheckPipeNames(daemon, daemon_errors);
  if (errors.empty()) return daemon;
  // Invalid daemon values change nothing, the workers' log paths included.
  if (in_force) return *in_force;
  DaemonConfig defaults;
  std::vector<ConfigError> none;
  ErrorList defaults_only(none, "");
  ApplyValues(DaemonSchema(), RawValues{}, defaults, defaults_only);
  return defaults;
}

// One worker's key, with its probes: the worker, whose errors (if any) went to `errors`.
WorkerConfig ValidateWorker(const std::string& name, const RawWorker& raw,
                            const DaemonConfig& daemon, std::vector<ConfigError>& errors) {
  ErrorList worker_errors(errors, "Workers\\" + name);
  WorkerConfig worker;
  worker.name = name;
  if (IsDosDeviceName(name)) {
    // Its default log file would be the device (LogDirectory\NUL.out.log is NUL).
    worker_errors.Add(
        "", "a worker name that is not a DOS device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)",
        "\"" + name + "\"");
  } else if (!IsValidWorkerName(name)) {
    worker_errors.Add("", "a worker name of 1 to 64 letters, digits, '.', '_' or '-'",
                      "\"" + name + "\"");
  }
  ApplyValues(WorkerSchema(), raw.values, worker, worker_errors, &worker.settings);
  for (const auto& [probe_name, raw_probe] : raw.probes) {
    std::optional<std::size_t> kind = ChoiceIndex(kProbeKindNames, probe_name);
    ErrorList probe_errors(errors, "Workers\\" + name + "\\Probes\\" + probe_name);
    if (!kind) {
      probe_errors.Add("", "a probe named Startup, Liveness or Readiness",
                       "\"" + probe_name + "\"");
      continue;
    }
    ProbeConfig probe;
    const std::size_t errors_before = errors.size();
    ApplyValues(ProbeSchema(), raw_probe, probe, probe_errors, &worker.settings,
                "Probes\\" + probe_name + "\\");
    // The target is read by its type, once both are known to be there.
    if (errors.size() == errors_before) {
      if (std::optional<std::string> problem = ProbeTargetProblem(probe))
        probe_errors.Add("Target", ExpectedTarget(probe.type), *problem);
    }
    worker.policy.probes[static_cast<ProbeKind>(*kind)] = probe;
  }
  CheckWorker(worker, worker_errors);
  ResolveLogPaths(worker, daemon);
  const std::vector<StopStep>& steps = worker.policy.stop_steps;
  worker.launch.own_console =
      std::find(steps.begin(), steps.end(), StopStep::kCtrlC) != steps.end();
  return worker;
}

// Dependencies across workers: unknown names, then cycles. A worker that fails either is
// invalid; its dependents stay valid (they wait for it).
void CheckDependencies(const std::map<std::string, WorkerConfig>& candidates,
                       std::map<std::string, std::vector<ConfigError>>& invalid) {
  std::map<std::string, std::vector<std::string>> graph;
  for (const auto& [name, worker] : candidates) {
    for (const std::string& dependency : worker.policy.depends_on) {
      if (!candidates.contains(dependency) && !invalid.contains(dependency)) {
        invalid[name].push_back({"Workers\\" + name, "DependsOn", "names of configured workers",
                                 "unknown worker \"" + dependency + "\""});
      }
    }
    graph[name] = worker.policy.depends_on;
  }
  for (const std::vector<std::string>& cycle : FindCycles(graph)) {
    std::string path;
    for (const std::string& name : cycle) path += name + " -> ";
    path += cycle.front();
    for (const std::string& name : cycle) {
      invalid[name].push_back(
          {"Workers\\" + name, "DependsOn", "no dependency cycle", "the cycle " + path});
    }
  }
}

}  // namespace

bool IsValidWorkerName(std::string_view name) {
  if (name.empty() || name.size() > 64 || IsDosDeviceName(name)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

void RefuseAccountsSupdCannotLogOn(ValidatedConfig& config, const std::string& supd_account) {
  for (auto worker = config.workers.begin(); worker != config.workers.end();) {
    const WorkerAccount& account = worker->second.launch.identity.account;
    if (account.kind == AccountKind::kLocalSystem) {
      ++worker;
      continue;
    }
    config.invalid_workers[worker->first].push_back(
        {"Workers\\" + worker->first, "Account",
         "LocalSystem: supd runs as " + supd_account +
             ", without SeTcbPrivilege, and cannot log other accounts on (install supd as "
             "LocalSystem to run workers as other accounts)",
         account.ToString()});
    worker = config.workers.erase(worker);
  }
}

Result<ValidatedConfig> ReadConfig(ConfigSource& source, const DaemonConfig* in_force) {
  Result<RawConfig> raw = source.Read();
  if (!raw) return raw.error().WithContext("reading the configuration");
  return ValidateConfig(*raw, in_force);
}

DaemonConfig DaemonValuesOrDefaults(ConfigSource& source) {
  if (Result<ValidatedConfig> config = ReadConfig(source); config && config->daemon_errors.empty())
    return config->daemon;
  return ValidateConfig(RawConfig{}).daemon;
}

ValidatedConfig ValidateConfig(const RawConfig& raw, const DaemonConfig* in_force) {
  ValidatedConfig result;
  result.daemon = ValidateDaemon(raw.daemon, in_force, result.daemon_errors);
  std::map<std::string, WorkerConfig> candidates;
  for (const auto& [name, raw_worker] : raw.workers) {
    std::vector<ConfigError> errors;
    WorkerConfig worker = ValidateWorker(name, raw_worker, result.daemon, errors);
    if (errors.empty()) {
      candidates.emplace(name, std::move(worker));
    } else {
      result.invalid_workers.emplace(name, std::move(errors));
    }
  }
  CheckDependencies(candidates, result.invalid_workers);
  for (const auto& [name, errors] : result.invalid_workers) candidates.erase(name);
  RejectSharedLogFiles(candidates, result.invalid_workers);
  result.workers = std::move(candidates);
  return result;
}

}  // namespace sup::config

// Declared with the configuration model (namespace sup), which has no source file of its own.
std::string sup::ConfigError::ToString() const {
  std::string where = key;
  if (!value.empty()) where += "\\" + value;
  return where + ": expected " + expected + ", found " + found;
}
