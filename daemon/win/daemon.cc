#include "daemon/win/daemon.h"

#include "daemon/win/asio.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "common/protocol.h"
#include "common/version.h"
#include "common/win/own_folder.h"
#include "common/win/text.h"
#include "common/config/validate.h"
#include "daemon/control/config_apply.h"
#include "daemon/control/control_dispatcher.h"
#include "daemon/control/self_check.h"
#include "daemon/control/event_feed.h"
#include "daemon/control/event_log_entry.h"
#include "daemon/control/health_service.h"
#include "daemon/control/metrics.h"
#include "daemon/control/refusing_session.h"
#include "daemon/control/status_board.h"
#include "daemon/engine/mersenne_random.h"
#include "daemon/engine/supervisor.h"
#include "daemon/engine/win/asio_timers.h"
#include "daemon/control/win/caller_identity.h"
#include "daemon/win/config_watcher.h"
#include "daemon/engine/win/job_launcher.h"
#include "daemon/engine/win/password_vault.h"
#include "daemon/engine/win/worker_token.h"
#include "daemon/control/win/pipe_server.h"
#include "common/file_workers.h"
#include "daemon/win/io_inbox.h"
#include "daemon/win/log_sinks.h"
#include "daemon/win/logging.h"
#include "daemon/control/win/served_pipe.h"
#include "daemon/control/win/http_endpoint.h"
#include "daemon/win/instance_lock.h"
#include "daemon/control/win/metrics_textfile.h"
#include "daemon/engine/win/prober.h"
#include "daemon/control/win/resource_sampler.h"
#include "daemon/win/self_watch.h"
#include "daemon/win/exception_barrier.h"
#include "common/config/win/key_security.h"
#include "common/config/win/registry_config.h"
#include "common/win/object_security.h"

namespace sup::win {
namespace {

constexpr Millis kStopProgressPeriod{2000};

// What a pipe serves: `service`'s sessions (ControlDispatcher, HealthService), each client's
// account read as it connects, and refusals answered in the pipe's protocol.
template <typename Request, typename Response, typename Service>
PipeService ServiceOn(Service& service, CallerIdentifier identify, AccountIdentifier account) {
  return PipeService{
      .open = [&service](control::FrameSink& sink,
                         const control::Caller& caller) { return service.Open(sink, caller); },
      .refuse =
          [](control::FrameSink& sink, std::string reason) {
            return std::make_unique<control::RefusingSession<Request, Response>>(sink,
                                                                                 std::move(reason));
          },
      .identify = std::move(identify),
      .account = std::move(account)};
}

}  // namespace

class Daemon::ApplyHost final : public control::ConfigApplyHost {
 public:
  explicit ApplyHost(Daemon& daemon) : daemon_(daemon) {}
  std::optional<std::uint64_t> AllowRequestLines() override { return daemon_.AllowRequestLines(); }
  void Warn(const std::string& line) override { daemon_.log_->warn("{}", line); }
  void Info(const std::string& line) override { daemon_.log_->info("{}", line); }
  void AdoptDaemonValues(const DaemonConfig& values) override {
    if (values.operators_group != daemon_.operators_group_)
      daemon_.ResolveOperators(values.operators_group);
    daemon_.self_check_->SetLimit(std::chrono::milliseconds(values.self_check_ms));
    daemon_.self_restart_ = values.self_restart;
  }
  void CheckConfigKey() override { daemon_.CheckConfigKeyWriters(); }

 private:
  Daemon& daemon_;
};

Daemon::Daemon(std::shared_ptr<spdlog::logger> log)
    : log_(std::move(log)),
      io_(std::make_unique<boost::asio::io_context>(1)),
      read_io_(std::make_unique<boost::asio::io_context>()) {}

Daemon::~Daemon() {
  JoinReadSide();  // a Daemon that never ran (a failed Create) has none to join
  // The supervisor goes before the launcher: nothing may report to it after that.
  if (launcher_) launcher_->ReportTo(nullptr);
  if (inbox_) inbox_->Close();  // file work ending later (a file that never answered) says nothing
  OnDaemonLogProblem(*log_, nullptr);  // the logger outlives problems_
}

void Daemon::StartReadSide() {
  // A few threads: health checks come from many clients at once (monitoring, load balancers);
  // each connection is served on its own strand. Measured with 16 clients on 2 cores under Wine:
  // 2 threads 0.73x the raw transport, 4 threads 0.83x, 8 threads 0.84x (and 4 MB more memory).
  constexpr unsigned threads = 4;
  read_work_ =
      std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          read_io_->get_executor());
  for (unsigned i = 0; i < threads; ++i) read_threads_.emplace_back([this] { read_io_->run(); });
}

