#include "client/win/service_commands.h"

#include <windows.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cwchar>
#include <filesystem>
#include <optional>

#include "client/win/console.h"
#include "client/exit_codes.h"
#include "client/json.h"
#include "client/render.h"
#include "client/service/service_change.h"
#include "client/win/health_query.h"
#include "client/win/scm_service.h"
#include "common/config/win/key_security.h"
#include "common/config/win/registry_config.h"
#include "common/supd_options.h"
#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::client::win {

using sup::win::Narrow;

// Every option as typed; parsed into ServiceOverrides once the subcommand is known.
struct ServiceCommands::Options {
  CLI::App* service = nullptr;
  CLI::App* install = nullptr;
  CLI::App* set = nullptr;
  CLI::App* start = nullptr;
  CLI::App* stop = nullptr;
  CLI::App* status = nullptr;
  CLI::App* uninstall = nullptr;
  CLI::App* prepare = nullptr;

  std::string name = "supd";
  std::optional<std::string> binary, arguments, display_name, description, start_type, account,
      password, failure_actions;
  std::vector<std::string> dependencies;
  std::optional<unsigned> reset_period_s, preshutdown_ms;
  bool no_dependencies = false;
  bool what_if = false;
  bool purge = false;
  bool force = false;
};

namespace {

void PrintWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings)
    std::fprintf(stderr, "supctl: warning: %s\n", warning.c_str());
}

// The supd.exe beside this supctl.exe: what `install` registers unless --binary says otherwise.
std::string SupdBesideSupctl() {
  std::wstring self(MAX_PATH, L'\0');
  self.resize(::GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size())));
  return Narrow(self.substr(0, self.find_last_of(L"\\/") + 1) + L"supd.exe");
}

// Who besides SYSTEM, Administrators and this admin may change `binary` or its folder: whoever
// may replaces what runs as the service's account (a zip unpacked in Downloads, a share). ""
// when nobody; the binary not existing is for the SCM install to say.
std::string BinaryWriters(const std::string& binary) {
  std::string found;
  const std::filesystem::path path(sup::win::Widen(binary));
  for (const auto& [what, rights] :
       {std::pair{path, sup::win::kFileChangeRights},
        std::pair{path.parent_path(), sup::win::kFolderChangeRights}}) {
    const sup::win::UniqueFileHandle handle{::CreateFileW(
        what.c_str(), READ_CONTROL, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr)};
    if (!handle) continue;
    Result<std::vector<std::string>> writers =
        sup::win::ForeignFileWriters(handle.get(), {sup::win::OwnUserSid()}, rights);
    if (!writers || writers->empty()) continue;
    std::string names;
    for (const std::string& writer : *writers) names += (names.empty() ? "" : ", ") + writer;
    found += (found.empty() ? "" : "; ") + Narrow(what.wstring()) + " may be changed by " + names;
  }
  return found;
}

// `install`, `set --binary`: a binary others may change is refused, or with --force a warning.
Result<void> CheckBinary(const std::string& binary, bool force,
                         std::vector<std::string>& warnings) {
  const std::string writers = BinaryWriters(binary);
  if (writers.empty()) return Ok();
  const std::string why = writers +
                          ": whoever may change them chooses what runs as the service's account "
                          "(copy sup to a folder only administrators may write, such as "
                          "C:\\Program Files\\Sup";
  if (!force)
    return Error(ErrorKind::kInvalidArgument,
                 "refusing " + binary + ": " + why + ", or add --force)");
  warnings.push_back(binary + " is registered anyway (--force): " + why + ")");
  return Ok();
}

// The configuration key of the supd started with `arguments`.
Result<sup::win::RegistryPath> ConfigKeyOf(const std::string& arguments) {
  return sup::win::ParseRegistryPath(
      SupdOption(arguments, kSupdConfigKeyOption).value_or(sup::win::kDefaultConfigKey));
}

// `uninstall --purge`: the configuration key of the supd started with `arguments`.
Result<void> DeleteConfiguration(const std::string& arguments) {
  Result<sup::win::RegistryPath> key = ConfigKeyOf(arguments);
  if (!key) return key.error();
  const LSTATUS deleted = sup::win::DeleteConfigTree(*key);
  if (deleted != ERROR_SUCCESS && deleted != ERROR_FILE_NOT_FOUND) {
    return sup::win::Win32Error("deleting the configuration " + key->display,
                                static_cast<DWORD>(deleted));
  }
  return Ok();
}

