// A uniquely named supd service for one e2e test: its own pipes and its own configuration key
// (HKLM\SOFTWARE\SupE2E\<name>), registered with the SCM, stopped, deleted and its key removed
// on destruction even when an assertion failed half-way.
#pragma once

#include <windows.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/win/unique_handle.h"
#include "process_runner.h"
#include "sup/v1/control.pb.h"

namespace sup::testing {

std::optional<SERVICE_STATUS_PROCESS> QueryServiceState(SC_HANDLE service);
bool WaitForServiceState(SC_HANDLE service, DWORD state, std::chrono::milliseconds timeout);
bool ProcessGone(DWORD pid, std::chrono::milliseconds timeout);

// How many times `part` occurs in `text` (not overlapping).
std::size_t CountOccurrences(const std::string& text, const std::string& part);
inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
inline bool IsRunning(const sup::v1::WorkerStatus& w) {
  return w.state() == sup::v1::WorkerStatus::RUNNING;
}

// testworker.exe with `arguments`, as a Command value.
std::string TestWorkerCommand(const std::vector<std::string>& arguments);

// Asserts that a Result<void> (InstallAndStart, Stop, Start) is ok, printing its error if not.
#define ASSERT_SUPD_OK(expression)                                    \
  do {                                                                \
    const ::sup::Result<void> supd_result_ = (expression);            \
    ASSERT_TRUE(supd_result_.ok()) << supd_result_.error().message(); \
  } while (false)

class SupdService {
 public:
  explicit SupdService(std::string_view test);
  ~SupdService();

  // Worker configuration, written before or while the service runs.
  void SetString(const std::string& worker, const std::string& value, const std::string& data);
  void SetDword(const std::string& worker, const std::string& value, DWORD data);
  void SetMultiString(const std::string& worker, const std::string& value,
                      const std::vector<std::string>& items);
  void SetProbe(const std::string& worker, const std::string& probe, const std::string& type,
                const std::string& target, DWORD period_ms, DWORD failure_threshold);
  // A daemon-wide value (PipeInstances, WriteDeadlineMs, LogDirectory, AutoReload, ...).
  void SetDaemonString(const std::string& value, const std::string& data);
  void SetDaemonDword(const std::string& value, DWORD data);
  // A worker running testworker.exe with `arguments`, restarting quickly (BackoffInitialMs 100).
  void AddWorker(const std::string& worker, const std::vector<std::string>& arguments);

  // Before InstallAndStart: this supd is the machine's default instance, configured under
  // HKLM\SOFTWARE\Sup and started without --pipe-prefix, so that its pipes are its ControlPipe and
  // HealthPipe values (the test sets ControlPipe to control_pipe(), a name of its own). At most
  // one test may do this: it is the only one that touches the default key.
  void UseTheDefaultConfigurationKey();

  Result<void> InstallAndStart();
  Result<void> Stop();
  Result<void> Start();  // again, after Stop
  DWORD ServicePid() const;
  // What the SCM says of the service (state, pid, exit codes): for a failure's message, so that a
  // supd that ended says how.
  std::string ServiceState() const;
  // The service process's private bytes (PROCESS_MEMORY_COUNTERS::PagefileUsage); 0 if unknown.
  std::size_t PrivateBytes() const;

  SC_HANDLE handle() const { return service_.get(); }
  const std::string& name() const { return name_; }
  std::string control_pipe() const { return name_ + "-control"; }
  std::string config_key() const { return "HKLM\\" + config_key_; }  // as --config-key takes it

  // Status over the control pipe; nullopt if supd did not answer.
  std::optional<sup::v1::StatusResponse> Status() const;
  std::optional<sup::v1::WorkerStatus> Worker(const std::string& worker) const;
  // The same where a test needs the answer: a missing one is a test failure that says so, and
  // an empty status comes back (pid 0, STATE_UNSPECIFIED), never undefined behaviour.
  sup::v1::WorkerStatus WorkerOrFail(const std::string& worker) const;
  // Waits until `worker`'s status satisfies `condition`; the last status seen, or nullopt.
  std::optional<sup::v1::WorkerStatus> WaitForWorker(
      const std::string& worker, const std::function<bool(const sup::v1::WorkerStatus&)>& condition,
      std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  ProcessOutput Supctl(std::vector<std::string> arguments) const;
  // The same with `input` as its standard input (`worker set-password NAME --stdin`).
  ProcessOutput SupctlWithInput(std::vector<std::string> arguments,
                                const std::optional<std::string>& input) const;

  // supd's own log (in a folder of this test's unless the test set LogDirectory itself).
  std::string log_directory() const { return log_directory_; }
  std::string Log() const;
  // How many times `text` occurs in supd's log.
  std::size_t CountInLog(const std::string& text) const;
  // Waits until `text` occurs in supd's log at least `times` times; a test failure that shows
  // the log's end if it does not.
  bool WaitForLog(const std::string& text, std::size_t times = 1,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  std::wstring WorkerKey(const std::string& worker) const;
  void SetString(const std::wstring& key, const std::string& value, const std::string& data);
  void SetDword(const std::wstring& key, const std::string& value, DWORD data);

  std::string name_;
  std::string config_key_;  // below HKLM
  bool default_instance_ = false;
  std::string log_directory_;
  win::UniqueServiceHandle manager_;
  win::UniqueServiceHandle service_;
};

}  // namespace sup::testing
