// Everything supd runs, wired together on one io thread: the registry configuration and its
// watch, the supervision engine with its Windows adapters (job launcher, prober, timers, state
// store), and the control pipe server. The health pipe is the read side: served by threads of its
// own from the status the io thread publishes after each change (control::StatusBoard), so no
// health check waits for the io thread.
//
// Threading: Create and Run on the thread that becomes the io thread; RequestStop and
// RequestReload from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/fanout.h"
#include "common/rate_limit.h"
#include "common/config/win/registry_config.h"
#include "common/result.h"
#include "common/win/unique_handle.h"
#include "daemon/win/instance_lock.h"
#include "daemon/control/audit.h"
#include "daemon/control/daemon_problems.h"

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace sup::win {
class RegistryConfigSource;
class RegistryStateStore;
}  // namespace sup::win
namespace sup::control {
class ConfigApplier;
class SelfCheck;
enum class ApplyTrigger;
class ControlDispatcher;
class EventFeed;
class HealthService;
class EventLogWriter;
struct EventLogEntry;
class StatusBoard;
class StatusPublisher;
}  // namespace sup::control
namespace sup {
class FileWorkers;
struct DaemonConfig;
}  // namespace sup
namespace sup::engine {
class EventSink;
class RandomSource;
class Supervisor;
}  // namespace sup::engine

namespace sup::win {

class CallerIdentity;

class AsioTimers;
class ConfigWatcher;
class IoInbox;
class JobLauncher;
class PasswordVault;

class Prober;
class ResourceSampler;
class MetricsTextfile;
class SelfWatch;
class HttpEndpoint;
class ServedPipe;

// Called between the phases of a start ("configuration loaded", "control pipe listening",
// "workers started"): the service reports a START_PENDING checkpoint each time.
using StartProgress = std::function<void(const char* phase)>;

struct DaemonOptions {
  std::optional<std::string>
      pipe_prefix;  // pipes <prefix>-control, <prefix>-health; overrides the registry
  std::string config_key = "HKLM\\SOFTWARE\\Sup";
  // The Windows event log of the instance (the service's); none when null (console, tests).
  std::shared_ptr<control::EventLogWriter> event_log;
};

class Daemon {
 public:
  // Loads the configuration, claims the instance, starts listening on the control pipe and
  // starts the workers: when this returns, clients can connect. Fails if the configuration key
  // cannot be read or another supd already serves the same pipes.
  static Result<std::unique_ptr<Daemon>> Create(
      const DaemonOptions& options, std::shared_ptr<spdlog::logger> log,
      const StartProgress& progress = [](const char*) {});
  ~Daemon();

  // Runs the io thread on the calling thread until a stop has completed.
  void Run();
  // Stops every worker (dependents first), then the pipes; Run returns afterwards.
  void RequestStop();
  // Re-reads the configuration and applies the difference. Any thread; one request is pending at a
  // time (a request made while one waits is that one: it reads the registry when it runs).
  void RequestReload();
  // Reopens every worker log at its path (user control 129), for rotation tools that rename the
  // file away and then ask for a new one. Pending one at a time, as RequestReload.
  void RequestReopenLogs();
  // Called on the io thread every couple of seconds while a stop is under way (the service
  // reports STOP_PENDING with it, so the SCM never gives up on a long stop ladder).
  void SetStopProgress(std::function<void()> progress);
  // How supd ends at once with `exit_code` (SelfRestart, when supervision stopped answering): the
  // service reports SERVICE_STOPPED with it as a service-specific error, so the SCM's failure
  // actions restart supd. Called on a read-side thread. By default the process ends with that
  // code; tests record it instead.
  void SetEndSupd(std::function<void(unsigned exit_code)> end);
  // Runs `task` on the io thread. Tests stall the io thread this way to see the self-check.
  void Post(std::function<void()> task);

 private:
  // The daemon's side of applying a configuration (control::ConfigApplyHost): supd's log, the
  // operators group and the configuration key's writers.
  class ApplyHost;

