#include "common/config/config_schema.h"

#include "common/frame_codec.h"
#include "common/pipe_names.h"

namespace sup::config {
namespace {

constexpr std::uint64_t kHourMs = 3'600'000;
constexpr std::uint64_t kDayMs = 24 * kHourMs;

// Typed views of a ParsedValue, for the apply functions of the tables below.
const std::string& AsString(const ParsedValue& v) { return std::get<std::string>(v); }
const std::vector<std::string>& AsList(const ParsedValue& v) {
  return std::get<std::vector<std::string>>(v);
}
std::uint64_t AsNumber(const ParsedValue& v) { return std::get<std::uint64_t>(v); }
std::uint32_t AsUint32(const ParsedValue& v) { return static_cast<std::uint32_t>(AsNumber(v)); }
Millis AsMillis(const ParsedValue& v) { return Millis(static_cast<Millis::rep>(AsNumber(v))); }
bool AsBool(const ParsedValue& v) { return AsNumber(v) != 0; }
template <typename Enum>
Enum AsChoice(const ParsedValue& v) {  // choices are listed in the enum's order (config_model.h)
  return static_cast<Enum>(AsNumber(v));
}
std::vector<StopStep> AsStopSteps(const ParsedValue& v) {
  std::vector<StopStep> steps;
  for (std::int64_t index : std::get<std::vector<std::int64_t>>(v))
    steps.push_back(static_cast<StopStep>(index));
  return steps;
}

using DaemonRow = SchemaValue<DaemonConfig>;
using WorkerRow = SchemaValue<WorkerConfig>;
using ProbeRow = SchemaValue<ProbeConfig>;

const DaemonRow kDaemonSchema[] = {
    {.name = "ControlPipe",
     .kind = ValueKind::kString,
     .default_text = "sup-control",
     .min = 1,
     .max = kMaxServedPipeNameChars,
     .description =
         "Name of the control pipe, \\\\.\\pipe\\<name> (no backslash; not HealthPipe's).",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.control_pipe = AsString(v); }},
    {.name = "HealthPipe",
     .kind = ValueKind::kString,
     .default_text = "sup-health",
     .min = 1,
     .max = kMaxServedPipeNameChars,
     .description = "Name of the health pipe, \\\\.\\pipe\\<name>.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.health_pipe = AsString(v); }},
    {.name = "LogDirectory",
     .kind = ValueKind::kString,
     .default_text = "%ProgramData%\\Sup\\logs",
     .min = 1,
     .max = 260,
     .description = "Folder of supd's own log and of the workers' default log files.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.log_directory = AsString(v); }},
    {.name = "LogLevel",
     .kind = ValueKind::kChoice,
     .default_text = "info",
     .choices = kLogLevelNames,
     .description = "Least severe level supd logs.",
     .apply = [](DaemonConfig& c,
                 const ParsedValue& v) { c.log_level = kLogLevelNames[AsNumber(v)]; }},
    {.name = "OperatorsGroup",
     .kind = ValueKind::kString,
     .max = 256,
     .description =
         "Group whose members may read status and start, stop and restart workers (empty: only "
         "SYSTEM "
         "and Administrators). Applies on reload; one that cannot be resolved is tried again every "
         "minute, only administrators acting meanwhile.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.operators_group = AsString(v); }},
    {.name = "AutoReload",
     .kind = ValueKind::kBool,
     .default_text = "1",
     .max = 1,
     .description = "1: a change under this key applies by itself within a second. 0: it applies "
                    "only on `supctl "
                    "update`, "
                    "`sc control supd paramchange` or control 128 (`supctl reread` shows what is "
                    "waiting). Read "
                    "at every change.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.auto_reload = AsBool(v); }},
    {.name = "SelfCheckMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 1000,
     .max = kHourMs,
     .description =
         "supd watches its own supervision: when it has not answered for this long (a bug, a call "
         "that blocks), the health pipe and /healthz answer NOT_SERVING saying so, supd's log and "
         "the "
         "event log say it once, and SelfRestart decides what follows. Applies on reload.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.self_check_ms = AsNumber(v); }},
    {.name = "SelfRestart",
     .kind = ValueKind::kBool,
     .default_text = "0",
     .max = 1,
     .description =
         "1: supd whose supervision has not answered for SelfCheckMs ends with service-specific "
         "exit "
         "code 4, so that the service's failure actions start it again (its workers end with it). "
         "0: "
         "it only says so, and serves again if supervision comes back. Applies on reload.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.self_restart = AsBool(v); }},
    {.name = "MaxFrameBytes",
     .kind = ValueKind::kUint,
     .default_text = "1048576",
     .min = 4096,
     .max = kLargestMaxFrameBytes,
     .description = "Largest request or reply on the pipes; a longer length prefix closes that "
                    "connection. Read "
                    "at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.max_frame_bytes = AsNumber(v); }},
    {.name = "PipeInstances",
     .kind = ValueKind::kUint,
     .default_text = "32",
     .min = 2,
     .max = 254,
     .description =
         "Clients each pipe serves at once; more wait for a free instance. One account may hold a "
         "quarter of them; on the control pipe an eighth are kept for administrators. Read at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.pipe_instances = AsNumber(v); }},
    {.name = "MaxStreams",
     .kind = ValueKind::kUint,
     .default_text = "64",
     .min = 1,
     .max = 1024,
     .description =
         "Open follow streams (logs -f, events -f, health watches) per pipe. Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.max_streams = AsNumber(v); }},
    {.name = "RequestDeadlineMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "A client that connects must send each complete request within this long, or "
                    "is disconnected. "
                    "Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.request_deadline_ms = AsNumber(v); }},
    {.name = "WriteDeadlineMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "A client that stops reading what supd sends it (a stalled follower) is "
                    "disconnected after "
                    "this long. "
                    "Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.write_deadline_ms = AsNumber(v); }},
    {.name = "MetricsTextfile",
     .kind = ValueKind::kString,
     .max = 260,
     .description =
         "Prometheus metrics file for windows_exporter's textfile collector (e.g. C:\\Program "
         "Files\\windows_exporter\\textfile_inputs\\sup.prom), replaced whole on every state "
         "change "
         "(at most once a second), every MetricsIntervalMs and when supd stops; empty: none. Read "
         "at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.metrics_textfile = AsString(v); }},
    {.name = "HttpListen",
     .kind = ValueKind::kString,
     .max = 64,
     .description =
         "Numeric address and port of the HTTP endpoint for load balancers and monitors, e.g. "
         "127.0.0.1:9182: GET /metrics (Prometheus), /healthz (200 when every worker serves, else "
         "503) and /healthz/<worker>. No authentication: anything but a loopback address lets the "
         "network read them. A request must name localhost or this address as its Host. A port "
         "that "
         "is taken is tried again until it is free (supctl status says so). Empty: off. Read at "
         "start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.http_listen = AsString(v); }},
    {.name = "MetricsIntervalMs",
     .kind = ValueKind::kUint,
     .default_text = "15000",
     .min = 1000,
     .max = kHourMs,
     .description =
         "How often MetricsTextfile is rewritten (with fresh resource figures) when nothing "
         "changes, "
         "and how long the HTTP endpoint's /metrics serves the same rendering. Read at start.",
     .apply = [](DaemonConfig& c, const ParsedValue& v) { c.metrics_interval_ms = AsNumber(v); }},
};

const WorkerRow kWorkerSchema[] = {
    {.name = "Command",
     .kind = ValueKind::kString,
     .required = true,
     .min = 1,
     .max = 32767,
     .description = "Command line of the worker: program and arguments, quoted by the Windows "
                    "rules; a program "
                    "path with a "
                    "space must be quoted (unquoted, Windows would try C:\\Program.exe first).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.command = AsString(v); }},
    {.name = "WorkingDirectory",
     .kind = ValueKind::kString,
     .max = 260,
     .description = "Folder the worker starts in (empty: supd's).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.working_directory = AsString(v); }},
    {.name = "Environment",
     .kind = ValueKind::kStringList,
     .description = "KEY=VALUE entries merged onto the service's environment.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.environment = AsList(v); }},
    {.name = "Enabled",
     .kind = ValueKind::kBool,
     .default_text = "1",
     .max = 1,
     .description = "0 keeps the worker configured but stopped.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.enabled = AsBool(v); }},
    {.name = "DependsOn",
     .kind = ValueKind::kStringList,
     .description =
         "Workers that must be RUNNING and ready before this one starts. As systemd's Requires=: a "
         "restart, "
         "launch change, Enabled=0, removal or stop of one of them stops this worker first, and it "
         "starts again once "
         "they run and are ready; a crash of one leaves this worker alone.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.depends_on = AsList(v); }},
    {.name = "Restart",
     .kind = ValueKind::kChoice,
     .default_text = "always",
     .choices = kRestartModeNames,
     .description = "When an exited worker is started again.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.policy.restart = AsChoice<RestartMode>(v); }},
    {.name = "SuccessExitCodes",
     .kind = ValueKind::kExitCodes,
     .default_text = "0",
     .description =
         "Exit codes that mean success (for Restart on-failure and the circuit breaker).",
     .apply =
         [](WorkerConfig& w, const ParsedValue& v) {
           w.policy.success_exit_codes = std::get<std::vector<std::int64_t>>(v);
         }},
    {.name = "StartSeconds",
     .kind = ValueKind::kUint,
     .default_text = "1",
     .max = 3600,
     .description =
         "Uptime after which a start counts as successful (unless a startup probe decides).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.policy.start_time = Millis(AsNumber(v) * 1000); }},
    {.name = "Notify",
     .kind = ValueKind::kBool,
     .default_text = "0",
     .max = 1,
     .description =
         "1: the worker says when it is ready, by writing READY=1 to the pipe named in its "
         "SUP_NOTIFY_PIPE (`supctl notify READY=1` from a script, sup_notify.h from a program); it "
         "is RUNNING only then (and once a startup probe passes, if it has one), and ready only "
         "when a readiness probe passes too. StartSeconds does not apply; StartTimeoutMs does.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.notify = AsBool(v); }},
    {.name = "StartTimeoutMs",
     .kind = ValueKind::kUint,
     .default_text = "90000",
     .max = kDayMs,
     .description = "With Notify=1: how long a start waits for READY=1; longer is a failed start "
                    "(reason start-timeout), its process stopped through the stop ladder. 0: as "
                    "long as it takes.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.start_timeout = AsMillis(v); }},
    {.name = "WatchdogMs",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = kDayMs,
     .description =
         "Once the worker is RUNNING, it must write WATCHDOG=1 to its notify pipe at least this "
         "often, or it is restarted through its stop ladder with reason watchdog, a failure as a "
         "failed liveness probe is. STOPPING=1 ends the watch for that process. 0: none.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.watchdog = AsMillis(v); }},
    {.name = "BackoffInitialMs",
     .kind = ValueKind::kUint,
     .default_text = "1000",
     .max = kHourMs,
     .description =
         "First restart delay; it doubles with each consecutive failure (with +/-20 % jitter).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.policy.backoff_initial = AsMillis(v); }},
    {.name = "BackoffMaxMs",
     .kind = ValueKind::kUint,
     .default_text = "60000",
     .max = kHourMs,
     .description = "Longest restart delay.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.backoff_max = AsMillis(v); }},
    {.name = "StableAfterMs",
     .kind = ValueKind::kUint,
     .default_text = "60000",
     .max = kDayMs,
     .description = "Healthy uptime after which the backoff starts over.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.stable_after = AsMillis(v); }},
    {.name = "MaxFailures",
     .kind = ValueKind::kUint,
     .default_text = "5",
     .min = 1,
     .max = 1000,
     .description = "Failures within FailureWindowMs that open the circuit breaker (state FAILED).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.max_failures = AsUint32(v); }},
    {.name = "FailureWindowMs",
     .kind = ValueKind::kUint,
     .default_text = "60000",
     .min = 1000,
     .max = kDayMs,
     .description = "Window in which failures are counted for the circuit breaker.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.failure_window = AsMillis(v); }},
    {.name = "FailedRetryMs",
     .kind = ValueKind::kUint,
     .default_text = "300000",
     .max = kDayMs,
     .description = "Retry period of a FAILED worker (0: only an operator starts it again).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.failed_retry = AsMillis(v); }},
    {.name = "StopSteps",
     .kind = ValueKind::kChoiceList,
     .default_text = "event,ctrl-c,close,terminate",
     .choices = kStopStepNames,
     .description = "Stop ladder, in order; it always ends in terminate (the job is killed).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.stop_steps = AsStopSteps(v); }},
    {.name = "StopTimeoutMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .max = kHourMs,
     .description =
         "Time from a stop request to terminate, shared equally by the steps before terminate.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.policy.stop_timeout = AsMillis(v); }},
    {.name = "StdoutLog",
     .kind = ValueKind::kString,
     .max = 260,
     .description =
         "File of the worker's stdout (empty: LogDirectory\\<name>.out.log; none: not captured).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.stdout_log = AsString(v); }},
    {.name = "StderrLog",
     .kind = ValueKind::kString,
     .max = 260,
     .description =
         "File of the worker's stderr (empty: LogDirectory\\<name>.err.log; none: not captured; "
         "StdoutLog's path: both streams into one file).",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.stderr_log = AsString(v); }},
    {.name = "LogMaxBytes",
     .kind = ValueKind::kUint,
     .default_text = "10485760",
     .min = 4096,
     .max = 1ULL << 40,
     .description = "Size at which a log file is rotated.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_max_bytes = AsNumber(v); }},
    {.name = "LogBackups",
     .kind = ValueKind::kUint,
     .default_text = "5",
     .max = 1000,
     .description =
         "Rotated log files kept, the newest; each is named by its rotation time "
         "(<name>.out.20261130-120405.123.log), or just after the newest backup if the clock went "
         "back, so they sort by age.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_backups = AsUint32(v); }},
    {.name = "LogRotateEvery",
     .kind = ValueKind::kChoice,
     .default_text = "none",
     .choices = kRotateEveryNames,
     .description = "Also rotate when an hour or a day (UTC) begins: none, hourly or daily; a file "
                    "that saw no "
                    "line in a period is not rotated.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.log_rotate_every = AsChoice<RotateEvery>(v); }},
    {.name = "LogMaxAgeDays",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = 3650,
     .description = "Backups rotated longer ago than this are removed at the next rotation, "
                    "whatever LogBackups "
                    "allows; 0: no age limit.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.log_max_age_days = AsUint32(v); }},
    {.name = "LogTimestamps",
     .kind = ValueKind::kBool,
     .default_text = "0",
     .max = 1,
     .description = "1 prefixes each captured line with the time it was read.",
     .apply = [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_timestamps = AsBool(v); }},
    {.name = "OutputEncoding",
     .kind = ValueKind::kEncoding,
     .default_text = "auto",
     .description =
         "How the worker's output is decoded for supctl, describe and events: auto (UTF-8 where a "
         "line is valid UTF-8, else the system's ANSI code page), utf-8, ansi, oem, or a code page "
         "number (1252, 850, 932, ...). Invalid bytes show as U+FFFD; the log files keep the bytes "
         "as "
         "written.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.output_encoding = std::get<OutputEncoding>(v); }},
    {.name = "MemoryLimitMB",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = 1 << 20,
     .description = "Hard memory limit of the worker's job in MiB (0: none): an allocation beyond "
                    "it fails, and "
                    "supd restarts the worker through its stop ladder with reason memory-limit.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.memory_limit_mb = AsUint32(v); }},
    {.name = "MemoryRestartMB",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = 1 << 20,
     .description =
         "Soft memory threshold in MiB (0: none): a worker whose job's working set is above it at "
         "two "
         "checks in a row is restarted through its stop ladder with reason memory-limit (PM2's "
         "max_memory_restart).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.policy.memory_restart_mb = AsUint32(v); }},
    {.name = "MemoryCheckMs",
     .kind = ValueKind::kUint,
     .default_text = "5000",
     .min = 100,
     .max = kHourMs,
     .description =
         "How often the working set is checked against MemoryRestartMB while the worker runs; only "
         "workers with a threshold are checked.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.policy.memory_check_period = AsMillis(v); }},
    {.name = "CpuRatePercent",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = 100,
     .description = "Job CPU rate cap in percent of the machine (0: none).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.cpu_rate_percent = AsUint32(v); }},
    {.name = "Priority",
     .kind = ValueKind::kChoice,
     .default_text = "normal",
     .choices = kPriorityNames,
     .description = "Priority class of the worker's processes.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.priority = AsChoice<Priority>(v); }},
    {.name = "Account",
     .kind = ValueKind::kAccount,
     .default_text = "LocalSystem",
     .description =
         "Account the worker runs as: LocalSystem (supd's, with the reduced token of Restricted), "
         "LocalService or NetworkService (logged on by supd, no password), a user account .\\name, "
         "DOMAIN\\name or name@domain (with the password supctl worker set-password gives supd, or "
         "LogonType=s4u and none) or a group managed service account DOMAIN\\name$ (no password). "
         "The worker gets the account's profile and environment, and its worker SID as a group. "
         "NetworkService reaches the network as the computer.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.identity.account = std::get<WorkerAccount>(v); }},
    {.name = "LogonType",
     .kind = ValueKind::kChoice,
     .default_text = "service",
     .choices = kLogonTypeNames,
     .description =
         "How supd logs a user Account on: service (with its kept password, as the SCM does: the "
         "account needs the right to log on as a service, which set-password grants) or s4u (no "
         "password kept, as Task Scheduler's \"do not store password\": the worker has no network "
         "credentials; the account needs the right to log on as a batch job). Only for .\\name, "
         "DOMAIN\\name and name@domain.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.identity.logon_type = AsChoice<LogonType>(v); }},
    {.name = "ActiveProcessLimit",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = 100000,
     .description =
         "Most processes the worker's job may hold at once, the worker included (0: no limit); a "
         "start of one more fails in the worker (for workers that should not start programs: 1). A "
         "worker with its own console (the ctrl-c stop step) may count its conhost.exe too.",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.active_process_limit = AsUint32(v); }},
    {.name = "Restricted",
     .kind = ValueKind::kBool,
     .default_text = "1",
     .max = 1,
     .description =
         "1: a reduced token: the privileges that take a machine over deleted (all but "
         "SeChangeNotify, SeCreateGlobal, SeIncreaseWorkingSet and SeTimeZone, and "
         "KeepPrivileges), "
         "Administrators and service SIDs deny-only, and for LocalSystem write-restricted "
         "(WriteAccess): it reads what SYSTEM reads but writes only where allowed. 0: the "
         "account's "
         "full token; for LocalSystem supd's, with which the worker can take the machine over "
         "(supd "
         "warns).",
     .apply = [](WorkerConfig& w,
                 const ParsedValue& v) { w.launch.identity.restricted = AsBool(v); }},
    {.name = "WriteAccess",
     .kind = ValueKind::kChoice,
     .default_text = "users",
     .choices = kWriteAccessNames,
     .description =
         "Where a Restricted worker may write: users (LocalSystem: where the Users group or the "
         "worker's SID may; another Account: where the account may) or own (only where its worker "
         "SID is granted: supctl worker show prints it, for icacls /grant *SID:M).",
     .apply =
         [](WorkerConfig& w, const ParsedValue& v) {
           w.launch.identity.write_access = AsChoice<WriteAccess>(v);
         }},
    {.name = "KeepPrivileges",
     .kind = ValueKind::kChoiceList,
     .choices = kPrivilegeNames,
     .description = "Privileges a Restricted worker keeps beyond the harmless ones, by name "
                    "(SeLockMemoryPrivilege, SeImpersonatePrivilege, ...); only those supd's own "
                    "token holds can "
                    "be kept.",
     .apply =
         [](WorkerConfig& w, const ParsedValue& v) {
           w.launch.identity.keep_privileges.clear();
           for (std::int64_t index : std::get<std::vector<std::int64_t>>(v))
             w.launch.identity.keep_privileges.emplace_back(kPrivilegeNames[index]);
         }},
};

const ProbeRow kProbeSchema[] = {
    {.name = "Type",
     .kind = ValueKind::kChoice,
     .required = true,
     .choices = kProbeTypeNames,
     .description = "tcp (connect), http (GET, 200-399), exec (exit code 0) or pipe (connect to a "
                    "named pipe).",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.type = AsChoice<ProbeType>(v); }},
    {.name = "Target",
     .kind = ValueKind::kString,
     .required = true,
     .min = 1,
     .max = 2048,
     .description =
         "By Type: tcp host:port; http http://host[:port][/path]; exec a command line (a spaced "
         "program path "
         "quoted); pipe the name in \\\\.\\pipe\\<name>. Checked when the configuration is read.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.target = AsString(v); }},
    {.name = "InitialDelayMs",
     .kind = ValueKind::kUint,
     .default_text = "0",
     .max = kHourMs,
     .description = "Delay before the first probe.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.initial_delay = AsMillis(v); }},
    {.name = "PeriodMs",
     .kind = ValueKind::kUint,
     .default_text = "10000",
     .min = 100,
     .max = kHourMs,
     .description = "Time between probes.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.period = AsMillis(v); }},
    {.name = "TimeoutMs",
     .kind = ValueKind::kUint,
     .default_text = "1000",
     .min = 1,
     .max = kHourMs,
     .description = "Time after which one probe counts as failed.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.timeout = AsMillis(v); }},
    {.name = "SuccessThreshold",
     .kind = ValueKind::kUint,
     .default_text = "1",
     .min = 1,
     .max = 100,
     .description = "Consecutive successes that make the probe pass (1 for Startup and Liveness).",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.success_threshold = AsUint32(v); }},
    {.name = "FailureThreshold",
     .kind = ValueKind::kUint,
     .default_text = "3",
     .min = 1,
     .max = 100,
     .description = "Consecutive failures that make the probe fail.",
     .apply = [](ProbeConfig& p, const ParsedValue& v) { p.failure_threshold = AsUint32(v); }},
};

}  // namespace

std::span<const SchemaValue<DaemonConfig>> DaemonSchema() { return kDaemonSchema; }
std::span<const SchemaValue<WorkerConfig>> WorkerSchema() { return kWorkerSchema; }
std::span<const SchemaValue<ProbeConfig>> ProbeSchema() { return kProbeSchema; }

}  // namespace sup::config
