#include "client/service/service_change.h"

namespace sup::client {

namespace {

// Puts `previous` back after a failed change: its configuration, and the service running again
// if it ran before. Returns what the caller's error should add.
std::string RollBack(ServiceManager& manager, const ServiceSpec& previous, bool was_running,
                     std::chrono::milliseconds timeout) {
  if (Result<std::vector<std::string>> restored = manager.Configure(previous, std::nullopt);
      !restored) {
    return "; rolling back failed too: " + restored.error().message();
  }
  if (!was_running) return "; rolled back to the previous configuration";
  static_cast<void>(manager.Stop(previous.name, timeout));  // it may still be half-started
  if (Result<void> started = manager.StartAndVerify(previous, timeout); !started) {
    return "; rolled back to the previous configuration, but it did not start again either: " +
           started.error().message();
  }
  return "; rolled back to the previous configuration, which runs again";
}

}  // namespace

Result<ServiceSetOutcome> ChangeService(ServiceManager& manager, const std::string& name,
                                        const ServiceOverrides& overrides, bool what_if,
                                        std::chrono::milliseconds timeout) {
  Result<ServiceSpec> installed = manager.Query(name);
  if (!installed) return installed.error();
  const ServiceSpec wanted = ApplyOverrides(*installed, overrides);
  ServiceSetOutcome outcome;
  outcome.change = Diff(*installed, wanted, overrides.password.has_value());
  if (what_if || outcome.change.empty()) return outcome;

  Result<bool> running = manager.IsRunning(name);
  if (!running) return running.error();
  Result<std::vector<std::string>> configured = manager.Configure(wanted, overrides.password);
  if (!configured) {
    const std::string rolled = RollBack(manager, *installed, /*was_running=*/false, timeout);
    return Error(ErrorKind::kFailedPrecondition,
                 "changing " + name + ": " + configured.error().message() + rolled);
  }
  outcome.warnings = std::move(*configured);
  outcome.applied = true;
  if (!outcome.change.NeedsRestart() || !*running) return outcome;

  outcome.restarted = true;
  Result<void> restarted = manager.Stop(name, timeout);
  if (restarted) restarted = manager.StartAndVerify(wanted, timeout);
  if (!restarted) {
    const std::string rolled = RollBack(manager, *installed, /*was_running=*/true, timeout);
    return Error(ErrorKind::kFailedPrecondition, "restarting " + name + " with the change: " +
                                                     restarted.error().message() + rolled);
  }
  return outcome;
}

}  // namespace sup::client