// `install`, `prepare`: supd's folder in ProgramData made now, as an administrator, with its DACL
// (or an existing one checked): a folder a user made first would keep supd from starting, and
// this names it at install rather than leaving an admin with "the service did not start". A line
// for the output.
Result<std::string> SecureDataFolder(const ServiceSpec& spec) {
  std::string account_sid;
  if (spec.account != "LocalSystem") {
    Result<std::string> sid = sup::win::AccountSid(spec.account);
    if (!sid) return sid.error().WithContext("the service account");
    account_sid = *sid;
  }
  std::vector<std::string> repaired;
  Result<std::string> folder = sup::win::EnsureSupDataFolder(account_sid, &repaired);
  if (!folder) return folder.error();
  std::string lines;
  for (const std::string& line : repaired) lines += "supd's folder repaired: " + line + "\n";
  return lines + "supd's folder " + *folder + ": only SYSTEM" +
         (account_sid.empty() ? " and Administrators" : ", Administrators and " + spec.account) +
         " may change it";
}

// The SID of the OperatorsGroup configured under `key`, "" when there is none; one that cannot be
// resolved is a warning (`what_operators_lose` says what follows) and "".
std::string OperatorsSid(const sup::win::RegistryPath& key, const std::string& what_operators_lose,
                         std::vector<std::string>& warnings) {
  std::wstring group(256, L'\0');
  DWORD group_bytes = static_cast<DWORD>(group.size() * sizeof(wchar_t));
  if (::RegGetValueW(key.root, key.subkey.c_str(), L"OperatorsGroup", RRF_RT_REG_SZ, nullptr,
                     group.data(), &group_bytes) != ERROR_SUCCESS) {
    return "";
  }
  group.resize(std::wcslen(group.c_str()));
  if (group.empty()) return "";
  Result<std::string> sid = sup::win::AccountSid(Narrow(group));
  if (sid) return *sid;
  warnings.push_back("OperatorsGroup: " + sid.error().message() + "; " + what_operators_lose);
  return "";
}

// `install`: the configuration key of the supd started with `spec`, created if missing, made
// writable only by SYSTEM, Administrators and the service's own account (whoever can write it
// runs code as that account) and readable by the operators group, if one is configured. Returns
// a line for the output, and warnings.
Result<std::string> SecureConfiguration(const ServiceSpec& spec,
                                        std::vector<std::string>& warnings) {
  Result<sup::win::RegistryPath> key = ConfigKeyOf(spec.arguments);
  if (!key) return key.error();
  std::string account_sid;
  if (spec.account != "LocalSystem") {
    Result<std::string> sid = sup::win::AccountSid(spec.account);
    if (!sid) return sid.error().WithContext("the service account");
    account_sid = *sid;
  }
  const std::string operators_sid =
      OperatorsSid(*key, "operators may not read the configuration key", warnings);
  if (Result<void> secured =
          sup::win::SecureConfigKey(*key, sup::win::ConfigKeySddl(account_sid, operators_sid));
      !secured) {
    return secured.error();
  }
  return "configuration " + key->display + ": only SYSTEM" +
         (account_sid.empty() ? " and Administrators" : ", Administrators and " + spec.account) +
         " may change it" + (operators_sid.empty() ? "" : ", operators may read it");
}

// `install`, `prepare`: who may stop, start and send controls to the service (ServiceObjectSddl).
// A line for the output.
Result<std::string> SecureService(ScmServiceManager& scm, const ServiceSpec& spec,
                                  std::vector<std::string>& warnings) {
  Result<sup::win::RegistryPath> key = ConfigKeyOf(spec.arguments);
  if (!key) return key.error();
  const std::string operators_sid =
      OperatorsSid(*key, "operators may not start or stop the service", warnings);
  if (Result<void> set = scm.SetSecurity(spec.name, ServiceObjectSddl(operators_sid)); !set)
    return set.error();
  return "service " + spec.name + ": only SYSTEM and Administrators may send it controls" +
         (operators_sid.empty() ? " or stop it" : ", they and operators may stop it");
}

// `service status`: the SCM's view, then supd's own answer on its health pipe. Exit 0 only when
// the service runs and supd says SERVING.
int ShowStatus(ScmServiceManager& scm, const std::string& name, std::chrono::milliseconds timeout,
               bool json) {
  Result<ServiceState> state = scm.State(name);
  if (!state) return Fail(state.error());
  Result<ServiceSpec> spec = scm.Query(name);
  if (!spec) return Fail(spec.error());
  std::string health = "not answering";
  if (state->state == SERVICE_RUNNING) {
    if (auto answer = AskHealth(HealthPipeOfArguments(spec->arguments), "", timeout)) {
      health = std::string(ServingName(answer->status()));
      if (!answer->reason().empty()) health += " (" + answer->reason() + ")";
    }
  }
  const std::string_view scm_state = ServiceStateName(state->state);
  if (json) {
    Print(JsonLine({{"name", name},
                    {"state", scm_state},
                    {"pid", state->pid},
                    {"health", health},
                    {"start", StartTypeName(spec->start_type)},
                    {"account", spec->account},
                    {"binary", spec->binary},
                    {"arguments", spec->arguments}}));
  } else {
    std::string line = name + ": " + std::string(scm_state);
    if (state->pid != 0) line += " (pid " + std::to_string(state->pid) + ")";
    line += ", health " + health + ", start " + std::string(StartTypeName(spec->start_type)) +
            ", account " + spec->account + "\n  " + spec->ImagePath() + "\n";
    Print(line);
  }
  return state->state == SERVICE_RUNNING && health == "SERVING" ? kExitOk : kExitNotAllRunning;
}

}  // namespace

