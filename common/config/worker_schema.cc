// The schema of a worker's values (Workers\\<name>): one row per value, in the order the
// documentation lists them. The daemon's and the probes' rows are in config_schema.cc.
#include "common/config/config_schema.h"
#include "common/config/schema_rows.h"

namespace sup::config {
namespace {

using namespace schema_rows;
using WorkerRow = SchemaValue<WorkerConfig>;

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

}  // namespace

std::span<const SchemaValue<WorkerConfig>> WorkerSchema() { return kWorkerSchema; }

}  // namespace sup::config
