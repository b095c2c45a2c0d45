// supd's registration with the Service Control Manager: install, query, change, start, stop,
// uninstall. The ServiceManager port of `service set` plus what the other `supctl service`
// commands need. Settings the system refuses with ERROR_INVALID_LEVEL (Wine: failure-actions
// flag, delayed auto-start, service SID) come back as warnings, never as failures.
#pragma once

#include <windows.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/service/service_change.h"
#include "common/config/config_model.h"
#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::client::win {

// Where a service is in its life, as `service status` shows it.
struct ServiceState {
  DWORD state = 0;  // SERVICE_RUNNING, ...
  DWORD pid = 0;
  DWORD win32_exit_code = 0;
};
std::string_view ServiceStateName(DWORD state);  // "RUNNING", "STOPPED", ...

// The value of `option` (e.g. "--config-key") in supd's `arguments`, as `--option VALUE` or
// `--option=VALUE`, split by the Windows rules; nullopt if absent.
std::optional<std::string> SupdOption(const std::string& arguments, std::string_view option);

// The daemon values of the configuration key `key` ("HKLM\SOFTWARE\Sup"), or the defaults when
// it cannot be read or holds an invalid one: the pipes supctl looks for.
DaemonConfig ConfiguredDaemonValues(const std::string& key);

// The health pipe of a supd started with `arguments`, as supd itself works it out: <P>-health
// for --pipe-prefix P, else the HealthPipe value of its configuration key (--config-key, or
// HKLM\SOFTWARE\Sup), else sup-health.
std::string HealthPipeOfArguments(const std::string& arguments);

// SDDL of supd's service object. The SCM's default gives interactive and service logons
// (IU, SU) SERVICE_USER_DEFINED_CONTROL: any user could send control 128 (apply a staged
// configuration, which `supctl update` keeps for administrators) or flood supd with 129. Here
// only SYSTEM and Administrators may stop, start or control supd; the operators group
// (`operators_sid`, or none) may start and stop it; interactive, service and every authenticated
// logon may only query it (supctl finds supd's pid that way, to trust its pipe).
std::string ServiceObjectSddl(const std::string& operators_sid);

// Gives the open `service` (WRITE_DAC) the DACL of `sddl` through `set` (the system's
// SetServiceObjectSecurity; a test records the call: Wine accepts it and keeps nothing).
using SetServiceSecurityFunction = BOOL(WINAPI*)(SC_HANDLE, SECURITY_INFORMATION,
                                                 PSECURITY_DESCRIPTOR);
Result<void> SetServiceDacl(SC_HANDLE service, const std::string& name, const std::string& sddl,
                            SetServiceSecurityFunction set = ::SetServiceObjectSecurity);

class ScmServiceManager final : public ServiceManager {
 public:
  // Connects to the local SCM; fails (access denied) unless elevated.
  static Result<ScmServiceManager> Connect();

  // Registers `spec`, grants a user account the logon-as-a-service right, and registers the
  // instance's event log source ("supd", or "supd-<prefix>" for --pipe-prefix). Returns warnings
  // for settings this system does not support.
  Result<std::vector<std::string>> Install(const ServiceSpec& spec,
                                           const std::optional<std::string>& password);
  // Completes a service another installer registered (Windows Installer's ServiceInstall):
  // quotes a program path with spaces left unquoted, and registers the instance's event log
  // source. Returns a line for each thing done.
  Result<std::vector<std::string>> Adopt(const std::string& name);
  // Stops the service, deletes it and its own event log source (not another instance's).
  Result<void> Uninstall(const std::string& name, std::chrono::milliseconds timeout);
  Result<void> Start(const std::string& name, std::chrono::milliseconds timeout);
  Result<ServiceState> State(const std::string& name);
  // SetServiceDacl on the service `name`.
  Result<void> SetSecurity(const std::string& name, const std::string& sddl);

  Result<ServiceSpec> Query(const std::string& name) override;
  Result<std::vector<std::string>> Configure(const ServiceSpec& spec,
                                             const std::optional<std::string>& password) override;
  Result<bool> IsRunning(const std::string& name) override;
  Result<void> Stop(const std::string& name, std::chrono::milliseconds timeout) override;
  Result<void> StartAndVerify(const ServiceSpec& spec, std::chrono::milliseconds timeout) override;

 private:
  explicit ScmServiceManager(sup::win::UniqueServiceHandle manager)
      : manager_(std::move(manager)) {}
  Result<sup::win::UniqueServiceHandle> Open(const std::string& name, DWORD access);

  sup::win::UniqueServiceHandle manager_;
};

// Makes every ChangeServiceConfig2W call of `spec` on `service`; ERROR_INVALID_LEVEL becomes a
// warning "<setting>: not supported by this system".
Result<std::vector<std::string>> ApplyConfig2(SC_HANDLE service, const ServiceSpec& spec);

// Sets the flag that applies the failure actions when supd stops with an error code, not only
// when it crashes (what `service prepare` adds to the MSI's install). What was done, or
// "<setting>: not supported by this system" where the SCM refuses the level (Wine).
Result<std::string> ApplyFailureActionsOnErrorExits(SC_HANDLE service, const std::string& name);

}  // namespace sup::client::win
