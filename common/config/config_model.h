// The configuration as the engine uses it, after validation. Every field's default, range and
// registry name lives in the schema tables (config_schema.cc, worker_schema.cc), never here:
// these structs are only the shape.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/enum_names.h"
#include "common/worker_account.h"

namespace sup {

using Millis = std::chrono::milliseconds;

// Each enum's configuration names, indexed by the enum's value: the one list of them.
enum class RestartMode { kAlways, kOnFailure, kNever };
inline constexpr std::string_view kRestartModeNames[] = {"always", "on-failure", "never"};

// One step of the stop ladder, in the order configured; the ladder always ends in kTerminate.
enum class StopStep { kEvent, kCtrlC, kClose, kTerminate };
inline constexpr std::string_view kStopStepNames[] = {"event", "ctrl-c", "close", "terminate"};

// Time-based log rotation, at UTC hour or day boundaries, besides LogMaxBytes.
enum class RotateEvery { kNone, kHourly, kDaily };
inline constexpr std::string_view kRotateEveryNames[] = {"none", "hourly", "daily"};

enum class Priority { kIdle, kBelowNormal, kNormal, kAboveNormal, kHigh };
inline constexpr std::string_view kPriorityNames[] = {"idle", "below-normal", "normal",
                                                      "above-normal", "high"};

enum class ProbeType { kTcp, kHttp, kExec, kPipe };
inline constexpr std::string_view kProbeTypeNames[] = {"tcp", "http", "exec", "pipe"};

enum class ProbeKind { kStartup, kLiveness, kReadiness };
inline constexpr ProbeKind kProbeKinds[] = {ProbeKind::kStartup, ProbeKind::kLiveness,
                                            ProbeKind::kReadiness};
inline constexpr std::string_view kProbeKindNames[] = {"Startup", "Liveness",
                                                       "Readiness"};  // registry subkeys

// Where a reduced token lets a worker write (WriteAccess): where a standard user may or its worker
// SID is granted ("users"), or only where its worker SID is granted ("own").
enum class WriteAccess { kUsers, kOwn };
inline constexpr std::string_view kWriteAccessNames[] = {"users", "own"};

// How a user account is logged on: with its kept password, or by S4U without one.
enum class LogonType { kService, kS4u };
inline constexpr std::string_view kLogonTypeNames[] = {"service", "s4u"};

// Every privilege Windows defines, by the name its documentation and `whoami /priv` give it: what
// KeepPrivileges may name.
inline constexpr std::string_view kPrivilegeNames[] = {
    "SeAssignPrimaryTokenPrivilege",
    "SeAuditPrivilege",
    "SeBackupPrivilege",
    "SeChangeNotifyPrivilege",
    "SeCreateGlobalPrivilege",
    "SeCreatePagefilePrivilege",
    "SeCreatePermanentPrivilege",
    "SeCreateSymbolicLinkPrivilege",
    "SeCreateTokenPrivilege",
    "SeDebugPrivilege",
    "SeDelegateSessionUserImpersonatePrivilege",
    "SeEnableDelegationPrivilege",
    "SeImpersonatePrivilege",
    "SeIncreaseBasePriorityPrivilege",
    "SeIncreaseQuotaPrivilege",
    "SeIncreaseWorkingSetPrivilege",
    "SeLoadDriverPrivilege",
    "SeLockMemoryPrivilege",
    "SeMachineAccountPrivilege",
    "SeManageVolumePrivilege",
    "SeProfileSingleProcessPrivilege",
    "SeRelabelPrivilege",
    "SeRemoteShutdownPrivilege",
    "SeRestorePrivilege",
    "SeSecurityPrivilege",
    "SeShutdownPrivilege",
    "SeSyncAgentPrivilege",
    "SeSystemEnvironmentPrivilege",
    "SeSystemProfilePrivilege",
    "SeSystemtimePrivilege",
    "SeTakeOwnershipPrivilege",
    "SeTcbPrivilege",
    "SeTimeZonePrivilege",
    "SeTrustedCredManAccessPrivilege",
    "SeUndockPrivilege",
};

inline constexpr std::string_view kLogLevelNames[] = {"trace", "debug", "info", "warn", "error"};

struct ProbeConfig {
  ProbeType type = ProbeType::kTcp;
  std::string target;  // host:port, URL, command line or pipe name, by type
  Millis initial_delay{};
  Millis period{};
  Millis timeout{};
  std::uint32_t success_threshold = 0;
  std::uint32_t failure_threshold = 0;
  bool operator==(const ProbeConfig&) const = default;
};

// What it takes to start the process: a change here restarts the worker.
// How a worker's output is decoded into the UTF-8 that leaves supd (supctl, describe, events);
// its log files keep the bytes as written.
struct OutputEncoding {
  enum class Kind { kAuto, kUtf8, kAnsi, kOem, kCodePage };
  Kind kind = Kind::kAuto;      // auto: UTF-8 where the line is valid UTF-8, else ANSI
  std::uint32_t code_page = 0;  // kCodePage only
  bool operator==(const OutputEncoding&) const = default;
};

// Who a worker's processes run as and what they may do (docs/security.md, "Worker identity").
struct WorkerIdentity {
  // Account: LocalSystem (supd's own), LocalService, NetworkService, a user or a gMSA.
  WorkerAccount account;
  LogonType logon_type = LogonType::kService;  // for a user account only
  // The reduced token: the privileges that take a machine over deleted, Administrators and service
  // SIDs deny-only, and for LocalSystem write-restricted. false: the account's full token
  // (supd's, for LocalSystem: a warning says what that means).
  bool restricted = true;
  WriteAccess write_access = WriteAccess::kUsers;
  // Privileges the reduced token keeps beyond the harmless ones (worker_identity.h), by name.
  std::vector<std::string> keep_privileges;
  bool operator==(const WorkerIdentity&) const = default;
};

struct LaunchConfig {
  std::string command;
  std::string working_directory;
  std::vector<std::string> environment;  // KEY=VALUE, merged onto the service's environment
  std::string stdout_log;                // "" = not captured ("none" in the registry)
  std::string stderr_log;
  std::uint64_t log_max_bytes = 0;
  std::uint32_t log_backups = 0;
  bool log_timestamps = false;
  RotateEvery log_rotate_every = RotateEvery::kNone;
  std::uint32_t log_max_age_days = 0;  // 0 = backups kept by count only
  OutputEncoding output_encoding;
  std::uint32_t memory_limit_mb = 0;  // 0 = no limit
  std::uint32_t cpu_rate_percent = 0;
  Priority priority = Priority::kNormal;
  // A hidden console of its own, which only the ctrl-c stop step needs: derived from StopSteps
  // (a console costs a conhost process, and a running process cannot be given one later).
  bool own_console = false;
  WorkerIdentity identity;
  // Most processes the worker's job may hold at once (0: no limit); one more fails to start.
  std::uint32_t active_process_limit = 0;
  bool operator==(const LaunchConfig&) const = default;
};

// How the worker is supervised: a change here applies live, without a restart.
struct PolicyConfig {
  RestartMode restart = RestartMode::kAlways;
  std::vector<std::int64_t> success_exit_codes;
  Millis start_time{};
  Millis backoff_initial{};
  Millis backoff_max{};
  Millis stable_after{};
  std::uint32_t max_failures = 0;
  Millis failure_window{};
  Millis failed_retry{};  // 0 = stay FAILED until an operator acts
  std::vector<StopStep> stop_steps;
  Millis stop_timeout{};
  std::map<ProbeKind, ProbeConfig> probes;
  std::vector<std::string> depends_on;
  bool enabled = true;
  std::uint32_t memory_restart_mb = 0;  // 0 = no soft threshold
  Millis memory_check_period{};
  // Notify=1: RUNNING only once the worker said READY=1, within start_timeout (0: no limit).
  bool notify = false;
  Millis start_timeout{};
  Millis watchdog{};  // WatchdogMs: a WATCHDOG=1 at least this often once RUNNING; 0 = none
  bool operator==(const PolicyConfig&) const = default;
};

struct WorkerConfig {
  std::string name;
  LaunchConfig launch;
  PolicyConfig policy;
  // Every value in force, defaults included, as registry name and text
  // ("Probes\\Liveness\\PeriodMs", "5000"), for `supctl describe`. Derived from launch and policy,
  // so not compared.
  std::vector<std::pair<std::string, std::string>> settings;
  bool operator==(const WorkerConfig& other) const {
    return name == other.name && launch == other.launch && policy == other.policy;
  }
};

struct DaemonConfig {
  std::string control_pipe;
  std::string health_pipe;
  std::string log_directory;  // may hold %VARIABLES%, expanded where files are opened
  std::string log_level;
  std::string operators_group;
  // false: a registry change is only noticed; it applies on `supctl update`, PARAMCHANGE or control
  // 128.
  bool auto_reload = true;
  // supd's watch of its own supervision (SelfCheckMs, SelfRestart; both apply on reload).
  std::uint64_t self_check_ms = 10'000;
  bool self_restart = false;
  // Control-plane limits (read at start).
  std::uint64_t max_frame_bytes = 0;
  std::uint64_t pipe_instances = 0;
  std::uint64_t max_streams = 0;
  std::uint64_t request_deadline_ms = 0;
  std::uint64_t write_deadline_ms = 0;
  // Metrics for windows_exporter's textfile collector (read at start); empty: none.
  std::string metrics_textfile;  // may hold %VARIABLES%
  std::uint64_t metrics_interval_ms = 0;
  std::string http_listen;  // "127.0.0.1:9182"; empty: no HTTP endpoint (read at start)
  bool operator==(const DaemonConfig&) const = default;
};

// One problem with one configuration value, complete enough to fix it from the message alone.
struct ConfigError {
  std::string key;       // Workers\api\Probes\Liveness
  std::string value;     // PeriodMs ("" for the key as a whole)
  std::string expected;  // "a REG_DWORD from 100 to 3600000"
  std::string found;     // "REG_SZ \"ten\""
  std::string ToString() const;
  bool operator==(const ConfigError&) const = default;
};

// A configuration after validation: the valid workers, and every error of the invalid ones.
struct ValidatedConfig {
  DaemonConfig daemon;
  std::vector<ConfigError> daemon_errors;  // non-empty: keep the previous daemon values
  std::map<std::string, WorkerConfig> workers;
  std::map<std::string, std::vector<ConfigError>> invalid_workers;
};

}  // namespace sup
