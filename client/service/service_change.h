// `supctl service set`: changes an installed supd service in place, without a reboot, and rolls
// back when the change leaves it unable to run. Portable orchestration over the ServiceManager
// port, so every path (applied, restarted, failed and rolled back, rollback failed) is
// unit-tested with a fake; the Windows adapter is client/win/scm_service.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/service/service_spec.h"
#include "common/result.h"

namespace sup::client {

// The Service Control Manager as `service set` needs it.
class ServiceManager {
 public:
  virtual ~ServiceManager() = default;
  virtual Result<ServiceSpec> Query(const std::string& name) = 0;
  // Writes every setting of `spec` (and the password, if given). The settings this system does
  // not support come back as warnings, not as a failure.
  virtual Result<std::vector<std::string>> Configure(
      const ServiceSpec& spec, const std::optional<std::string>& password) = 0;
  virtual Result<bool> IsRunning(const std::string& name) = 0;
  virtual Result<void> Stop(const std::string& name, std::chrono::milliseconds timeout) = 0;
  // Starts the service and waits until the SCM says RUNNING and supd answers its health pipe.
  virtual Result<void> StartAndVerify(const ServiceSpec& spec,
                                      std::chrono::milliseconds timeout) = 0;
};

struct ServiceSetOutcome {
  ServiceChange change;
  std::vector<std::string> warnings;
  bool applied = false;    // false: --what-if, or nothing to change
  bool restarted = false;  // the change needed a restart and the service was running
};

// Applies `overrides` to the installed service `name`. With `what_if`, only works out the change.
// If the change needs a restart and the service runs, restarts it and verifies it within
// `timeout`; if that fails, restores the previous configuration, starts it again, and fails
// saying what went wrong and that it was rolled back.
Result<ServiceSetOutcome> ChangeService(ServiceManager& manager, const std::string& name,
                                        const ServiceOverrides& overrides, bool what_if,
                                        std::chrono::milliseconds timeout);

}  // namespace sup::client
