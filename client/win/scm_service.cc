#include "client/win/scm_service.h"

#include <thread>

#include "client/instance_pipes.h"
#include "client/win/health_query.h"
#include "client/win/logon_right.h"
#include "client/win/service_config2.h"
#include "common/config/validate.h"
#include "common/config/win/registry_config.h"
#include "common/format.h"
#include "common/protocol.h"
#include "common/supd_options.h"
#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/utf8_arguments.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::client::win {

using sup::win::Narrow;
using sup::win::UniqueServiceHandle;
using sup::win::Widen;
using sup::win::Win32Error;
using Clock = std::chrono::steady_clock;

namespace {

// The registry key of the event source of the supd started with `arguments`.
std::wstring EventSourceKey(const std::string& arguments) {
  return L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" +
         Widen(EventLogSourceName(SupdOption(arguments, kSupdPipePrefixOption)));
}

// REG_MULTI_SZ-style list: each name and a terminating NUL, then one more NUL.
std::wstring DoubleNullList(const std::vector<std::string>& items) {
  std::wstring list;
  for (const std::string& item : items) list += Widen(item) + L'\0';
  return list + L'\0';
}

std::vector<std::string> SplitDoubleNullList(const wchar_t* list) {
  std::vector<std::string> items;
  for (const wchar_t* item = list; item && *item; item += wcslen(item) + 1)
    items.push_back(Narrow(item));
  return items;
}

DWORD ScmStartType(StartType type) {
  switch (type) {
    case StartType::kAuto:
    case StartType::kDelayedAuto: return SERVICE_AUTO_START;
    case StartType::kDemand: return SERVICE_DEMAND_START;
    case StartType::kDisabled: return SERVICE_DISABLED;
  }
  return SERVICE_AUTO_START;
}

// The account as CreateService/ChangeServiceConfig take it: nullptr for LocalSystem.
const wchar_t* AccountArgument(const std::wstring& account) {
  return BuiltInAccountName(Narrow(account)) == "LocalSystem" ? nullptr : account.c_str();
}

// A QueryServiceConfig2W level into a buffer of the size it asks for; nullopt if refused.
// The service's QUERY_SERVICE_CONFIGW, in a buffer that holds the strings it points to.
Result<std::vector<BYTE>> QueryConfig(SC_HANDLE service, const std::string& name) {
  DWORD needed = 0;
  ::QueryServiceConfigW(service, nullptr, 0, &needed);
  std::vector<BYTE> buffer(std::max<DWORD>(needed, sizeof(QUERY_SERVICE_CONFIGW)));
  if (!::QueryServiceConfigW(service, reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data()),
                             static_cast<DWORD>(buffer.size()), &needed)) {
    return Win32Error("reading the configuration of " + name);
  }
  return buffer;
}

std::optional<std::vector<BYTE>> QueryConfig2(SC_HANDLE service, DWORD level) {
  DWORD needed = 0;
  ::QueryServiceConfig2W(service, level, nullptr, 0, &needed);
  if (needed == 0) return std::nullopt;
  std::vector<BYTE> buffer(needed);
  if (!::QueryServiceConfig2W(service, level, buffer.data(), needed, &needed)) return std::nullopt;
  return buffer;
}

// A user account given with its password, or a managed one, gets the logon right before the
// service is touched: an account that does not exist is refused (a typo would leave a service
// that cannot start); a right that cannot be granted is a warning (Wine has no LSA to grant it
// in). Built-in and virtual accounts hold the right.
Result<void> PrepareAccount(const ServiceSpec& spec, const std::optional<std::string>& password,
                            std::vector<std::string>& warnings) {
  if (!NeedsLogonRight(spec.account) || (NeedsPassword(spec.account) && !password)) return Ok();
  if (Result<void> granted = GrantLogonRight(spec.account, kServiceLogonRight); !granted) {
    if (granted.error().kind() == ErrorKind::kInvalidArgument) return granted.error();
    warnings.push_back(granted.error().message());
  }
  return Ok();
}

Result<void> RegisterEventSource(const std::string& binary, const std::string& arguments) {
  HKEY raw = nullptr;
  const LSTATUS opened = ::RegCreateKeyExW(HKEY_LOCAL_MACHINE, EventSourceKey(arguments).c_str(), 0,
                                           nullptr, 0, KEY_SET_VALUE, nullptr, &raw, nullptr);
  if (opened != ERROR_SUCCESS) {
    return Win32Error("registering the event log source " +
                          EventLogSourceName(SupdOption(arguments, kSupdPipePrefixOption)),
                      opened);
  }
  sup::win::UniqueRegistryKey key{raw};
  const std::wstring file = Widen(binary);
  const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
  ::RegSetValueExW(key.get(), L"EventMessageFile", 0, REG_EXPAND_SZ,
                   reinterpret_cast<const BYTE*>(file.c_str()),
                   static_cast<DWORD>((file.size() + 1) * sizeof(wchar_t)));
  ::RegSetValueExW(key.get(), L"TypesSupported", 0, REG_DWORD,
                   reinterpret_cast<const BYTE*>(&types), sizeof(types));
  return Ok();
}