void Daemon::JoinReadSide() {
  // The health server has been stopped: its connections close, their pending operations end as
  // aborted, and the threads return once nothing is left (the self-check's timer included).
  if (self_watch_) self_watch_->Stop();
  if (health_pipe_) health_pipe_->Stop();
  if (http_) http_->Stop();
  read_work_.reset();
  for (std::thread& thread : read_threads_) thread.join();
  read_threads_.clear();
}

// The supervision engine and the adapters it runs on: timers, files, the launcher and prober,
// the state store and password vault under the configuration key, the event feed, and the
// launcher's reports wired to the supervisor.
void Daemon::BuildEngine(const win::RegistryPath& config_key,
                         const std::optional<std::string>& without_logon) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  d.timers_ = std::make_unique<AsioTimers>(*d.io_);
  d.files_ = std::make_unique<FileWorkers>();
  d.inbox_ = std::make_unique<IoInbox>(*d.io_);
  d.launcher_ =
      std::make_unique<JobLauncher>(LogFileWork{*d.io_, *d.files_, *d.inbox_, d.clock_}, log);
  d.prober_ = std::make_unique<Prober>(
      *d.io_, *d.files_, *d.inbox_,
      [&d](const std::string& worker) { return d.launcher_->JobOf(worker); },
      [&d](const std::string& worker) { return d.launcher_->RunAsOf(worker); });
  d.resources_ = std::make_unique<ResourceSampler>(*d.launcher_);
  d.state_store_ = std::make_unique<win::RegistryStateStore>(config_key);
  // <key>\State is made below, and the key with it if nothing is configured yet: made first
  // with the configuration key's descriptor, not with what SOFTWARE passes on (everyone reads).
  if (Result<void> secured = win::SecureConfigKeyIfMissing(config_key, OwnUserSid()); !secured)
    log->warn("configuration key not secured reason=\"{}\"", secured.error().message());
  if (Result<void> prepared = d.state_store_->Prepare(); !prepared) {
    log->warn("operator intent will not outlive supd reason=\"{}\"", prepared.error().message());
  }
  // <key>\Secrets too, before the configuration is watched (as State).
  d.passwords_ = std::make_unique<PasswordVault>(
      config_key, [&d](const std::string& worker) { d.launcher_->ForgetToken(worker); });
  if (Result<void> prepared = d.passwords_->Prepare(); !prepared) {
    log->warn("worker passwords cannot be kept reason=\"{}\"", prepared.error().message());
  }
  d.launcher_->SetPasswords(
      [vault = d.passwords_.get()](const std::string& worker) { return vault->Reveal(worker); });
  d.events_out_ = std::make_unique<LogEventSink>(log, d.event_log_writer_);
  d.event_feed_ = std::make_unique<control::EventFeed>(*d.events_out_);
  d.random_ = std::make_unique<engine::MersenneRandom>();
  d.supervisor_ = std::make_unique<engine::Supervisor>(engine::SupervisorPorts{
      d.clock_, *d.timers_, *d.launcher_, *d.prober_, *d.state_store_, *d.event_feed_, *d.random_});
  // Exits, starts, memory limits, undelivered stop steps and log files that cannot be written
  // (an event: supd's log, the event log, `supctl events`; status and describe show it while it
  // lasts) go up to the supervisor.
  d.launcher_->ReportTo(d.supervisor_.get());
  if (without_logon) d.supervisor_->RefuseOtherAccounts(*without_logon);
  d.config_applier_ = std::make_unique<control::ConfigApplier>(
      *d.supervisor_, *d.config_source_, d.apply_host_.get(), d.event_log_writer_.get());
  // supd.log that takes no writes (or cannot be rotated) shows in status while it lasts.
  OnDaemonLogProblem(*log, [&d](const std::optional<std::string>& problem) {
    if (problem) return d.problems_.Set("supd.log", *problem);
    d.problems_.Clear("supd.log");
  });
}