  explicit Daemon(std::shared_ptr<spdlog::logger> log);
  // The steps of Create, in order.
  void BuildEngine(const win::RegistryPath& config_key,
                   const std::optional<std::string>& without_logon);
  void BuildControlPlane(const DaemonConfig& limits);
  Result<void> ListenOnPipes(const std::string& control_pipe, const std::string& health_pipe,
                             const DaemonConfig& limits);
  void StartHttpEndpoint(const DaemonConfig& limits);
  void StartMetricsFile(const DaemonConfig& limits);
  void StartWatches(const win::RegistryPath& config_key);
  // A registry change applies only while AutoReload is 1; a reload request (PARAMCHANGE,
  // control 128) always does. Nothing once supd is stopping.
  void Reload(control::ApplyTrigger trigger);
  // Whether the lines of a request someone sent (a reload or reopen control) may be logged now
  // (at most kRequestLogBurst a minute: a loop of `sc control` must not fill supd.log and the
  // event log), and how many were not since the last that was. On the io thread.
  std::optional<std::uint64_t> AllowRequestLines();
  static constexpr int kRequestLogBurst = 10;
  // Makes `group` the operators group (OperatorsGroup): the callers' roles and the control pipe's
  // DACL follow it; one that cannot be resolved now is tried again every kOperatorsRetry.
  void ResolveOperators(const std::string& group);
  static constexpr std::chrono::milliseconds kOperatorsRetry{60'000};
  void ReportToEventLog(const control::EventLogEntry& entry);
  // Warns (log and event log) when anyone but SYSTEM, Administrators and supd's own account may
  // change the configuration key or a key below it; once per change of who, at start and reload.
  void CheckConfigKeyWriters();
  // The Prometheus metrics now: every worker, the running ones' resources.
  std::string RenderMetricsNow();
  // The same, rendered at most once per MetricsIntervalMs (for /metrics: a client looping on it
  // costs the io thread one rendering an interval).
  const std::string& RecentMetrics();
  void ReportStopProgress();
  // How long this supd's stop may take, written beside its instance lock when it stops.
  std::chrono::milliseconds StopBudget() const;
  static constexpr std::chrono::milliseconds kStopBudgetMargin{5'000};
  static constexpr std::chrono::milliseconds kLongestStopBudget{600'000};
  // The self-check's reactions, on a read-side thread (SelfWatch).
  void OnSupervisionUnanswered(std::chrono::milliseconds silence);
  void OnSupervisionAnsweringAgain(std::chrono::milliseconds silence);
  // Runs the read side's io_context on its threads / lets them finish and joins them.
  void StartReadSide();
  void JoinReadSide();

  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<control::EventLogWriter> event_log_writer_;  // may be null
  InstanceLock instance_lock_;  // held for the daemon's life: one supd per control pipe
  SystemClock clock_;
  std::unique_ptr<boost::asio::io_context> io_;  // declared first: destroyed last
  // File work off the io thread (log files, the metrics file), and its way back to the io
  // thread; before everything that posts to them, so destroyed after (the workers wait a moment
  // for the last lines), and the inbox closed before io_ goes.
  std::unique_ptr<FileWorkers> files_;
  std::unique_ptr<IoInbox> inbox_;
  // The read side: the health pipe's io_context and its threads (joined before anything goes).
  std::unique_ptr<boost::asio::io_context> read_io_;
  std::shared_ptr<void> read_work_;  // keeps read_io_'s threads running until JoinReadSide
  std::vector<std::thread> read_threads_;
  std::unique_ptr<AsioTimers> timers_;
  // Workers' passwords; declared before the launcher, whose logons on file workers read them.
  std::unique_ptr<PasswordVault> passwords_;
  std::unique_ptr<JobLauncher> launcher_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<ResourceSampler> resources_;
  std::unique_ptr<win::RegistryConfigSource> config_source_;
  win::RegistryPath config_key_;
  std::optional<std::string> config_key_writers_;  // as last reported ("" = none)
  std::unique_ptr<win::RegistryStateStore> state_store_;
  std::unique_ptr<engine::EventSink> events_out_;  // to supd's log and the event log
  std::unique_ptr<control::EventFeed>
      event_feed_;  // the engine's events: to events_out_ and to followers
  std::unique_ptr<engine::RandomSource> random_;
  std::unique_ptr<engine::Supervisor>
      supervisor_;                             // after the ports it uses: destroyed before them
  control::DaemonProblems problems_;           // supd's own, for Status: set from any thread
  std::unique_ptr<control::AuditSink> audit_;  // who changed what: log and event log
  // Reloads and `supctl update` alike (sup_config_last_reload_successful comes from it).
  std::unique_ptr<ApplyHost> apply_host_;
  std::unique_ptr<control::ConfigApplier> config_applier_;
  std::unique_ptr<control::ControlDispatcher> dispatcher_;
  std::unique_ptr<control::StatusBoard> status_board_;
  std::unique_ptr<control::StatusPublisher> status_publisher_;  // into status_board_
  // Whether the io thread still beats (SelfCheckMs); health answers NOT_SERVING once it does not.
  std::unique_ptr<control::SelfCheck> self_check_;
  std::atomic<bool> self_restart_{false};  // SelfRestart, read on the read side
  std::function<void(unsigned)> end_supd_;
  std::unique_ptr<control::HealthService> health_;  // from status_board_ and self_check_
  std::unique_ptr<ServedPipe> control_pipe_;
  std::optional<std::string> operators_group_;  // as configured (none before the first)
  std::unique_ptr<CallerIdentity> identity_;    // roles from OperatorsGroup, as resolved
  std::uint64_t operators_retry_ = 0;           // the timer of the next try, while unresolved
  std::unique_ptr<ServedPipe> health_pipe_;
  std::unique_ptr<ConfigWatcher> config_watcher_;
  std::unique_ptr<SelfWatch> self_watch_;  // after timers_ and read_io_: goes before them
  std::function<void()> stop_progress_;
  std::uint64_t progress_timer_ = 0;
  bool stopping_ = false;
  // A reload and a reopen each pending on the io thread (RequestReload, RequestReopenLogs).
  std::atomic<bool> reload_pending_{false};
  std::atomic<bool> reopen_pending_{false};
  RateLimit request_lines_{kRequestLogBurst, std::chrono::minutes(1)};
  // MetricsTextfile, if configured, and what rewrites it on every event.
  std::unique_ptr<MetricsTextfile> metrics_file_;
  Subscription metrics_changes_;
  std::unique_ptr<HttpEndpoint> http_;  // HttpListen, if configured
  std::chrono::milliseconds metrics_interval_{15'000};
  std::string recent_metrics_;  // RecentMetrics, rendered at recent_metrics_at_
  std::optional<std::chrono::steady_clock::time_point> recent_metrics_at_;
};

}  // namespace sup::win