ServiceCommands::ServiceCommands(CLI::App& app) : options_(std::make_unique<Options>()) {
  Options& o = *options_;
  o.service =
      app.add_subcommand("service", "Register supd with the Service Control Manager and manage it");
  o.service->require_subcommand(1);
  o.install = o.service->add_subcommand(
      "install", "Register supd as a service (defaults: auto start, restart on failure)");
  o.set = o.service->add_subcommand(
      "set", "Change the registered service in place; restarts and rolls back if needed");
  for (CLI::App* command : {o.install, o.set}) {
    command->add_option("--binary", o.binary, "supd.exe to run (install: the one beside supctl)");
    command->add_option("--args", o.arguments,
                        "Arguments after the binary, e.g. \"--log-level debug\"");
    command->add_option("--display-name", o.display_name, "Name shown in services.msc");
    command->add_option("--description", o.description, "Description shown in services.msc");
    command->add_option("--start", o.start_type, "auto, delayed-auto, demand or disabled");
    command->add_option("--depend", o.dependencies, "A service supd needs (repeat for several)");
    command->add_flag("--no-depend", o.no_dependencies, "No dependencies");
    command->add_option("--account", o.account,
                        "LocalSystem, NetworkService, LocalService, NT SERVICE\\<service> (a "
                        "virtual account), DOMAIN\\name$ (a group managed service account) or "
                        "DOMAIN\\user");
    command->add_option("--password", o.password,
                        "Password of a user account (none for virtual and managed accounts)");
    command->add_option("--failure-actions", o.failure_actions,
                        "e.g. restart/5000,restart/10000,none");
    command->add_option("--reset-period", o.reset_period_s,
                        "Seconds without failure after which the count restarts");
    command->add_option("--preshutdown-timeout", o.preshutdown_ms,
                        "Milliseconds supd may take at system shutdown");
  }
  o.set->add_flag("--what-if", o.what_if, "Print the change without applying it");
  for (CLI::App* command : {o.install, o.set}) {
    command->add_flag("--force", o.force,
                      "Register a binary that non-administrators may change (with a warning)");
  }
  o.start = o.service->add_subcommand("start", "Start the service and wait until it answers");
  o.stop = o.service->add_subcommand("stop", "Stop the service (its workers stop first)");
  o.status =
      o.service->add_subcommand("status", "The SCM's state of the service and supd's own health");
  o.uninstall = o.service->add_subcommand(
      "uninstall", "Stop and remove the service; the worker configuration stays");
  o.uninstall->add_flag("--purge", o.purge, "Also delete the worker configuration");
  o.prepare = o.service->add_subcommand(
      "prepare",
      "For a service another installer registered (the MSI does): what install does besides "
      "registering it (quote its program path, secure the configuration key, register the event "
      "log source)");
  for (CLI::App* command : {o.install, o.set, o.start, o.stop, o.status, o.uninstall, o.prepare}) {
    command->add_option("--name", o.name, "Service name")->capture_default_str();
  }
}

ServiceCommands::~ServiceCommands() = default;

bool ServiceCommands::parsed() const { return options_->service->parsed(); }