// The control plane on the engine: the dispatcher, the status board and its publisher, the
// self-check and the health service.
void Daemon::BuildControlPlane(const DaemonConfig& limits) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  d.audit_ = std::make_unique<LogAuditSink>(log, d.event_log_writer_);
  d.dispatcher_ = std::make_unique<control::ControlDispatcher>(
      control::ControlPorts{d.clock_, *d.supervisor_, *d.config_applier_, d.launcher_->output(),
                            *d.event_feed_, *d.resources_, &d.problems_, d.audit_.get(),
                            d.passwords_.get()},
      control::DaemonIdentity{static_cast<std::uint32_t>(::GetCurrentProcessId()),
                              std::string(SupVersion()), std::string(SupCommit())},
      control::ControlLimits{.max_streams = limits.max_streams,
                             .max_frame_bytes = limits.max_frame_bytes,
                             .processors = std::max(std::thread::hardware_concurrency(), 1u)});
  d.status_board_ = std::make_unique<control::StatusBoard>();
  d.status_publisher_ = std::make_unique<control::StatusPublisher>(
      *d.supervisor_, *d.event_feed_, *d.status_board_,
      [&d](std::function<void()> task) { boost::asio::post(*d.io_, std::move(task)); });
  d.self_check_ = std::make_unique<control::SelfCheck>(
      d.clock_, std::chrono::milliseconds(limits.self_check_ms));
  d.self_restart_ = limits.self_restart;
  d.health_ = std::make_unique<control::HealthService>(*d.status_board_, limits.max_streams,
                                                       d.self_check_.get());
}

// The control pipe (on the io thread) and the health pipe (on the read side), each under its
// protected name and its well-known one.
Result<void> Daemon::ListenOnPipes(const std::string& control_pipe, const std::string& health_pipe,
                                   const DaemonConfig& limits) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  PipeServerOptions pipe_options;
  const int instances = static_cast<int>(limits.pipe_instances);
  pipe_options.max_frame_bytes = limits.max_frame_bytes;
  pipe_options.request_deadline = std::chrono::milliseconds(limits.request_deadline_ms);
  pipe_options.write_deadline = std::chrono::milliseconds(limits.write_deadline_ms);
  d.ResolveOperators(limits.operators_group);
  // A client inside a worker's job is never an administrator, whatever its token (a reduced
  // worker is SYSTEM): not for its role, nor for the control instances kept for administrators.
  const auto from_a_worker = [&d](HANDLE pipe) {
    return ClientIsAWorker(pipe, [&d](HANDLE process) {
      return d.launcher_->InAWorkersJob(process) || d.prober_->InAProbesJob(process);
    });
  };
  const auto identify = [&d, from_a_worker](HANDLE pipe) {
    return d.identity_->Identify(pipe, from_a_worker(pipe));
  };
  const auto account = [from_a_worker](HANDLE pipe) {
    control::ClientAccount client = ClientAccountOf(pipe);
    if (client.administrator && from_a_worker(pipe)) client.administrator = false;
    return client;
  };
  // Health verbs are open to everyone the pipe admits: no need to know who (nor to touch
  // identity_, which the io thread replaces when the operators group changes).
  const auto anyone = [](HANDLE) { return control::Caller{}; };

  // The well-known names may be held by another process (created while supd was down): that is
  // said in the event log too; supd serves them once free, and its protected names meanwhile.
  const PipeCreator creator = OwnPipeCreator();
  const auto name_taken = [&d](const std::string& pipe, const std::optional<std::string>& taken) {
    if (!taken) return d.problems_.Clear("pipe " + pipe);
    d.problems_.Set("pipe " + pipe, *taken + " (supd serves it once it is free)");
    d.ReportToEventLog(control::PipeNameTaken(pipe, *taken));
  };
  pipe_options.pipe_name = control_pipe;
  pipe_options.sddl = d.identity_->ControlPipeSddl();
  pipe_options.connections =
      control::DefaultConnectionLimits(instances, /*keep_some_for_administrators=*/true);
  Result<std::unique_ptr<ServedPipe>> control = ServedPipe::Start(
      *d.io_, pipe_options, creator,
      ServiceOn<sup::v1::Request, sup::v1::Response>(*d.dispatcher_, identify, account), log,
      name_taken);
  if (!control) return control.error().WithContext("listening on the control pipe");
  d.control_pipe_ = std::move(*control);

  pipe_options.pipe_name = health_pipe;
  pipe_options.sddl = HealthPipeSddl(OwnUserSid());
  pipe_options.connections =
      control::DefaultConnectionLimits(instances, /*keep_some_for_administrators=*/false);
  pipe_options.parallel = true;  // the read side's threads
  Result<std::unique_ptr<ServedPipe>> health = ServedPipe::Start(
      *d.read_io_, pipe_options, creator,
      ServiceOn<sup::v1::HealthRequest, sup::v1::HealthResponse>(*d.health_, anyone, account), log,
      name_taken);
  if (!health) return health.error().WithContext("listening on the health pipe");
  d.health_pipe_ = std::move(*health);
  return Ok();
}

