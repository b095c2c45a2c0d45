#include "common/config/config_schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <set>

#include "common/command_line.h"
#include "common/config/dependency_graph.h"
#include "common/config/probe_target.h"
#include "common/format.h"
#include "common/frame_codec.h"
#include "common/worker_account.h"

namespace sup::config {
namespace {

constexpr std::uint64_t kMaxDword = 0xffffffff;
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
    {"ControlPipe",
     ValueKind::kString,
     "sup-control",
     false,
     1,
     200,
     {},
     "Name of the control pipe, \\\\.\\pipe\\<name> (no backslash; not HealthPipe's).",
     [](DaemonConfig& c, const ParsedValue& v) { c.control_pipe = AsString(v); }},
    {"HealthPipe",
     ValueKind::kString,
     "sup-health",
     false,
     1,
     200,
     {},
     "Name of the health pipe, \\\\.\\pipe\\<name>.",
     [](DaemonConfig& c, const ParsedValue& v) { c.health_pipe = AsString(v); }},
    {"LogDirectory",
     ValueKind::kString,
     "%ProgramData%\\Sup\\logs",
     false,
     1,
     260,
     {},
     "Folder of supd's own log and of the workers' default log files.",
     [](DaemonConfig& c, const ParsedValue& v) { c.log_directory = AsString(v); }},
    {"LogLevel", ValueKind::kChoice, "info", false, 0, 0, kLogLevelNames,
     "Least severe level supd logs.",
     [](DaemonConfig& c, const ParsedValue& v) { c.log_level = kLogLevelNames[AsNumber(v)]; }},
    {"OperatorsGroup",
     ValueKind::kString,
     "",
     false,
     0,
     256,
     {},
     "Group whose members may read status and start, stop and restart workers (empty: only SYSTEM "
     "and Administrators). Applies on reload; one that cannot be resolved is tried again every "
     "minute, only administrators acting meanwhile.",
     [](DaemonConfig& c, const ParsedValue& v) { c.operators_group = AsString(v); }},
    {"AutoReload",
     ValueKind::kBool,
     "1",
     false,
     0,
     1,
     {},
     "1: a change under this key applies by itself within a second. 0: it applies only on `supctl "
     "update`, "
     "`sc control supd paramchange` or control 128 (`supctl reread` shows what is waiting). Read "
     "at every change.",
     [](DaemonConfig& c, const ParsedValue& v) { c.auto_reload = AsBool(v); }},
    {"SelfCheckMs",
     ValueKind::kUint,
     "10000",
     false,
     1000,
     kHourMs,
     {},
     "supd watches its own supervision: when it has not answered for this long (a bug, a call "
     "that blocks), the health pipe and /healthz answer NOT_SERVING saying so, supd's log and the "
     "event log say it once, and SelfRestart decides what follows. Applies on reload.",
     [](DaemonConfig& c, const ParsedValue& v) { c.self_check_ms = AsNumber(v); }},
    {"SelfRestart",
     ValueKind::kBool,
     "0",
     false,
     0,
     1,
     {},
     "1: supd whose supervision has not answered for SelfCheckMs ends with service-specific exit "
     "code 4, so that the service's failure actions start it again (its workers end with it). 0: "
     "it only says so, and serves again if supervision comes back. Applies on reload.",
     [](DaemonConfig& c, const ParsedValue& v) { c.self_restart = AsBool(v); }},
    {"MaxFrameBytes",
     ValueKind::kUint,
     "1048576",
     false,
     4096,
     kLargestMaxFrameBytes,
     {},
     "Largest request or reply on the pipes; a longer length prefix closes that connection. Read "
     "at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.max_frame_bytes = AsNumber(v); }},
    {"PipeInstances",
     ValueKind::kUint,
     "32",
     false,
     2,
     254,
     {},
     "Clients each pipe serves at once; more wait for a free instance. One account may hold a "
     "quarter of them; on the control pipe an eighth are kept for administrators. Read at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.pipe_instances = AsNumber(v); }},
    {"MaxStreams",
     ValueKind::kUint,
     "64",
     false,
     1,
     1024,
     {},
     "Open follow streams (logs -f, events -f, health watches) per pipe. Read at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.max_streams = AsNumber(v); }},
    {"RequestDeadlineMs",
     ValueKind::kUint,
     "10000",
     false,
     100,
     kHourMs,
     {},
     "A client that connects must send each complete request within this long, or is disconnected. "
     "Read at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.request_deadline_ms = AsNumber(v); }},
    {"WriteDeadlineMs",
     ValueKind::kUint,
     "10000",
     false,
     100,
     kHourMs,
     {},
     "A client that stops reading what supd sends it (a stalled follower) is disconnected after "
     "this long. "
     "Read at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.write_deadline_ms = AsNumber(v); }},
    {"MetricsTextfile",
     ValueKind::kString,
     "",
     false,
     0,
     260,
     {},
     "Prometheus metrics file for windows_exporter's textfile collector (e.g. C:\\Program "
     "Files\\windows_exporter\\textfile_inputs\\sup.prom), replaced whole on every state change "
     "(at most once a second), every MetricsIntervalMs and when supd stops; empty: none. Read at "
     "start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.metrics_textfile = AsString(v); }},
    {"HttpListen",
     ValueKind::kString,
     "",
     false,
     0,
     64,
     {},
     "Numeric address and port of the HTTP endpoint for load balancers and monitors, e.g. "
     "127.0.0.1:9182: GET /metrics (Prometheus), /healthz (200 when every worker serves, else "
     "503) and /healthz/<worker>. No authentication: anything but a loopback address lets the "
     "network read them. A request must name localhost or this address as its Host. A port that "
     "is taken is tried again until it is free (supctl status says so). Empty: off. Read at "
     "start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.http_listen = AsString(v); }},
    {"MetricsIntervalMs",
     ValueKind::kUint,
     "15000",
     false,
     1000,
     kHourMs,
     {},
     "How often MetricsTextfile is rewritten (with fresh resource figures) when nothing changes, "
     "and how long the HTTP endpoint's /metrics serves the same rendering. Read at start.",
     [](DaemonConfig& c, const ParsedValue& v) { c.metrics_interval_ms = AsNumber(v); }},
};

const WorkerRow kWorkerSchema[] = {
    {"Command",
     ValueKind::kString,
     "",
     true,
     1,
     32767,
     {},
     "Command line of the worker: program and arguments, quoted by the Windows rules; a program "
     "path with a "
     "space must be quoted (unquoted, Windows would try C:\\Program.exe first).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.command = AsString(v); }},
    {"WorkingDirectory",
     ValueKind::kString,
     "",
     false,
     0,
     260,
     {},
     "Folder the worker starts in (empty: supd's).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.working_directory = AsString(v); }},
    {"Environment",
     ValueKind::kStringList,
     "",
     false,
     0,
     0,
     {},
     "KEY=VALUE entries merged onto the service's environment.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.environment = AsList(v); }},
    {"Enabled",
     ValueKind::kBool,
     "1",
     false,
     0,
     1,
     {},
     "0 keeps the worker configured but stopped.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.enabled = AsBool(v); }},
    {"DependsOn",
     ValueKind::kStringList,
     "",
     false,
     0,
     0,
     {},
     "Workers that must be RUNNING and ready before this one starts. As systemd's Requires=: a "
     "restart, "
     "launch change, Enabled=0, removal or stop of one of them stops this worker first, and it "
     "starts again once "
     "they run and are ready; a crash of one leaves this worker alone.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.depends_on = AsList(v); }},
    {"Restart", ValueKind::kChoice, "always", false, 0, 0, kRestartModeNames,
     "When an exited worker is started again.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.restart = AsChoice<RestartMode>(v); }},
    {"SuccessExitCodes",
     ValueKind::kExitCodes,
     "0",
     false,
     0,
     0,
     {},
     "Exit codes that mean success (for Restart on-failure and the circuit breaker).",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.policy.success_exit_codes = std::get<std::vector<std::int64_t>>(v);
     }},
    {"StartSeconds",
     ValueKind::kUint,
     "1",
     false,
     0,
     3600,
     {},
     "Uptime after which a start counts as successful (unless a startup probe decides).",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.policy.start_time = Millis(AsNumber(v) * 1000);
     }},
    {"BackoffInitialMs",
     ValueKind::kUint,
     "1000",
     false,
     0,
     kHourMs,
     {},
     "First restart delay; it doubles with each consecutive failure (with +/-20 % jitter).",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.backoff_initial = AsMillis(v); }},
    {"BackoffMaxMs",
     ValueKind::kUint,
     "60000",
     false,
     0,
     kHourMs,
     {},
     "Longest restart delay.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.backoff_max = AsMillis(v); }},
    {"StableAfterMs",
     ValueKind::kUint,
     "60000",
     false,
     0,
     kDayMs,
     {},
     "Healthy uptime after which the backoff starts over.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.stable_after = AsMillis(v); }},
    {"MaxFailures",
     ValueKind::kUint,
     "5",
     false,
     1,
     1000,
     {},
     "Failures within FailureWindowMs that open the circuit breaker (state FAILED).",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.max_failures = AsUint32(v); }},
    {"FailureWindowMs",
     ValueKind::kUint,
     "60000",
     false,
     1000,
     kDayMs,
     {},
     "Window in which failures are counted for the circuit breaker.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.failure_window = AsMillis(v); }},
    {"FailedRetryMs",
     ValueKind::kUint,
     "300000",
     false,
     0,
     kDayMs,
     {},
     "Retry period of a FAILED worker (0: only an operator starts it again).",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.failed_retry = AsMillis(v); }},
    {"StopSteps", ValueKind::kChoiceList, "event,ctrl-c,close,terminate", false, 0, 0,
     kStopStepNames, "Stop ladder, in order; it always ends in terminate (the job is killed).",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.stop_steps = AsStopSteps(v); }},
    {"StopTimeoutMs",
     ValueKind::kUint,
     "10000",
     false,
     0,
     kHourMs,
     {},
     "Time from a stop request to terminate, shared equally by the steps before terminate.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.stop_timeout = AsMillis(v); }},
    {"StdoutLog",
     ValueKind::kString,
     "",
     false,
     0,
     260,
     {},
     "File of the worker's stdout (empty: LogDirectory\\<name>.out.log; none: not captured).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.stdout_log = AsString(v); }},
    {"StderrLog",
     ValueKind::kString,
     "",
     false,
     0,
     260,
     {},
     "File of the worker's stderr (empty: LogDirectory\\<name>.err.log; none: not captured; "
     "StdoutLog's path: both streams into one file).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.stderr_log = AsString(v); }},
    {"LogMaxBytes",
     ValueKind::kUint,
     "10485760",
     false,
     4096,
     1ULL << 40,
     {},
     "Size at which a log file is rotated.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_max_bytes = AsNumber(v); }},
    {"LogBackups",
     ValueKind::kUint,
     "5",
     false,
     0,
     1000,
     {},
     "Rotated log files kept, the newest; each is named by its rotation time "
     "(<name>.out.20261130-120405.123.log), or just after the newest backup if the clock went "
     "back, so they sort by age.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_backups = AsUint32(v); }},
    {"LogRotateEvery", ValueKind::kChoice, "none", false, 0, 0, kRotateEveryNames,
     "Also rotate when an hour or a day (UTC) begins: none, hourly or daily; a file that saw no "
     "line in a period is not rotated.",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.log_rotate_every = AsChoice<RotateEvery>(v);
     }},
    {"LogMaxAgeDays",
     ValueKind::kUint,
     "0",
     false,
     0,
     3650,
     {},
     "Backups rotated longer ago than this are removed at the next rotation, whatever LogBackups "
     "allows; 0: no age limit.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_max_age_days = AsUint32(v); }},
    {"LogTimestamps",
     ValueKind::kBool,
     "0",
     false,
     0,
     1,
     {},
     "1 prefixes each captured line with the time it was read.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.log_timestamps = AsBool(v); }},
    {"OutputEncoding",
     ValueKind::kEncoding,
     "auto",
     false,
     0,
     0,
     {},
     "How the worker's output is decoded for supctl, describe and events: auto (UTF-8 where a "
     "line is valid UTF-8, else the system's ANSI code page), utf-8, ansi, oem, or a code page "
     "number (1252, 850, 932, ...). Invalid bytes show as U+FFFD; the log files keep the bytes as "
     "written.",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.output_encoding = *ParseOutputEncoding(std::get<std::string>(v));
     }},
    {"MemoryLimitMB",
     ValueKind::kUint,
     "0",
     false,
     0,
     1 << 20,
     {},
     "Hard memory limit of the worker's job in MiB (0: none): an allocation beyond it fails, and "
     "supd restarts the worker through its stop ladder with reason memory-limit.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.memory_limit_mb = AsUint32(v); }},
    {"MemoryRestartMB",
     ValueKind::kUint,
     "0",
     false,
     0,
     1 << 20,
     {},
     "Soft memory threshold in MiB (0: none): a worker whose job's working set is above it at two "
     "checks in a row is restarted through its stop ladder with reason memory-limit (PM2's "
     "max_memory_restart).",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.memory_restart_mb = AsUint32(v); }},
    {"MemoryCheckMs",
     ValueKind::kUint,
     "5000",
     false,
     100,
     kHourMs,
     {},
     "How often the working set is checked against MemoryRestartMB while the worker runs; only "
     "workers with a threshold are checked.",
     [](WorkerConfig& w, const ParsedValue& v) { w.policy.memory_check_period = AsMillis(v); }},
    {"CpuRatePercent",
     ValueKind::kUint,
     "0",
     false,
     0,
     100,
     {},
     "Job CPU rate cap in percent of the machine (0: none).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.cpu_rate_percent = AsUint32(v); }},
    {"Priority", ValueKind::kChoice, "normal", false, 0, 0, kPriorityNames,
     "Priority class of the worker's processes.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.priority = AsChoice<Priority>(v); }},
    {"Account",
     ValueKind::kAccount,
     "LocalSystem",
     false,
     0,
     0,
     {},
     "Account the worker runs as: LocalSystem (supd's, with the reduced token of Restricted), "
     "LocalService or NetworkService (logged on by supd, no password), a user account .\\name, "
     "DOMAIN\\name or name@domain (with the password supctl worker set-password gives supd, or "
     "LogonType=s4u and none) or a group managed service account DOMAIN\\name$ (no password). "
     "The worker gets the account's profile and environment, and its worker SID as a group. "
     "NetworkService reaches the network as the computer.",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.identity.account = *ParseWorkerAccount(AsString(v));
     }},
    {"LogonType", ValueKind::kChoice, "service", false, 0, 0, kLogonTypeNames,
     "How supd logs a user Account on: service (with its kept password, as the SCM does: the "
     "account needs the right to log on as a service, which set-password grants) or s4u (no "
     "password kept, as Task Scheduler's \"do not store password\": the worker has no network "
     "credentials; the account needs the right to log on as a batch job). Only for .\\name, "
     "DOMAIN\\name and name@domain.",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.identity.logon_type = AsChoice<LogonType>(v);
     }},
    {"ActiveProcessLimit",
     ValueKind::kUint,
     "0",
     false,
     0,
     100000,
     {},
     "Most processes the worker's job may hold at once, the worker included (0: no limit); a "
     "start of one more fails in the worker (for workers that should not start programs: 1). A "
     "worker with its own console (the ctrl-c stop step) may count its conhost.exe too.",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.active_process_limit = AsUint32(v); }},
    {"Restricted",
     ValueKind::kBool,
     "1",
     false,
     0,
     1,
     {},
     "1: a reduced token: the privileges that take a machine over deleted (all but "
     "SeChangeNotify, SeCreateGlobal, SeIncreaseWorkingSet and SeTimeZone, and KeepPrivileges), "
     "Administrators and service SIDs deny-only, and for LocalSystem write-restricted "
     "(WriteAccess): it reads what SYSTEM reads but writes only where allowed. 0: the account's "
     "full token; for LocalSystem supd's, with which the worker can take the machine over (supd "
     "warns).",
     [](WorkerConfig& w, const ParsedValue& v) { w.launch.identity.restricted = AsBool(v); }},
    {"WriteAccess", ValueKind::kChoice, "users", false, 0, 0, kWriteAccessNames,
     "Where a Restricted worker may write: users (LocalSystem: where the Users group or the "
     "worker's SID may; another Account: where the account may) or own (only where its worker "
     "SID is granted: supctl worker show prints it, for icacls /grant *SID:M).",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.identity.write_access = AsChoice<WriteAccess>(v);
     }},
    {"KeepPrivileges", ValueKind::kChoiceList, "", false, 0, 0, kPrivilegeNames,
     "Privileges a Restricted worker keeps beyond the harmless ones, by name "
     "(SeLockMemoryPrivilege, SeImpersonatePrivilege, ...); only those supd's own token holds can "
     "be kept.",
     [](WorkerConfig& w, const ParsedValue& v) {
       w.launch.identity.keep_privileges.clear();
       for (std::int64_t index : std::get<std::vector<std::int64_t>>(v))
         w.launch.identity.keep_privileges.emplace_back(kPrivilegeNames[index]);
     }},
};

const ProbeRow kProbeSchema[] = {
    {"Type", ValueKind::kChoice, "", true, 0, 0, kProbeTypeNames,
     "tcp (connect), http (GET, 200-399), exec (exit code 0) or pipe (connect to a named pipe).",
     [](ProbeConfig& p, const ParsedValue& v) { p.type = AsChoice<ProbeType>(v); }},
    {"Target",
     ValueKind::kString,
     "",
     true,
     1,
     2048,
     {},
     "By Type: tcp host:port; http http://host[:port][/path]; exec a command line (a spaced "
     "program path "
     "quoted); pipe the name in \\\\.\\pipe\\<name>. Checked when the configuration is read.",
     [](ProbeConfig& p, const ParsedValue& v) { p.target = AsString(v); }},
    {"InitialDelayMs",
     ValueKind::kUint,
     "0",
     false,
     0,
     kHourMs,
     {},
     "Delay before the first probe.",
     [](ProbeConfig& p, const ParsedValue& v) { p.initial_delay = AsMillis(v); }},
    {"PeriodMs",
     ValueKind::kUint,
     "10000",
     false,
     100,
     kHourMs,
     {},
     "Time between probes.",
     [](ProbeConfig& p, const ParsedValue& v) { p.period = AsMillis(v); }},
    {"TimeoutMs",
     ValueKind::kUint,
     "1000",
     false,
     1,
     kHourMs,
     {},
     "Time after which one probe counts as failed.",
     [](ProbeConfig& p, const ParsedValue& v) { p.timeout = AsMillis(v); }},
    {"SuccessThreshold",
     ValueKind::kUint,
     "1",
     false,
     1,
     100,
     {},
     "Consecutive successes that make the probe pass (1 for Startup and Liveness).",
     [](ProbeConfig& p, const ParsedValue& v) { p.success_threshold = AsUint32(v); }},
    {"FailureThreshold",
     ValueKind::kUint,
     "3",
     false,
     1,
     100,
     {},
     "Consecutive failures that make the probe fail.",
     [](ProbeConfig& p, const ParsedValue& v) { p.failure_threshold = AsUint32(v); }},
};

std::optional<std::size_t> ChoiceIndex(std::span<const std::string_view> choices,
                                       std::string_view text) {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (EqualsIgnoringCase(choices[i], text)) return i;
  }
  return std::nullopt;
}

std::string JoinChoices(std::span<const std::string_view> choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + std::string(choices[i]);
  return out;
}

// An exit code as written by an admin: decimal (possibly negative) or 0x-hex, normalised to the
// unsigned 32-bit value GetExitCodeProcess reports.
std::optional<std::int64_t> ParseExitCode(std::string_view text) {
  bool negative = false;
  int base = 10;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  std::uint64_t magnitude = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (negative ? magnitude > 0x80000000ULL : magnitude > kMaxDword) return std::nullopt;
  const std::uint64_t code = negative ? (0x100000000ULL - magnitude) & kMaxDword : magnitude;
  return static_cast<std::int64_t>(code);
}

bool IsString(const RawValue& raw) {
  return raw.type == RawType::kString || raw.type == RawType::kExpandString;
}

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

// The RawValue a row's default_text stands for, as if an admin had written it.
RawValue DefaultAsRaw(ValueKind kind, std::string_view text) {
  switch (kind) {
    case ValueKind::kUint:
    case ValueKind::kBool: {
      std::uint64_t number = 0;
      std::from_chars(text.data(), text.data() + text.size(), number);
      return RawValue::Qword(number);
    }
    case ValueKind::kStringList:
    case ValueKind::kChoiceList:
    case ValueKind::kExitCodes: return RawValue::MultiString(SplitComma(text));
    case ValueKind::kString:
    case ValueKind::kChoice:
    case ValueKind::kEncoding:
    case ValueKind::kAccount: break;
  }
  return RawValue::String(std::string(text));
}

// Collects the errors of one key (the daemon, a worker, a probe) with the key's path.
class ErrorList {
 public:
  explicit ErrorList(std::vector<ConfigError>& errors, std::string key)
      : errors_(errors), key_(std::move(key)) {}
  void Add(std::string value, std::string expected, std::string found) {
    errors_.push_back({key_, std::move(value), std::move(expected), std::move(found)});
  }
  const std::string& key() const { return key_; }

 private:
  std::vector<ConfigError>& errors_;
  std::string key_;
};

template <typename T>
std::string JoinTexts(const std::vector<T>& items,
                      const std::function<std::string(const T&)>& text) {
  std::string joined;
  for (const T& item : items) joined += (joined.empty() ? "" : ",") + text(item);
  return joined;
}

// A parsed value as an admin would write it: "5000", "event,terminate", "on-failure".
std::string FormatParsedValue(ValueKind kind, std::span<const std::string_view> choices,
                              const ParsedValue& value) {
  switch (kind) {
    case ValueKind::kString:
    case ValueKind::kEncoding:
    case ValueKind::kAccount: return std::get<std::string>(value);
    case ValueKind::kStringList:
      return JoinTexts<std::string>(std::get<std::vector<std::string>>(value),
                                    [](const std::string& s) { return s; });
    case ValueKind::kUint:
    case ValueKind::kBool: return std::to_string(std::get<std::uint64_t>(value));
    case ValueKind::kChoice: return std::string(choices[std::get<std::uint64_t>(value)]);
    case ValueKind::kChoiceList:
      return JoinTexts<std::int64_t>(
          std::get<std::vector<std::int64_t>>(value),
          [&](const std::int64_t& index) { return std::string(choices[index]); });
    case ValueKind::kExitCodes:
      return JoinTexts<std::int64_t>(std::get<std::vector<std::int64_t>>(value),
                                     [](const std::int64_t& code) { return std::to_string(code); });
  }
  return {};
}

using Settings = std::vector<std::pair<std::string, std::string>>;

// Applies the defaults of `schema`, then every value of `raw`, to `target`; unknown and invalid
// values and missing required ones go to `errors`. Each value applied is also added to
// `settings`, if given, under `prefix` + its name.
template <typename Target>
void ApplyValues(std::span<const SchemaValue<Target>> schema, const RawValues& raw, Target& target,
                 ErrorList& errors, Settings* settings = nullptr, const std::string& prefix = {}) {
  const auto apply = [&](const SchemaValue<Target>& row, const ParsedValue& parsed) {
    row.apply(target, parsed);
    if (settings)
      settings->emplace_back(prefix + std::string(row.name),
                             FormatParsedValue(row.kind, row.choices, parsed));
  };
  for (const SchemaValue<Target>& row : schema) {
    const auto found = raw.find(row.name);
    if (found == raw.end()) {
      if (row.required) {
        errors.Add(std::string(row.name), "a value (required): " + std::string(row.description),
                   "nothing");
      } else if (Result<ParsedValue> parsed = ParseDefault(row); parsed) {
        apply(row, *parsed);
      }
      continue;
    }
    Result<ParsedValue> parsed =
        ParseRawValue(row.kind, row.min, row.max, row.choices, found->second);
    if (!parsed) {
      errors.Add(std::string(row.name), parsed.error().message(), DescribeRawValue(found->second));
      continue;
    }
    apply(row, *parsed);
  }
  for (const auto& entry : raw) {
    const std::string& name =
        entry.first;  // not a structured binding: clang 14 cannot capture those
    const bool known = std::any_of(
        schema.begin(), schema.end(),
        [&name](const SchemaValue<Target>& row) { return EqualsIgnoringCase(row.name, name); });
    if (!known) {
      std::string names;
      for (const SchemaValue<Target>& row : schema)
        names += (names.empty() ? "" : ", ") + std::string(row.name);
      errors.Add(name, "one of the known values: " + names,
                 "an unknown value " + DescribeRawValue(entry.second));
    }
  }
}

std::string ExpectedTarget(ProbeType type) {
  switch (type) {
    case ProbeType::kTcp: return "host:port for Type=tcp";
    case ProbeType::kHttp: return "an http://host[:port][/path] URL for Type=http";
    case ProbeType::kPipe: return "a pipe name (\\\\.\\pipe\\<name>) for Type=pipe";
    case ProbeType::kExec:
      return "a command line for Type=exec, its program quoted when its path has a space";
  }
  return "a target";
}

// What is wrong with a probe's target for its type, or nullopt.
std::optional<std::string> ProbeTargetProblem(const ProbeConfig& probe) {
  const auto problem = [](const Error& error) {
    return std::optional<std::string>(error.message());
  };
  switch (probe.type) {
    case ProbeType::kTcp:
      if (Result<HostPort> parsed = ParseHostPort(probe.target); !parsed)
        return problem(parsed.error());
      return std::nullopt;
    case ProbeType::kHttp:
      if (Result<HttpTarget> parsed = ParseHttpTarget(probe.target); !parsed)
        return problem(parsed.error());
      return std::nullopt;
    case ProbeType::kPipe:
      if (Result<void> checked = CheckPipeName(probe.target); !checked)
        return problem(checked.error());
      return std::nullopt;
    case ProbeType::kExec:
      if (QuoteAmbiguousProgram(probe.target))
        return "\"" + probe.target + "\", an unquoted path with a space";
      return std::nullopt;
  }
  return std::nullopt;
}

void CheckPipeNames(const DaemonConfig& daemon, ErrorList& errors) {
  for (const auto& [value, name] :
       {std::pair{"ControlPipe", &daemon.control_pipe}, {"HealthPipe", &daemon.health_pipe}}) {
    if (Result<void> checked = CheckPipeName(*name); !checked)
      errors.Add(value, "a pipe name", checked.error().message());
  }
  if (EqualsIgnoringCase(daemon.control_pipe, daemon.health_pipe)) {
    errors.Add("HealthPipe", "a pipe name other than ControlPipe's",
               "\"" + daemon.health_pipe + "\" for both");
  }
}

// Two workers writing one log file would interleave and rotate each other's output: both are
// refused, each naming the other.
void RejectSharedLogFiles(std::map<std::string, WorkerConfig>& workers,
                          std::map<std::string, std::vector<ConfigError>>& invalid) {
  // Per file (as Windows compares paths, ignoring case): the workers writing it, the value
  // naming it, and the path as that value spells it. A worker's stdout and stderr may share one.
  struct Writer {
    std::string worker, value, path;
  };
  std::map<std::string, std::vector<Writer>, CaseInsensitiveLess> writers;
  for (const auto& [name, worker] : workers) {
    if (!worker.launch.stdout_log.empty())
      writers[worker.launch.stdout_log].push_back({name, "StdoutLog", worker.launch.stdout_log});
    if (!worker.launch.stderr_log.empty() &&
        !EqualsIgnoringCase(worker.launch.stderr_log, worker.launch.stdout_log)) {
      writers[worker.launch.stderr_log].push_back({name, "StderrLog", worker.launch.stderr_log});
    }
  }
  for (const auto& [file, users] : writers) {
    if (users.size() < 2) continue;
    for (const Writer& user : users) {
      std::vector<std::string> others;
      for (const Writer& other : users) {
        if (other.worker != user.worker) others.push_back(other.worker);
      }
      invalid[user.worker].push_back(
          {"Workers\\" + user.worker, user.value, "a log file no other worker writes",
           "\"" + user.path + "\", written by " + JoinNames(others) + " too"});
    }
  }
  for (const auto& [name, errors] : invalid) workers.erase(name);
}

// Checks that involve more than one value of a worker.
void CheckWorker(const WorkerConfig& worker, ErrorList& errors) {
  const PolicyConfig& policy = worker.policy;
  if (policy.backoff_max < policy.backoff_initial) {
    errors.Add("BackoffMaxMs",
               "at least BackoffInitialMs (" + std::to_string(policy.backoff_initial.count()) + ")",
               std::to_string(policy.backoff_max.count()));
  }
  for (const std::string& entry : worker.launch.environment) {
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      errors.Add("Environment", "KEY=VALUE entries with a non-empty KEY", "\"" + entry + "\"");
    }
  }
  std::set<std::string, CaseInsensitiveLess> seen;
  for (const std::string& dependency : policy.depends_on) {
    if (!IsValidWorkerName(dependency)) {
      errors.Add("DependsOn", "worker names ([A-Za-z0-9._-], 1 to 64 characters)",
                 "\"" + dependency + "\"");
    } else if (EqualsIgnoringCase(dependency, worker.name)) {
      errors.Add("DependsOn", "other workers' names", "the worker itself");
    } else if (!seen.insert(dependency).second) {
      errors.Add("DependsOn", "each worker at most once", "\"" + dependency + "\" twice");
    }
  }
  const auto terminate =
      std::find(policy.stop_steps.begin(), policy.stop_steps.end(), StopStep::kTerminate);
  if (terminate != policy.stop_steps.end() && terminate + 1 != policy.stop_steps.end()) {
    errors.Add("StopSteps", "terminate only as the last step", "steps after terminate");
  }
  if (std::optional<std::string> quoted = QuoteAmbiguousProgram(worker.launch.command)) {
    errors.Add("Command", "the program quoted when its path has a space: " + *quoted,
               "an unquoted path Windows would try piece by piece, the first piece first");
  }
  const WorkerIdentity& identity = worker.launch.identity;
  if (identity.logon_type == LogonType::kS4u && identity.account.kind != AccountKind::kUser) {
    errors.Add("LogonType",
               "service for Account " + identity.account.ToString() +
                   " (s4u logs on a user account: .\\name, DOMAIN\\name, name@domain)",
               "s4u");
  }
  for (const auto& [kind, probe] : policy.probes) {
    const std::string probe_key = "Probes\\" + std::string(NameOf(kind, kProbeKindNames));
    if (kind != ProbeKind::kReadiness && probe.success_threshold != 1) {
      errors.Add(probe_key + "\\SuccessThreshold", "1 for Startup and Liveness probes",
                 std::to_string(probe.success_threshold));
    }
  }
}

// Default log paths: LogDirectory\<name>.out.log, "none" disables capture.
void ResolveLogPaths(WorkerConfig& worker, const DaemonConfig& daemon) {
  auto resolve = [&](std::string& path, std::string_view suffix) {
    if (EqualsIgnoringCase(path, "none")) {
      path.clear();
    } else if (path.empty()) {
      path = daemon.log_directory + "\\" + worker.name + std::string(suffix);
    }
  };
  resolve(worker.launch.stdout_log, ".out.log");
  resolve(worker.launch.stderr_log, ".err.log");
}

}  // namespace

std::span<const SchemaValue<DaemonConfig>> DaemonSchema() { return kDaemonSchema; }
std::span<const SchemaValue<WorkerConfig>> WorkerSchema() { return kWorkerSchema; }
std::span<const SchemaValue<ProbeConfig>> ProbeSchema() { return kProbeSchema; }

void RefuseAccountsSupdCannotLogOn(ValidatedConfig& config, const std::string& supd_account) {
  for (auto worker = config.workers.begin(); worker != config.workers.end();) {
    const WorkerAccount& account = worker->second.launch.identity.account;
    if (account.kind == AccountKind::kLocalSystem) {
      ++worker;
      continue;
    }
    config.invalid_workers[worker->first].push_back(
        {"Workers\\" + worker->first, "Account",
         "LocalSystem: supd runs as " + supd_account +
             ", without SeTcbPrivilege, and cannot log other accounts on (install supd as "
             "LocalSystem to run workers as other accounts)",
         account.ToString()});
    worker = config.workers.erase(worker);
  }
}

Result<ValidatedConfig> ReadConfig(ConfigSource& source, const DaemonConfig* in_force) {
  Result<RawConfig> raw = source.Read();
  if (!raw) return raw.error().WithContext("reading the configuration");
  return ValidateConfig(*raw, in_force);
}

DaemonConfig DaemonValuesOrDefaults(ConfigSource& source) {
  if (Result<ValidatedConfig> config = ReadConfig(source); config && config->daemon_errors.empty())
    return config->daemon;
  return ValidateConfig(RawConfig{}).daemon;
}

bool IsDosDeviceName(std::string_view name) {
  // Windows opens the device for "NUL" and for "nul.txt" alike: the part before the first dot.
  std::string base(name.substr(0, name.find('.')));
  for (char& c : base) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (base == "CON" || base == "PRN" || base == "AUX" || base == "NUL") return true;
  return base.size() == 4 && (base.starts_with("COM") || base.starts_with("LPT")) &&
         base[3] >= '1' && base[3] <= '9';
}

bool IsValidWorkerName(std::string_view name) {
  if (name.empty() || name.size() > 64 || IsDosDeviceName(name)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::optional<OutputEncoding> ParseOutputEncoding(std::string_view text) {
  using Kind = OutputEncoding::Kind;
  for (const auto& [name, kind] : {std::pair{"auto", Kind::kAuto},
                                   {"utf-8", Kind::kUtf8},
                                   {"utf8", Kind::kUtf8},
                                   {"ansi", Kind::kAnsi},
                                   {"oem", Kind::kOem}}) {
    if (EqualsIgnoringCase(text, name)) return OutputEncoding{kind, 0};
  }
  std::uint32_t code_page = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code_page);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || code_page < 1 ||
      code_page > 65535) {
    return std::nullopt;
  }
  return OutputEncoding{Kind::kCodePage, code_page};
}

std::string OutputEncodingName(const OutputEncoding& encoding) {
  switch (encoding.kind) {
    case OutputEncoding::Kind::kAuto: return "auto";
    case OutputEncoding::Kind::kUtf8: return "utf-8";
    case OutputEncoding::Kind::kAnsi: return "ansi";
    case OutputEncoding::Kind::kOem: return "oem";
    case OutputEncoding::Kind::kCodePage: return std::to_string(encoding.code_page);
  }
  return "auto";
}

Result<ParsedValue> ParseRawValue(ValueKind kind, std::uint64_t min, std::uint64_t max,
                                  std::span<const std::string_view> choices, const RawValue& raw) {
  const auto expected = [](std::string text) {
    return Error(ErrorKind::kInvalidArgument, std::move(text));
  };
  switch (kind) {
    case ValueKind::kString: {
      const std::string range =
          " of " + std::to_string(min) + " to " + std::to_string(max) + " characters";
      if (!IsString(raw) || raw.text.size() < min || raw.text.size() > max) {
        return expected("a REG_SZ or REG_EXPAND_SZ" + range);
      }
      return ParsedValue(raw.text);
    }
    case ValueKind::kStringList:
      if (raw.type != RawType::kMultiString) return expected("a REG_MULTI_SZ");
      return ParsedValue(raw.list);
    case ValueKind::kUint:
      if ((raw.type != RawType::kDword && raw.type != RawType::kQword) || raw.number < min ||
          raw.number > max) {
        return expected("a REG_DWORD or REG_QWORD from " + std::to_string(min) + " to " +
                        std::to_string(max));
      }
      return ParsedValue(raw.number);
    case ValueKind::kBool:
      if (raw.type != RawType::kDword && raw.type != RawType::kQword)
        return expected("a REG_DWORD 0 or 1");
      if (raw.number > 1) return expected("a REG_DWORD 0 or 1");
      return ParsedValue(raw.number);
    case ValueKind::kEncoding: {
      const std::optional<OutputEncoding> encoding =
          IsString(raw) ? ParseOutputEncoding(raw.text) : std::nullopt;
      if (!encoding)
        return expected("a REG_SZ: auto, utf-8, ansi, oem or a code page number from 1 to 65535");
      return ParsedValue(OutputEncodingName(*encoding));
    }
    case ValueKind::kAccount: {
      const std::string what =
          "a REG_SZ: LocalSystem, LocalService, NetworkService, .\\name, DOMAIN\\name, "
          "name@domain or DOMAIN\\name$";
      if (!IsString(raw)) return expected(what);
      Result<WorkerAccount> account = ParseWorkerAccount(raw.text);
      if (!account) return expected("a REG_SZ account: " + account.error().message());
      return ParsedValue(account->ToString());
    }
    case ValueKind::kChoice: {
      const std::optional<std::size_t> index =
          IsString(raw) ? ChoiceIndex(choices, raw.text) : std::nullopt;
      if (!index) return expected("a REG_SZ, one of " + JoinChoices(choices));
      return ParsedValue(static_cast<std::uint64_t>(*index));
    }
    case ValueKind::kChoiceList: {
      const std::string what = "a REG_MULTI_SZ of " + JoinChoices(choices) + ", each at most once";
      if (raw.type != RawType::kMultiString) return expected(what);
      std::vector<std::int64_t> indexes;
      for (const std::string& item : raw.list) {
        const std::optional<std::size_t> index = ChoiceIndex(choices, item);
        if (!index) return expected(what + " (\"" + item + "\" is not one)");
        if (std::find(indexes.begin(), indexes.end(), static_cast<std::int64_t>(*index)) !=
            indexes.end()) {
          return expected(what + " (\"" + item + "\" is there twice)");
        }
        indexes.push_back(static_cast<std::int64_t>(*index));
      }
      return ParsedValue(indexes);
    }
    case ValueKind::kExitCodes: {
      const std::string what = "a REG_MULTI_SZ of exit codes (decimal or 0x hex) or one REG_DWORD";
      if (raw.type == RawType::kDword)
        return ParsedValue(std::vector<std::int64_t>{static_cast<std::int64_t>(raw.number)});
      if (raw.type != RawType::kMultiString) return expected(what);
      std::vector<std::int64_t> codes;
      for (const std::string& item : raw.list) {
        const std::optional<std::int64_t> code = ParseExitCode(item);
        if (!code) return expected(what);
        codes.push_back(*code);
      }
      return ParsedValue(codes);
    }
  }
  return expected("a supported value");
}

template <typename Target>
Result<ParsedValue> ParseDefault(const SchemaValue<Target>& row) {
  return ParseRawValue(row.kind, row.min, row.max, row.choices,
                       DefaultAsRaw(row.kind, row.default_text));
}
template Result<ParsedValue> ParseDefault(const SchemaValue<DaemonConfig>&);
template Result<ParsedValue> ParseDefault(const SchemaValue<WorkerConfig>&);
template Result<ParsedValue> ParseDefault(const SchemaValue<ProbeConfig>&);

ValidatedConfig ValidateConfig(const RawConfig& raw, const DaemonConfig* in_force) {
  ValidatedConfig result;
  ErrorList daemon_errors(result.daemon_errors, "HKLM\\SOFTWARE\\Sup");
  ApplyValues(DaemonSchema(), raw.daemon, result.daemon, daemon_errors);
  if (result.daemon_errors.empty()) CheckPipeNames(result.daemon, daemon_errors);
  if (!result.daemon_errors.empty() && in_force) {
    result.daemon =
        *in_force;  // invalid daemon values change nothing, the workers' log paths included
  } else if (!result.daemon_errors.empty()) {
    result.daemon = DaemonConfig{};
    std::vector<ConfigError> none;
    ErrorList defaults_only(none, "");
    ApplyValues(DaemonSchema(), RawValues{}, result.daemon, defaults_only);
  }

  std::map<std::string, WorkerConfig> candidates;
  for (const auto& [name, raw_worker] : raw.workers) {
    std::vector<ConfigError>& errors = result.invalid_workers[name];
    ErrorList worker_errors(errors, "Workers\\" + name);
    WorkerConfig worker;
    worker.name = name;
    if (IsDosDeviceName(name)) {
      // Its default log file would be the device (LogDirectory\NUL.out.log is NUL).
      worker_errors.Add(
          "", "a worker name that is not a DOS device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)",
          "\"" + name + "\"");
    } else if (!IsValidWorkerName(name)) {
      worker_errors.Add("", "a worker name of 1 to 64 letters, digits, '.', '_' or '-'",
                        "\"" + name + "\"");
    }
    ApplyValues(WorkerSchema(), raw_worker.values, worker, worker_errors, &worker.settings);
    for (const auto& [probe_name, raw_probe] : raw_worker.probes) {
      std::optional<std::size_t> kind = ChoiceIndex(kProbeKindNames, probe_name);
      ErrorList probe_errors(errors, "Workers\\" + name + "\\Probes\\" + probe_name);
      if (!kind) {
        probe_errors.Add("", "a probe named Startup, Liveness or Readiness",
                         "\"" + probe_name + "\"");
        continue;
      }
      ProbeConfig probe;
      const std::size_t errors_before = errors.size();
      ApplyValues(ProbeSchema(), raw_probe, probe, probe_errors, &worker.settings,
                  "Probes\\" + probe_name + "\\");
      // The target is read by its type, once both are known to be there.
      if (errors.size() == errors_before) {
        if (std::optional<std::string> problem = ProbeTargetProblem(probe)) {
          probe_errors.Add("Target", ExpectedTarget(probe.type), *problem);
        }
      }
      worker.policy.probes[static_cast<ProbeKind>(*kind)] = probe;
    }
    CheckWorker(worker, worker_errors);
    ResolveLogPaths(worker, result.daemon);
    const std::vector<StopStep>& steps = worker.policy.stop_steps;
    worker.launch.own_console =
        std::find(steps.begin(), steps.end(), StopStep::kCtrlC) != steps.end();
    if (errors.empty()) {
      result.invalid_workers.erase(name);
      candidates.emplace(name, std::move(worker));
    }
  }

  // Dependencies across workers: unknown names, then cycles. A worker that fails either is
  // invalid; its dependents stay valid (they wait for it).
  std::map<std::string, std::vector<std::string>> graph;
  for (const auto& [name, worker] : candidates) {
    for (const std::string& dependency : worker.policy.depends_on) {
      if (!candidates.contains(dependency) && !result.invalid_workers.contains(dependency)) {
        result.invalid_workers[name].push_back({"Workers\\" + name, "DependsOn",
                                                "names of configured workers",
                                                "unknown worker \"" + dependency + "\""});
      }
    }
    graph[name] = worker.policy.depends_on;
  }
  for (const std::vector<std::string>& cycle : FindCycles(graph)) {
    std::string path;
    for (const std::string& name : cycle) path += name + " -> ";
    path += cycle.front();
    for (const std::string& name : cycle) {
      result.invalid_workers[name].push_back(
          {"Workers\\" + name, "DependsOn", "no dependency cycle", "the cycle " + path});
    }
  }
  for (const auto& [name, errors] : result.invalid_workers) candidates.erase(name);
  RejectSharedLogFiles(candidates, result.invalid_workers);
  result.workers = std::move(candidates);
  return result;
}

}  // namespace sup::config

// Declared with the configuration model (namespace sup), which has no source file of its own.
std::string sup::ConfigError::ToString() const {
  std::string where = key;
  if (!value.empty()) where += "\\" + value;
  return where + ": expected " + expected + ", found " + found;
}