// Polls the SCM until `name` is in `wanted`, fails on STOPPED when that is not wanted, or times
// out.
Result<void> WaitForState(SC_HANDLE service, const std::string& name, DWORD wanted,
                          std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    SERVICE_STATUS_PROCESS status{};
    DWORD needed = 0;
    if (!::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                                sizeof(status), &needed)) {
      return Win32Error("asking the SCM about " + name);
    }
    if (status.dwCurrentState == wanted) return Ok();
    if (status.dwCurrentState == SERVICE_STOPPED) {
      const DWORD code = status.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR
                             ? status.dwServiceSpecificExitCode
                             : status.dwWin32ExitCode;
      return Error(ErrorKind::kUnavailable,
                   name + " stopped instead (exit code " + FormatExitCode(code) + ")");
    }
    if (Clock::now() >= deadline) {
      return Error(ErrorKind::kUnavailable,
                   name + " did not reach " + std::string(ServiceStateName(wanted)) + " within " +
                       std::to_string(timeout.count()) + " ms (it is " +
                       std::string(ServiceStateName(status.dwCurrentState)) + ")");
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(50));  // the SCM has no change notification here
  }
}

}  // namespace

std::string_view ServiceStateName(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    case SERVICE_CONTINUE_PENDING: return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING: return "PAUSE_PENDING";
    case SERVICE_PAUSED: return "PAUSED";
    default: return "UNKNOWN";
  }
}

std::optional<std::string> SupdOption(const std::string& arguments, std::string_view option) {
  const std::vector<std::string> argv =
      sup::win::SplitWindowsCommandLine(L"supd " + Widen(arguments));
  std::optional<std::string> value;
  const std::string with_equals = std::string(option) + "=";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == option && i + 1 < argv.size()) value = argv[++i];
    if (argv[i].starts_with(with_equals)) value = argv[i].substr(with_equals.size());
  }
  return value;
}

DaemonConfig ConfiguredDaemonValues(const std::string& key) {
  Result<sup::win::RegistryPath> path = sup::win::ParseRegistryPath(key);
  if (!path) return config::ValidateConfig(config::RawConfig{}).daemon;
  sup::win::RegistryConfigSource source(*path, sup::win::RegistryConfigSource::Strings::kExpanded,
                                        sup::win::RegistryConfigSource::Reach::kDaemonValues);
  return config::DaemonValuesOrDefaults(source);
}

std::string HealthPipeOfArguments(const std::string& arguments) {
  if (std::optional<std::string> prefix = SupdOption(arguments, kSupdPipePrefixOption))
    return HealthPipeName(*prefix);
  const DaemonConfig configured = ConfiguredDaemonValues(
      SupdOption(arguments, kSupdConfigKeyOption).value_or(sup::win::kDefaultConfigKey));
  return HealthPipeFor(configured.control_pipe, configured);
}

Result<std::vector<std::string>> ApplyConfig2(SC_HANDLE service, const ServiceSpec& spec) {
  std::vector<std::string> warnings;
  ServiceConfig2 config(spec);
  for (const ServiceConfig2::Call& call : config.Calls()) {
    if (::ChangeServiceConfig2W(service, call.level, call.info)) continue;
    const DWORD error = ::GetLastError();
    if (error != ERROR_INVALID_LEVEL) {
      return Win32Error(std::string("setting the ") + call.what + " of " + spec.name, error);
    }
    warnings.push_back(std::string(call.what) + ": not supported by this system");
  }
  return warnings;
}

Result<std::string> ApplyFailureActionsOnErrorExits(SC_HANDLE service, const std::string& name) {
  SERVICE_FAILURE_ACTIONS_FLAG flag{};
  flag.fFailureActionsOnNonCrashFailures = TRUE;
  if (::ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag))
    return std::string("failure actions also on exits with an error code");
  const DWORD error = ::GetLastError();
  if (error != ERROR_INVALID_LEVEL)
    return Win32Error("setting the failure actions on non-crash failures of " + name, error);
  return std::string("failure actions on non-crash failures: not supported by this system");
}