// /healthz and /metrics (HttpListen), if configured.
void Daemon::StartHttpEndpoint(const DaemonConfig& limits) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  if (!limits.http_listen.empty()) {
    // Bound before the workers start (a port taken meanwhile is tried again until free, shown in
    // status). On the read side: /healthz from the published status; /metrics from the io thread
    // (the figures are its to read), rendered at most once per MetricsIntervalMs, the connection
    // waiting for them without a thread waiting.
    Result<std::unique_ptr<HttpEndpoint>> http = HttpEndpoint::Start(
        *d.read_io_,
        HttpEndpointOptions{.listen = limits.http_listen,
                            .on_listen_problem =
                                [&d](const std::optional<std::string>& problem) {
                                  if (problem) return d.problems_.Set("http", *problem);
                                  d.problems_.Clear("http");
                                }},
        control::HttpRoutes{.metrics =
                                [&d](std::function<void(std::string)> reply) {
                                  boost::asio::post(*d.io_, [&d, reply = std::move(reply)] {
                                    reply(d.RecentMetrics());
                                  });
                                },
                            // The health pipe's answer, so both say the same.
                            .serving = [&d](const std::string& worker) -> std::optional<bool> {
                              const auto status = d.health_->StatusOf(worker);
                              if (!status) return std::nullopt;
                              return *status == sup::v1::HealthCheckResponse::SERVING;
                            },
                            .reason = [&d] { return d.health_->Reason(); }},
        log);
    if (http) {
      d.http_ = std::move(*http);
    } else {
      log->error("http endpoint not started reason=\"{}\"", http.error().message());
    }
  }
}

// The Prometheus textfile (MetricsTextfile), if configured.
void Daemon::StartMetricsFile(const DaemonConfig& limits) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  if (!limits.metrics_textfile.empty()) {
    d.metrics_file_ = std::make_unique<MetricsTextfile>(
        *d.io_, *d.files_, *d.inbox_, ExpandEnvironmentVariables(Widen(limits.metrics_textfile)),
        std::chrono::milliseconds(limits.metrics_interval_ms),
        [&d] { return d.RenderMetricsNow(); }, log, &MetricsTextfile::ReplaceMetricsFile,
        std::chrono::seconds(10),
        [&d](const std::optional<std::string>& problem) {
          if (problem) return d.problems_.Set("metrics", *problem);
          d.problems_.Clear("metrics");
        });
    d.metrics_changes_ =
        d.event_feed_->Follow([&d](const engine::Event&) { d.metrics_file_->Changed(); });
    d.metrics_file_->Start();
  }
}