int ServiceCommands::Run(std::chrono::milliseconds timeout, bool json) {
  const Options& o = *options_;
  ServiceOverrides overrides;
  overrides.binary = o.binary;
  overrides.arguments = o.arguments;
  overrides.display_name = o.display_name;
  overrides.description = o.description;
  overrides.account = o.account;
  overrides.password = o.password;
  if (!o.dependencies.empty() || o.no_dependencies) overrides.dependencies = o.dependencies;
  if (o.start_type) {
    Result<StartType> type = ParseStartType(*o.start_type);
    if (!type) return Fail(type.error());
    overrides.start_type = *type;
  }
  if (o.failure_actions) {
    Result<std::vector<FailureAction>> actions = ParseFailureActions(*o.failure_actions);
    if (!actions) return Fail(actions.error());
    overrides.failure_actions = *actions;
  }
  if (o.reset_period_s) overrides.reset_period = std::chrono::seconds(*o.reset_period_s);
  if (o.preshutdown_ms)
    overrides.preshutdown_timeout = std::chrono::milliseconds(*o.preshutdown_ms);

  Result<ScmServiceManager> scm = ScmServiceManager::Connect();
  if (!scm) return Fail(scm.error());

  if (o.install->parsed()) {
    ServiceSpec spec = DefaultServiceSpec(SupdBesideSupctl(), o.name);
    spec = ApplyOverrides(spec, overrides);
    std::vector<std::string> binary_warnings;
    if (Result<void> checked = CheckBinary(spec.binary, o.force, binary_warnings); !checked)
      return Fail(checked.error());
    Result<std::vector<std::string>> warnings = scm->Install(spec, o.password);
    if (!warnings) return Fail(warnings.error());
    warnings->insert(warnings->begin(), binary_warnings.begin(), binary_warnings.end());
    // After the SCM accepted everything, so that bad options change nothing at all.
    Result<std::string> secured = SecureConfiguration(spec, *warnings);
    if (!secured) {
      return Fail(secured.error().WithContext(
          o.name +
          " is installed, but its configuration key is not secured (run install again "
          "after `supctl service uninstall`, or set its permissions)"));
    }
    Result<std::string> folder = SecureDataFolder(spec);
    if (!folder) {
      return Fail(folder.error().WithContext(
          o.name + " is installed, but supd will not start until its folder is its own"));
    }
    Result<std::string> controls = SecureService(*scm, spec, *warnings);
    if (!controls) {
      return Fail(controls.error().WithContext(
          o.name +
          " is installed, but any user may send it controls (run install again after "
          "`supctl service uninstall`)"));
    }
    PrintWarnings(*warnings);
    Print(o.name + ": installed (" + spec.ImagePath() + ", start " +
          std::string(StartTypeName(spec.start_type)) + ")\n" + *secured + "\n" + *folder + "\n" +
          *controls + "\n");
    return kExitOk;
  }
  if (o.set->parsed()) {
    std::vector<std::string> binary_warnings;
    if (o.binary) {
      if (Result<void> checked = CheckBinary(*o.binary, o.force, binary_warnings); !checked)
        return Fail(checked.error());
    }
    PrintWarnings(binary_warnings);
    Result<ServiceSetOutcome> outcome = ChangeService(*scm, o.name, overrides, o.what_if, timeout);
    if (!outcome) return Fail(outcome.error());
    PrintWarnings(outcome->warnings);
    if (o.what_if) {
      Print(o.name + ": would change" +
            (outcome->change.NeedsRestart() ? " (and restart it if running)" : "") + "\n" +
            DescribeChange(outcome->change));
    } else if (!outcome->applied) {
      Print(o.name + ": no changes\n");
    } else {
      Print(o.name + ": changed" + (outcome->restarted ? ", restarted and answering" : "") + "\n" +
            DescribeChange(outcome->change));
    }
    return kExitOk;
  }
  if (o.prepare->parsed()) {
    Result<std::vector<std::string>> done = scm->Adopt(o.name);
    if (!done) return Fail(done.error());
    Result<ServiceSpec> spec = scm->Query(o.name);
    if (!spec) return Fail(spec.error());
    std::vector<std::string> warnings;
    Result<std::string> secured = SecureConfiguration(*spec, warnings);
    if (!secured) return Fail(secured.error());
    Result<std::string> folder = SecureDataFolder(*spec);
    if (!folder) return Fail(folder.error());
    Result<std::string> controls = SecureService(*scm, *spec, warnings);
    if (!controls) return Fail(controls.error());
    PrintWarnings(warnings);
    std::string lines;
    for (const std::string& line : *done) lines += o.name + ": " + line + "\n";
    Print(lines + *secured + "\n" + *folder + "\n" + *controls + "\n");
    return kExitOk;
  }
  if (o.start->parsed()) {
    Result<ServiceSpec> spec = scm->Query(o.name);
    if (!spec) return Fail(spec.error());
    if (Result<void> started = scm->StartAndVerify(*spec, timeout); !started)
      return Fail(started.error());
    Print(o.name + ": running\n");
    return kExitOk;
  }
  if (o.stop->parsed()) {
    if (Result<void> stopped = scm->Stop(o.name, timeout); !stopped) return Fail(stopped.error());
    Print(o.name + ": stopped\n");
    return kExitOk;
  }
  if (o.uninstall->parsed()) {
    Result<ServiceSpec> spec = scm->Query(o.name);
    if (!spec) return Fail(spec.error());
    if (Result<void> removed = scm->Uninstall(o.name, timeout); !removed)
      return Fail(removed.error());
    std::string kept = "worker configuration kept";
    if (o.purge) {
      if (Result<void> deleted = DeleteConfiguration(spec->arguments); !deleted)
        return Fail(deleted.error());
      kept = "worker configuration deleted";
    }
    Print(o.name + ": uninstalled (" + kept + ")\n");
    return kExitOk;
  }

  return ShowStatus(*scm, o.name, timeout, json);
}

}  // namespace sup::client::win