Result<ScmServiceManager> ScmServiceManager::Connect() {
  UniqueServiceHandle manager{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS)};
  if (!manager) {
    const DWORD error = ::GetLastError();
    Error failure = Win32Error("opening the Service Control Manager", error);
    if (error == ERROR_ACCESS_DENIED) {
      return Error(ErrorKind::kPermissionDenied,
                   failure.message() + " (run supctl from an elevated prompt)");
    }
    return failure;
  }
  return ScmServiceManager(std::move(manager));
}

std::string ServiceObjectSddl(const std::string& operators_sid) {
  // CC query config, LC query status, SW enumerate dependents, LO interrogate, RC read control;
  // RP start, WP stop, DT pause, CR user-defined control; DC change config, SD delete, WD/WO
  // change the DACL and owner.
  std::string sddl =
      "D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
      "(A;;CCLCSWLORC;;;IU)(A;;CCLCSWLORC;;;SU)(A;;CCLCSWLORC;;;AU)";
  if (!operators_sid.empty()) sddl += "(A;;CCLCSWRPWPLORC;;;" + operators_sid + ")";
  return sddl;
}

Result<void> SetServiceDacl(SC_HANDLE service, const std::string& name, const std::string& sddl,
                            SetServiceSecurityFunction set) {
  Result<sup::win::SecurityAttributes> security = sup::win::SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  if (!set(service, DACL_SECURITY_INFORMATION, security->descriptor()))
    return Win32Error("setting who may control the service " + name);
  return Ok();
}

Result<void> ScmServiceManager::SetSecurity(const std::string& name, const std::string& sddl) {
  Result<UniqueServiceHandle> service = Open(name, READ_CONTROL | WRITE_DAC);
  if (!service) return service.error();
  return SetServiceDacl(service->get(), name, sddl);
}

Result<UniqueServiceHandle> ScmServiceManager::Open(const std::string& name, DWORD access) {
  UniqueServiceHandle service{::OpenServiceW(manager_.get(), Widen(name).c_str(), access)};
  if (service) return service;
  const DWORD error = ::GetLastError();
  if (error == ERROR_SERVICE_DOES_NOT_EXIST) {
    return Error(ErrorKind::kNotFound,
                 "service " + name + " is not installed (supctl service install)");
  }
  return Win32Error("opening the service " + name, error);
}

Result<std::vector<std::string>> ScmServiceManager::Install(
    const ServiceSpec& spec, const std::optional<std::string>& password) {
  const DWORD attributes = ::GetFileAttributesW(Widen(spec.binary).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    return Error(ErrorKind::kInvalidArgument,
                 "the binary " + spec.binary + " does not exist (--binary)");
  }
  if (NeedsPassword(spec.account) && !password) {
    return Error(ErrorKind::kInvalidArgument,
                 "the account " + spec.account +
                     " needs --password (a virtual account, NT SERVICE\\" + spec.name +
                     ", or a group managed service account, DOMAIN\\name$, needs none)");
  }
  std::vector<std::string> warnings;
  if (Result<void> prepared = PrepareAccount(spec, password, warnings); !prepared)
    return prepared.error();
  const std::wstring dependencies = DoubleNullList(spec.dependencies);
  const std::wstring account = Widen(spec.account);
  const std::wstring secret = Widen(password.value_or(""));
  UniqueServiceHandle service{::CreateServiceW(
      manager_.get(), Widen(spec.name).c_str(), Widen(spec.display_name).c_str(),
      SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, ScmStartType(spec.start_type),
      SERVICE_ERROR_NORMAL, Widen(spec.ImagePath()).c_str(), nullptr, nullptr, dependencies.c_str(),
      AccountArgument(account), password ? secret.c_str() : nullptr)};
  if (!service) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_SERVICE_EXISTS) {
      return Error(
          ErrorKind::kFailedPrecondition,
          "service " + spec.name + " is already installed (change it with supctl service set)");
    }
    return Win32Error("installing the service " + spec.name, error);
  }
  Result<std::vector<std::string>> unsupported = ApplyConfig2(service.get(), spec);
  if (!unsupported) {
    ::DeleteService(service.get());  // never leave half a service behind
    return unsupported.error();
  }
  warnings.insert(warnings.end(), unsupported->begin(), unsupported->end());
  if (Result<void> registered = RegisterEventSource(spec.binary, spec.arguments); !registered) {
    warnings.push_back(registered.error().message());
  }
  return warnings;
}