// supd watching its own supervision (SelfWatch) and the configuration key (ConfigWatcher).
void Daemon::StartWatches(const win::RegistryPath& config_key) {
  Daemon& d = *this;
  const std::shared_ptr<spdlog::logger>& log = log_;
  d.self_watch_ = std::make_unique<SelfWatch>(
      *d.self_check_, *d.timers_, *d.read_io_,
      SelfWatch::Reactions{
          .unanswered =
              [&d](std::chrono::milliseconds silence) { d.OnSupervisionUnanswered(silence); },
          .answering_again =
              [&d](std::chrono::milliseconds silence) { d.OnSupervisionAnsweringAgain(silence); }});
  d.self_watch_->Start();
  Result<std::unique_ptr<ConfigWatcher>> watcher = ConfigWatcher::Start(
      *d.io_, config_key, [&d] { d.Reload(control::ApplyTrigger::kRegistryChange); }, log);
  if (watcher) {
    d.config_watcher_ = std::move(*watcher);
  } else {
    log->warn("config changes need a reload command reason=\"{}\"", watcher.error().message());
  }
}

Result<std::unique_ptr<Daemon>> Daemon::Create(const DaemonOptions& options,
                                               std::shared_ptr<spdlog::logger> log,
                                               const StartProgress& progress) {
  Result<win::RegistryPath> config_key = win::ParseRegistryPath(options.config_key);
  if (!config_key) return config_key.error().WithContext("--config-key");

  std::unique_ptr<Daemon> daemon(new Daemon(log));
  Daemon& d = *daemon;
  d.event_log_writer_ = options.event_log;
  d.config_source_ = std::make_unique<win::RegistryConfigSource>(*config_key);
  d.config_key_ = *config_key;
  // supd without SeTcbPrivilege (installed as its virtual account or a gMSA) cannot log accounts
  // on: a worker that asks for one is a configuration error at every reading.
  const std::optional<std::string> without_logon = AccountWithoutSeTcb();
  Result<ValidatedConfig> read = config::ReadConfig(*d.config_source_);
  if (!read) return read.error();
  if (without_logon) config::RefuseAccountsSupdCannotLogOn(*read, *without_logon);
  const ValidatedConfig& config = *read;
  d.apply_host_ = std::make_unique<ApplyHost>(d);
  control::ReportConfigProblems(*d.apply_host_, options.event_log.get(), config);
  d.CheckConfigKeyWriters();
  progress("configuration loaded");

  const std::string control_pipe =
      options.pipe_prefix ? ControlPipeName(*options.pipe_prefix) : config.daemon.control_pipe;
  const std::string health_pipe =
      options.pipe_prefix ? HealthPipeName(*options.pipe_prefix) : config.daemon.health_pipe;
  Result<InstanceLock> lock = InstanceLock::Acquire(
      control_pipe, *log,
      [&progress](std::chrono::milliseconds) { progress("waiting for the stopping supd"); });
  if (!lock) return lock.error();
  d.instance_lock_ = std::move(*lock);

  d.BuildEngine(*config_key, without_logon);
  d.BuildControlPlane(config.daemon);
  if (Result<void> listening = d.ListenOnPipes(control_pipe, health_pipe, config.daemon);
      !listening)
    return listening.error();
  progress("control pipe listening");

  d.StartHttpEndpoint(config.daemon);
  d.metrics_interval_ = std::chrono::milliseconds(config.daemon.metrics_interval_ms);
  d.supervisor_->ApplyConfig(config);
  d.status_publisher_->PublishNow();
  progress("workers started");
  d.StartMetricsFile(config.daemon);
  d.StartReadSide();  // the health pipe and the HTTP endpoint now answer
  d.StartWatches(*config_key);
  log->info(
      "supd listening pipes=\"{}\" health_pipes=\"{}\" pid={} version={} config={} workers={}",
      d.control_pipe_->Names(), d.health_pipe_->Names(), ::GetCurrentProcessId(), SupVersion(),
      options.config_key, config.workers.size());
  d.ReportToEventLog(control::SupdStarted(std::string(SupVersion()), ::GetCurrentProcessId(),
                                          options.config_key, config.workers.size()));
  return daemon;
}

void Daemon::ReportToEventLog(const control::EventLogEntry& entry) {
  if (event_log_writer_) event_log_writer_->Report(entry);
}

void Daemon::Run() {
  io_->run();
  JoinReadSide();
}

// A group that cannot be resolved (a domain group before the network is up, a typo) must not keep
// supd from starting: administrators can still act. Operators get their rights once it resolves:
// tried again every minute, and at each reload.
void Daemon::ResolveOperators(const std::string& group) {
  const bool changed = group != operators_group_;
  operators_group_ = group;
  timers_->Cancel(operators_retry_);
  operators_retry_ = 0;
  Result<CallerIdentity> resolved = CallerIdentity::Create(group, OwnUserSid());
  if (!resolved) {
    if (changed) {
      log_->warn(
          "operators group not resolved group=\"{}\" reason=\"{}\" (only SYSTEM and "
          "Administrators may act until it resolves; tried again every minute)",
          group, resolved.error().message());
    }
    resolved = CallerIdentity::Create("", OwnUserSid());  // no group: cannot fail
    operators_retry_ =
        timers_->Schedule(kOperatorsRetry, [this] { ResolveOperators(*operators_group_); });
  } else if (!group.empty()) {
    log_->info("operators group resolved group=\"{}\"", group);
  }
  identity_ = std::make_unique<CallerIdentity>(std::move(*resolved));
  if (control_pipe_) {
    if (Result<void> set = control_pipe_->SetSecurity(identity_->ControlPipeSddl()); !set)
      log_->error("control pipe security not updated reason=\"{}\"", set.error().message());
  }
}

const std::string& Daemon::RecentMetrics() {
  const auto now = std::chrono::steady_clock::now();
  if (!recent_metrics_at_ || now - *recent_metrics_at_ >= metrics_interval_) {
    recent_metrics_ = RenderMetricsNow();
    recent_metrics_at_ = now;
  }
  return recent_metrics_;
}

std::string Daemon::RenderMetricsNow() {
  control::MetricsInput input;
  input.version = std::string(SupVersion());
  input.workers = supervisor_->Snapshot();
  std::vector<std::string> running;
  for (const engine::WorkerSnapshot& worker : input.workers)
    if (worker.pid != 0) running.push_back(worker.name);
  input.resources = resources_->Sample(running);
  input.now = clock_.WallNow();
  input.last_reload_successful = config_applier_->last_reload_successful();
  input.requests = dispatcher_->request_counts();
  return control::RenderMetrics(input);
}

void Daemon::CheckConfigKeyWriters() {
  Result<std::vector<std::string>> found =
      win::ForeignConfigKeyWriters(config_key_, {OwnUserSid()});
  std::string writers;
  if (!found) {
    writers = found.error().message();
  } else {
    for (const std::string& key : *found) writers += (writers.empty() ? "" : "; ") + key;
  }
  if (writers == config_key_writers_) return;  // said already
  const bool first = !config_key_writers_;
  config_key_writers_ = writers;
  if (!writers.empty()) {
    ReportToEventLog(control::ConfigKeyWritable(config_key_.display, writers));
    log_->warn(
        "configuration key writable by others key={} writers=\"{}\" (whoever can change it runs "
        "programs as supd's account: let only SYSTEM and Administrators write it; `supctl service "
        "install` sets this)",
        config_key_.display, writers);
  } else if (!first) {
    log_->info("configuration key writable only by SYSTEM and Administrators again key={}",
               config_key_.display);
  }
}

void Daemon::SetStopProgress(std::function<void()> progress) {
  stop_progress_ = std::move(progress);
}

void Daemon::SetEndSupd(std::function<void(unsigned exit_code)> end) { end_supd_ = std::move(end); }

void Daemon::Post(std::function<void()> task) { boost::asio::post(*io_, std::move(task)); }