Result<std::vector<std::string>> ScmServiceManager::Adopt(const std::string& name) {
  std::vector<std::string> done;
  {
    Result<UniqueServiceHandle> service = Open(name, SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG);
    if (!service) return service.error();
    Result<std::vector<BYTE>> buffer = QueryConfig(service->get(), name);
    if (!buffer) return buffer.error();
    const auto* config = reinterpret_cast<const QUERY_SERVICE_CONFIGW*>(buffer->data());
    const std::string image_path =
        Narrow(config->lpBinaryPathName ? config->lpBinaryPathName : L"");
    // The MSI's failure actions (MsiServiceConfigFailureActions) cover crashes only; supd that
    // ends with an error code (SelfRestart, an unexpected exception) must be restarted too.
    Result<std::string> flag = ApplyFailureActionsOnErrorExits(service->get(), name);
    if (!flag) return flag.error();
    done.push_back(*flag);
    if (std::optional<std::string> quoted = QuoteUnquotedProgram(image_path)) {
      if (!::ChangeServiceConfigW(service->get(), SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                                  SERVICE_NO_CHANGE, Widen(*quoted).c_str(), nullptr, nullptr,
                                  nullptr, nullptr, nullptr, nullptr)) {
        return Win32Error("quoting the program path of " + name);
      }
      done.push_back("program path quoted: " + *quoted);
    }
  }
  Result<ServiceSpec> spec = Query(name);
  if (!spec) return spec.error();
  if (Result<void> registered = RegisterEventSource(spec->binary, spec->arguments); !registered)
    return registered.error();
  done.push_back("event log source " +
                 EventLogSourceName(SupdOption(spec->arguments, kSupdPipePrefixOption)) +
                 " registered");
  return done;
}

Result<ServiceSpec> ScmServiceManager::Query(const std::string& name) {
  Result<UniqueServiceHandle> service = Open(name, SERVICE_QUERY_CONFIG);
  if (!service) return service.error();
  Result<std::vector<BYTE>> buffer = QueryConfig(service->get(), name);
  if (!buffer) return buffer.error();
  const auto* config = reinterpret_cast<const QUERY_SERVICE_CONFIGW*>(buffer->data());
  ServiceSpec spec;
  spec.name = name;
  SplitImagePath(Narrow(config->lpBinaryPathName ? config->lpBinaryPathName : L""), spec.binary,
                 spec.arguments);
  spec.display_name = Narrow(config->lpDisplayName ? config->lpDisplayName : L"");
  spec.start_type = config->dwStartType == SERVICE_AUTO_START ? StartType::kAuto
                    : config->dwStartType == SERVICE_DISABLED ? StartType::kDisabled
                                                              : StartType::kDemand;
  spec.dependencies = SplitDoubleNullList(config->lpDependencies);
  const std::string account =
      Narrow(config->lpServiceStartName ? config->lpServiceStartName : L"LocalSystem");
  spec.account = BuiltInAccountName(account).value_or(account);

  if (auto data = QueryConfig2(service->get(), SERVICE_CONFIG_DESCRIPTION)) {
    const auto* description = reinterpret_cast<const SERVICE_DESCRIPTIONW*>(data->data());
    if (description->lpDescription) spec.description = Narrow(description->lpDescription);
  }
  if (auto data = QueryConfig2(service->get(), SERVICE_CONFIG_FAILURE_ACTIONS)) {
    const auto* actions = reinterpret_cast<const SERVICE_FAILURE_ACTIONSW*>(data->data());
    spec.reset_period = std::chrono::seconds(actions->dwResetPeriod);
    for (DWORD i = 0; i < actions->cActions; ++i) {
      const SC_ACTION& action = actions->lpsaActions[i];
      spec.failure_actions.push_back({action.Type == SC_ACTION_RESTART
                                          ? FailureAction::Kind::kRestart
                                          : FailureAction::Kind::kNone,
                                      std::chrono::milliseconds(action.Delay)});
    }
  }
  if (auto data = QueryConfig2(service->get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO)) {
    const auto* delayed = reinterpret_cast<const SERVICE_DELAYED_AUTO_START_INFO*>(data->data());
    if (delayed->fDelayedAutostart && spec.start_type == StartType::kAuto)
      spec.start_type = StartType::kDelayedAuto;
  }
  if (auto data = QueryConfig2(service->get(), SERVICE_CONFIG_PRESHUTDOWN_INFO)) {
    const auto* preshutdown = reinterpret_cast<const SERVICE_PRESHUTDOWN_INFO*>(data->data());
    spec.preshutdown_timeout = std::chrono::milliseconds(preshutdown->dwPreshutdownTimeout);
  }
  return spec;
}