void Daemon::OnSupervisionUnanswered(std::chrono::milliseconds silence) {
  const bool restart = self_restart_;
  const std::uint64_t seconds = static_cast<std::uint64_t>(silence.count() / 1000);
  const std::uint64_t limit = static_cast<std::uint64_t>(self_check_->limit().count());
  const std::string then =
      restart ? "supd ends (exit code 4) so that the service's failure actions start it again."
              : "SelfRestart is 0: supd keeps waiting for it.";
  log_->warn(
      "supervision has not answered for {} s self_check_ms={}: health answers NOT_SERVING; {}",
      seconds, limit, then);
  ReportToEventLog(control::SupervisionUnanswered(seconds, limit, then));
  health_->Recheck();
  if (!restart) return;
  log_->flush();
  if (!end_supd_) std::_Exit(static_cast<int>(kSupervisionUnansweredExitCode));
  end_supd_(kSupervisionUnansweredExitCode);
}

void Daemon::OnSupervisionAnsweringAgain(std::chrono::milliseconds silence) {
  log_->warn("supervision answers again after about {} s: health follows the workers again",
             silence.count() / 1000);
  health_->Recheck();
}

void Daemon::RequestReload() {
  if (reload_pending_.exchange(true)) return;  // the one waiting will read what this one would
  boost::asio::post(*io_, [this] {
    reload_pending_ = false;
    Reload(control::ApplyTrigger::kReloadRequest);
  });
}

void Daemon::RequestReopenLogs() {
  if (reopen_pending_.exchange(true)) return;
  boost::asio::post(*io_, [this] {
    reopen_pending_ = false;
    const std::size_t reopened = launcher_->output().ReopenAll();
    if (const std::optional<std::uint64_t> held_back = AllowRequestLines()) {
      log_->info("worker logs reopened control=129 files={}{}", reopened,
                 *held_back ? fmt::format(" ({} more requests not logged)", *held_back) : "");
    }
  });
}

std::optional<std::uint64_t> Daemon::AllowRequestLines() {
  return request_lines_.Allow(std::chrono::steady_clock::now());
}

void Daemon::Reload(control::ApplyTrigger trigger) {
  if (stopping_) return;
  (void)config_applier_->Apply(trigger);  // told in the log and the event log, or held back
}

void Daemon::ReportStopProgress() {
  if (stop_progress_) stop_progress_();
  progress_timer_ = timers_->Schedule(kStopProgressPeriod, [this] { ReportStopProgress(); });
}

std::chrono::milliseconds Daemon::StopBudget() const {
  // Every worker's ladder one after another (dependents stop first, so a chain does), with room
  // for its last step; at most kLongestStopBudget.
  std::chrono::milliseconds budget = kStopBudgetMargin;
  for (const auto& [name, worker] : supervisor_->DefinitionsInForce())
    budget += worker.policy.stop_timeout + kStopBudgetMargin;
  return std::min(budget, kLongestStopBudget);
}

void Daemon::RequestStop() {
  boost::asio::post(*io_, [this] {
    if (stopping_) return;
    stopping_ = true;
    log_->info("supd stopping");
    // A supd started meanwhile (an upgrade, a quick restart) waits for this one instead of
    // giving up on the lock.
    if (Result<void> marked = instance_lock_.MarkStopping(StopBudget()); !marked)
      log_->warn("stop not announced reason=\"{}\"", marked.error().message());
    if (config_watcher_) config_watcher_->Stop();
    // Health turns NOT_SERVING and every stream ends now (each watch's last frame says both);
    // the stop ladders may take a while.
    health_->Stop();
    status_publisher_->MarkStopping();
    dispatcher_->EndStreams();
    progress_timer_ = timers_->Schedule(kStopProgressPeriod, [this] { ReportStopProgress(); });
    supervisor_->Shutdown([this] {
      timers_->Cancel(progress_timer_);
      self_watch_->Stop();
      // Nothing may keep the io thread (and so the SCM's STOP_PENDING) waiting now: a probe in
      // flight would until its timeout, the operators group's retry for up to a minute.
      prober_->Stop();
      timers_->Cancel(operators_retry_);
      metrics_changes_ = Subscription();
      if (metrics_file_) metrics_file_->Stop();  // the last figures: every worker down
      if (http_) http_->Stop();
      control_pipe_->Stop();
      health_pipe_->Stop();
      log_->info("supd stopped: every worker is down");
      ReportToEventLog(control::SupdStopped());
    });
  });
}

}  // namespace sup::win