Result<std::vector<std::string>> ScmServiceManager::Configure(
    const ServiceSpec& spec, const std::optional<std::string>& password) {
  Result<UniqueServiceHandle> service =
      Open(spec.name, SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG);
  if (!service) return service.error();
  std::vector<std::string> warnings;
  if (Result<void> prepared = PrepareAccount(spec, password, warnings); !prepared)
    return prepared.error();
  const std::wstring dependencies = DoubleNullList(spec.dependencies);
  const std::wstring account = Widen(spec.account);
  const std::wstring secret = Widen(password.value_or(""));
  // A built-in account takes an empty password; a user account keeps its password unless a new
  // one is given (nullptr: unchanged).
  const wchar_t* password_argument =
      password || !NeedsPassword(spec.account) ? secret.c_str() : nullptr;
  if (!::ChangeServiceConfigW(service->get(), SERVICE_NO_CHANGE, ScmStartType(spec.start_type),
                              SERVICE_NO_CHANGE, Widen(spec.ImagePath()).c_str(), nullptr, nullptr,
                              dependencies.c_str(),
                              AccountArgument(account) ? account.c_str() : L"LocalSystem",
                              password_argument, Widen(spec.display_name).c_str())) {
    return Win32Error("changing the configuration of " + spec.name);
  }
  Result<std::vector<std::string>> unsupported = ApplyConfig2(service->get(), spec);
  if (!unsupported) return unsupported.error();
  warnings.insert(warnings.end(), unsupported->begin(), unsupported->end());
  return warnings;
}

Result<ServiceState> ScmServiceManager::State(const std::string& name) {
  Result<UniqueServiceHandle> service = Open(name, SERVICE_QUERY_STATUS);
  if (!service) return service.error();
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!::QueryServiceStatusEx(service->get(), SC_STATUS_PROCESS_INFO,
                              reinterpret_cast<BYTE*>(&status), sizeof(status), &needed)) {
    return Win32Error("asking the SCM about " + name);
  }
  return ServiceState{status.dwCurrentState, status.dwProcessId, status.dwWin32ExitCode};
}

Result<bool> ScmServiceManager::IsRunning(const std::string& name) {
  Result<ServiceState> state = State(name);
  if (!state) return state.error();
  return state->state != SERVICE_STOPPED;
}

Result<void> ScmServiceManager::Start(const std::string& name, std::chrono::milliseconds timeout) {
  Result<UniqueServiceHandle> service = Open(name, SERVICE_START | SERVICE_QUERY_STATUS);
  if (!service) return service.error();
  if (!::StartServiceW(service->get(), 0, nullptr) &&
      ::GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) {
    return Win32Error("starting " + name);
  }
  return WaitForState(service->get(), name, SERVICE_RUNNING, timeout);
}

Result<void> ScmServiceManager::Stop(const std::string& name, std::chrono::milliseconds timeout) {
  Result<UniqueServiceHandle> service = Open(name, SERVICE_STOP | SERVICE_QUERY_STATUS);
  if (!service) return service.error();
  SERVICE_STATUS ignored{};
  if (!::ControlService(service->get(), SERVICE_CONTROL_STOP, &ignored)) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_SERVICE_NOT_ACTIVE) return Ok();
    if (error != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) return Win32Error("stopping " + name, error);
  }
  return WaitForState(service->get(), name, SERVICE_STOPPED, timeout);
}

Result<void> ScmServiceManager::StartAndVerify(const ServiceSpec& spec,
                                               std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  if (Result<void> started = Start(spec.name, timeout); !started) return started;
  const auto left =
      std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
               std::chrono::milliseconds(1000));
  // Any answer will do: SERVING waits on the workers, which a restart of supd does not.
  if (auto answer = AskHealth(HealthPipeOfArguments(spec.arguments), "", left); !answer) {
    return Error(ErrorKind::kUnavailable,
                 spec.name + " runs but does not answer: " + answer.error().message());
  }
  return Ok();
}

Result<void> ScmServiceManager::Uninstall(const std::string& name,
                                          std::chrono::milliseconds timeout) {
  // Its own event source only: another instance's (another --pipe-prefix) stays.
  Result<ServiceSpec> spec = Query(name);
  if (!spec) return spec.error();
  if (Result<void> stopped = Stop(name, timeout); !stopped) return stopped;
  Result<UniqueServiceHandle> service = Open(name, DELETE);
  if (!service) return service.error();
  if (!::DeleteService(service->get()) && ::GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
    return Win32Error("removing the service " + name);
  }
  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, EventSourceKey(spec->arguments).c_str());
  return Ok();
}

}  // namespace sup::client::win
