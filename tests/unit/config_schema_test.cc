#include "common/config/config_schema.h"
#include "common/config/validate.h"
#include "common/config/value_parse.h"

#include <gtest/gtest.h>

#include <functional>

namespace sup::config {
namespace {

RawWorker MinimalWorker(std::string command = "worker.exe") {
  RawWorker worker;
  worker.values["Command"] = RawValue::String(std::move(command));
  return worker;
}

std::vector<std::string> Messages(const std::vector<ConfigError>& errors) {
  std::vector<std::string> messages;
  for (const ConfigError& error : errors) messages.push_back(error.ToString());
  return messages;
}

TEST(ConfigSchemaTest, EveryDefaultParsesAgainstItsOwnRow) {
  for (const auto& row : DaemonSchema()) {
    EXPECT_TRUE(row.required || ParseDefault(row).ok()) << row.name;
  }
  for (const auto& row : WorkerSchema()) {
    EXPECT_TRUE(row.required || ParseDefault(row).ok()) << row.name;
  }
  for (const auto& row : ProbeSchema()) {
    EXPECT_TRUE(row.required || ParseDefault(row).ok()) << row.name;
  }
}

TEST(ConfigSchemaTest, EveryRowIsDescribed) {
  for (const auto& row : WorkerSchema()) EXPECT_FALSE(row.description.empty()) << row.name;
  for (const auto& row : ProbeSchema()) EXPECT_FALSE(row.description.empty()) << row.name;
  for (const auto& row : DaemonSchema()) EXPECT_FALSE(row.description.empty()) << row.name;
}

TEST(ValidateConfigTest, AppliesTheDesignDefaults) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.empty())
      << Messages(config.invalid_workers.begin()->second)[0];
  EXPECT_EQ(config.daemon.control_pipe, "sup-control");
  EXPECT_EQ(config.daemon.health_pipe, "sup-health");
  EXPECT_EQ(config.daemon.log_directory, "%ProgramData%\\Sup\\logs");
  EXPECT_EQ(config.daemon.log_level, "info");
  EXPECT_TRUE(config.daemon.auto_reload);
  const WorkerConfig& api = config.workers.at("api");
  EXPECT_EQ(api.launch.command, "worker.exe");
  EXPECT_EQ(api.launch.stdout_log, "%ProgramData%\\Sup\\logs\\api.out.log");
  EXPECT_EQ(api.launch.stderr_log, "%ProgramData%\\Sup\\logs\\api.err.log");
  EXPECT_EQ(api.launch.log_max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(api.launch.log_backups, 5u);
  EXPECT_FALSE(api.launch.log_timestamps);
  EXPECT_EQ(api.launch.priority, Priority::kNormal);
  EXPECT_EQ(api.launch.output_encoding, OutputEncoding{});  // auto
  const PolicyConfig& policy = api.policy;
  EXPECT_TRUE(policy.enabled);
  EXPECT_EQ(policy.restart, RestartMode::kAlways);
  EXPECT_EQ(policy.success_exit_codes, std::vector<std::int64_t>{0});
  EXPECT_EQ(policy.start_time, Millis(1000));
  EXPECT_EQ(policy.backoff_initial, Millis(1000));
  EXPECT_EQ(policy.backoff_max, Millis(60000));
  EXPECT_EQ(policy.stable_after, Millis(60000));
  EXPECT_EQ(policy.max_failures, 5u);
  EXPECT_EQ(policy.failure_window, Millis(60000));
  EXPECT_EQ(policy.failed_retry, Millis(300000));
  EXPECT_EQ(policy.stop_steps, (std::vector<StopStep>{StopStep::kEvent, StopStep::kCtrlC,
                                                      StopStep::kClose, StopStep::kTerminate}));
  EXPECT_EQ(policy.stop_timeout, Millis(10000));
  EXPECT_TRUE(policy.probes.empty());
}

TEST(ValidateConfigTest, ReadsEveryTypeCaseInsensitively) {
  RawConfig raw;
  RawWorker worker = MinimalWorker();
  worker.values["restart"] = RawValue::String("On-Failure");
  worker.values["SuccessExitCodes"] = RawValue::MultiString({"0", "3", "0xC0000005", "-1"});
  worker.values["LogMaxBytes"] = RawValue::Qword(8ULL << 30);
  worker.values["StopSteps"] = RawValue::MultiString({"close", "terminate"});
  worker.values["Environment"] = RawValue::MultiString({"A=1", "PATH=C:\\x;C:\\y"});
  worker.values["StdoutLog"] = RawValue::String("none");
  worker.values["Priority"] = RawValue::String("below-normal");
  worker.values["OutputEncoding"] = RawValue::String("1252");
  worker.values["LogRotateEvery"] = RawValue::String("Daily");
  worker.values["LogMaxAgeDays"] = RawValue::Dword(30);
  worker.probes["liveness"]["Type"] = RawValue::String("http");
  worker.probes["liveness"]["Target"] = RawValue::String("http://127.0.0.1:8080/healthz");
  worker.probes["liveness"]["PeriodMs"] = RawValue::Dword(500);
  raw.workers["api"] = worker;
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.empty())
      << Messages(config.invalid_workers.begin()->second)[0];
  const WorkerConfig& api = config.workers.at("api");
  EXPECT_EQ(api.policy.restart, RestartMode::kOnFailure);
  EXPECT_EQ(api.policy.success_exit_codes,
            (std::vector<std::int64_t>{0, 3, 0xC0000005, 0xFFFFFFFF}));
  EXPECT_EQ(api.launch.log_max_bytes, 8ULL << 30);
  EXPECT_EQ(api.policy.stop_steps, (std::vector<StopStep>{StopStep::kClose, StopStep::kTerminate}));
  EXPECT_EQ(api.launch.stdout_log, "");
  EXPECT_EQ(api.launch.priority, Priority::kBelowNormal);
  EXPECT_EQ(api.launch.output_encoding, (OutputEncoding{OutputEncoding::Kind::kCodePage, 1252}));
  EXPECT_EQ(api.launch.log_rotate_every, RotateEvery::kDaily);
  EXPECT_EQ(api.launch.log_max_age_days, 30u);
  const ProbeConfig& liveness = api.policy.probes.at(ProbeKind::kLiveness);
  EXPECT_EQ(liveness.type, ProbeType::kHttp);
  EXPECT_EQ(liveness.period, Millis(500));
  EXPECT_EQ(liveness.timeout, Millis(1000));
  EXPECT_EQ(liveness.failure_threshold, 3u);
}

struct BadValueCase {
  std::string value;
  RawValue raw;
  std::string message;
};

class BadWorkerValueTest : public ::testing::TestWithParam<BadValueCase> {};

TEST_P(BadWorkerValueTest, IsReportedWithKeyValueExpectedAndFound) {
  RawConfig raw;
  RawWorker worker = MinimalWorker();
  worker.values[GetParam().value] = GetParam().raw;
  raw.workers["api"] = worker;
  raw.workers["other"] = MinimalWorker();
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.contains("api"));
  EXPECT_EQ(Messages(config.invalid_workers.at("api")),
            std::vector<std::string>{GetParam().message});
  EXPECT_FALSE(config.workers.contains("api"));
  EXPECT_TRUE(config.workers.contains("other"));  // one bad worker never stops the others
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, BadWorkerValueTest,
    ::testing::Values(
        BadValueCase{"StopTimeoutMs", RawValue::String("ten"),
                     "Workers\\api\\StopTimeoutMs: expected a REG_DWORD or REG_QWORD from 0 to "
                     "3600000, found REG_SZ \"ten\""},
        BadValueCase{"StopTimeoutMs", RawValue::Dword(3600001),
                     "Workers\\api\\StopTimeoutMs: expected a REG_DWORD or REG_QWORD from 0 to "
                     "3600000, found REG_DWORD 3600001"},
        BadValueCase{"MaxFailures", RawValue::Dword(0),
                     "Workers\\api\\MaxFailures: expected a REG_DWORD or REG_QWORD from 1 to 1000, "
                     "found REG_DWORD 0"},
        BadValueCase{"Enabled", RawValue::Dword(2),
                     "Workers\\api\\Enabled: expected a REG_DWORD 0 or 1, found REG_DWORD 2"},
        BadValueCase{"Restart", RawValue::String("sometimes"),
                     "Workers\\api\\Restart: expected a REG_SZ, one of always, on-failure, never, "
                     "found REG_SZ \"sometimes\""},
        BadValueCase{"Restart", RawValue::Dword(1),
                     "Workers\\api\\Restart: expected a REG_SZ, one of always, on-failure, never, "
                     "found REG_DWORD 1"},
        BadValueCase{"DependsOn", RawValue::String("db"),
                     "Workers\\api\\DependsOn: expected a REG_MULTI_SZ, found REG_SZ \"db\""},
        BadValueCase{"StopSteps", RawValue::MultiString({"close", "close"}),
                     "Workers\\api\\StopSteps: expected a REG_MULTI_SZ of event, ctrl-c, close, "
                     "terminate, each at most "
                     "once (\"close\" is there twice), found REG_MULTI_SZ [\"close\", \"close\"]"},
        BadValueCase{"StopSteps", RawValue::MultiString({"terminate", "close"}),
                     "Workers\\api\\StopSteps: expected terminate only as the last step, found "
                     "steps after terminate"},
        BadValueCase{"SuccessExitCodes", RawValue::MultiString({"zero"}),
                     "Workers\\api\\SuccessExitCodes: expected a REG_MULTI_SZ of exit codes "
                     "(decimal or 0x hex) or one "
                     "REG_DWORD, found REG_MULTI_SZ [\"zero\"]"},
        BadValueCase{"Environment", RawValue::MultiString({"=x"}),
                     "Workers\\api\\Environment: expected KEY=VALUE entries with a non-empty KEY, "
                     "found \"=x\""},
        BadValueCase{
            "BackoffMaxMs", RawValue::Dword(10),
            "Workers\\api\\BackoffMaxMs: expected at least BackoffInitialMs (1000), found 10"},
        BadValueCase{
            "Comand", RawValue::String("x"),
            "Workers\\api\\Comand: expected one of the known values: Command, "
            "WorkingDirectory, Environment, "
            "Enabled, DependsOn, Restart, SuccessExitCodes, StartSeconds, Notify, StartTimeoutMs, "
            "WatchdogMs, "
            "BackoffInitialMs, BackoffMaxMs, "
            "StableAfterMs, MaxFailures, FailureWindowMs, FailedRetryMs, StopSteps, "
            "StopTimeoutMs, StdoutLog, "
            "StderrLog, LogMaxBytes, LogBackups, LogRotateEvery, LogMaxAgeDays, LogTimestamps, "
            "OutputEncoding, MemoryLimitMB, MemoryRestartMB, MemoryCheckMs, "
            "CpuRatePercent, Priority, Account, LogonType, ActiveProcessLimit, Restricted, "
            "WriteAccess, "
            "KeepPrivileges, found an "
            "unknown value REG_SZ \"x\""},
        BadValueCase{"OutputEncoding", RawValue::String("latin1"),
                     "Workers\\api\\OutputEncoding: expected a REG_SZ: auto, utf-8, ansi, oem or a "
                     "code page number from 1 to 65535, found REG_SZ \"latin1\""},
        BadValueCase{"OutputEncoding", RawValue::String("70000"),
                     "Workers\\api\\OutputEncoding: expected a REG_SZ: auto, utf-8, ansi, oem or a "
                     "code page number from 1 to 65535, found REG_SZ \"70000\""},
        BadValueCase{
            "DependsOn", RawValue::MultiString({"api"}),
            "Workers\\api\\DependsOn: expected other workers' names, found the worker itself"}));

TEST(ValidateConfigTest, OnlyACtrlCStopStepGivesTheWorkerAConsole) {
  RawConfig raw;
  raw.workers["default"] = MinimalWorker();
  raw.workers["quiet"] = MinimalWorker();
  raw.workers["quiet"].values["StopSteps"] = RawValue::MultiString({"event", "terminate"});
  const ValidatedConfig config = ValidateConfig(raw);
  EXPECT_TRUE(config.workers.at("default").launch.own_console);
  EXPECT_FALSE(config.workers.at("quiet").launch.own_console);
}

TEST(ValidateConfigTest, MissingCommandIsRequired) {
  RawConfig raw;
  raw.workers["api"] = RawWorker{};
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_EQ(config.invalid_workers.at("api").size(), 1u);
  EXPECT_EQ(config.invalid_workers.at("api")[0].value, "Command");
  EXPECT_EQ(config.invalid_workers.at("api")[0].found, "nothing");
}

TEST(ValidateConfigTest, CollectsEveryErrorOfAWorker) {
  RawConfig raw;
  RawWorker worker;
  worker.values["Enabled"] = RawValue::String("yes");
  worker.values["Priority"] = RawValue::String("urgent");
  worker.probes["Sometimes"]["Type"] = RawValue::String("tcp");
  worker.probes["Liveness"]["Type"] = RawValue::String("smoke");
  worker.probes["Liveness"]["SuccessThreshold"] = RawValue::Dword(2);
  raw.workers["bad name!"] = worker;
  const ValidatedConfig config = ValidateConfig(raw);
  const std::vector<ConfigError>& errors = config.invalid_workers.at("bad name!");
  std::vector<std::string> keys;
  for (const ConfigError& error : errors) keys.push_back(error.key + "|" + error.value);
  EXPECT_EQ(
      keys,
      (std::vector<std::string>{
          "Workers\\bad name!|", "Workers\\bad name!|Command", "Workers\\bad name!|Enabled",
          "Workers\\bad name!|Priority", "Workers\\bad name!\\Probes\\Liveness|Type",
          "Workers\\bad name!\\Probes\\Liveness|Target", "Workers\\bad name!\\Probes\\Sometimes|",
          "Workers\\bad name!|Probes\\Liveness\\SuccessThreshold"}));
}

TEST(ValidateConfigTest, UnknownDependencyIsAnErrorOfTheDependent) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  raw.workers["api"].values["DependsOn"] = RawValue::MultiString({"db"});
  const ValidatedConfig config = ValidateConfig(raw);
  EXPECT_EQ(Messages(config.invalid_workers.at("api")),
            std::vector<std::string>{"Workers\\api\\DependsOn: expected names of configured "
                                     "workers, found unknown worker \"db\""});
}

TEST(ValidateConfigTest, DependencyOnAnInvalidWorkerIsAllowed) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  raw.workers["api"].values["DependsOn"] = RawValue::MultiString({"db"});
  raw.workers["db"] = RawWorker{};  // no Command
  const ValidatedConfig config = ValidateConfig(raw);
  EXPECT_TRUE(config.workers.contains("api"));
  EXPECT_TRUE(config.invalid_workers.contains("db"));
}

TEST(ValidateConfigTest, CyclesAreNamedOnEveryWorkerOnThem) {
  RawConfig raw;
  for (const auto& [name, dependency] :
       std::vector<std::pair<std::string, std::string>>{{"a", "b"}, {"b", "c"}, {"c", "a"}}) {
    raw.workers[name] = MinimalWorker();
    raw.workers[name].values["DependsOn"] = RawValue::MultiString({dependency});
  }
  raw.workers["d"] = MinimalWorker();
  raw.workers["d"].values["DependsOn"] = RawValue::MultiString({"a"});
  const ValidatedConfig config = ValidateConfig(raw);
  for (const std::string name : {"a", "b", "c"}) {
    EXPECT_EQ(Messages(config.invalid_workers.at(name)),
              std::vector<std::string>{
                  "Workers\\" + name +
                  "\\DependsOn: expected no dependency cycle, found the cycle a -> b -> c -> a"});
  }
  EXPECT_TRUE(config.workers.contains("d"));
}

TEST(ValidateConfigTest, BadDaemonValuesChangeNothingAndAreReported) {
  RawConfig raw;
  raw.daemon["LogLevel"] = RawValue::String("loud");
  raw.daemon["ControlPipe"] = RawValue::String("custom");
  raw.workers["api"] = MinimalWorker();
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_EQ(config.daemon_errors.size(), 1u);
  EXPECT_EQ(config.daemon_errors[0].ToString(),
            "HKLM\\SOFTWARE\\Sup\\LogLevel: expected a REG_SZ, one of trace, debug, info, warn, "
            "error, found REG_SZ \"loud\"");
  EXPECT_EQ(config.daemon.control_pipe, "sup-control");  // defaults, not a half-applied mix
  EXPECT_TRUE(config.workers.contains("api"));
}

TEST(ValidateConfigTest, OutputEncodingTakesNamesInAnyCaseOrACodePage) {
  using Kind = OutputEncoding::Kind;
  EXPECT_EQ(ParseOutputEncoding("AUTO"), (OutputEncoding{Kind::kAuto, 0}));
  EXPECT_EQ(ParseOutputEncoding("UTF8"), (OutputEncoding{Kind::kUtf8, 0}));
  EXPECT_EQ(ParseOutputEncoding("Ansi"), (OutputEncoding{Kind::kAnsi, 0}));
  EXPECT_EQ(ParseOutputEncoding("oem"), (OutputEncoding{Kind::kOem, 0}));
  EXPECT_EQ(ParseOutputEncoding("932"), (OutputEncoding{Kind::kCodePage, 932}));
  for (std::string_view bad : {"", "0", "65536", "12x", "-1", " 1252", "latin-1"})
    EXPECT_EQ(ParseOutputEncoding(bad), std::nullopt) << bad;
  EXPECT_EQ(OutputEncodingName(*ParseOutputEncoding("UTF8")), "utf-8");
  EXPECT_EQ(OutputEncodingName(*ParseOutputEncoding("850")), "850");
}

TEST(ValidateConfigTest, AutoReloadIsABoolean) {
  RawConfig raw;
  raw.daemon["autoreload"] = RawValue::Dword(0);
  EXPECT_FALSE(ValidateConfig(raw).daemon.auto_reload);
  raw.daemon["autoreload"] = RawValue::Dword(2);
  const ValidatedConfig two = ValidateConfig(raw);
  ASSERT_EQ(two.daemon_errors.size(), 1u);
  EXPECT_EQ(two.daemon_errors[0].value, "AutoReload");
  EXPECT_TRUE(two.daemon.auto_reload);  // the default, as for every invalid daemon value
}

// Each case: one worker value (or probe), and the one error it must give.
struct BoundaryCase {
  std::string what;
  std::function<void(RawWorker&)> set;
  std::string message;
};

class BoundaryTest : public ::testing::TestWithParam<BoundaryCase> {};

TEST_P(BoundaryTest, IsRefusedWhenTheConfigurationIsRead) {
  RawConfig raw;
  RawWorker worker = MinimalWorker();
  GetParam().set(worker);
  raw.workers["api"] = worker;
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.contains("api")) << GetParam().what;
  EXPECT_EQ(Messages(config.invalid_workers.at("api")),
            std::vector<std::string>{GetParam().message})
      << GetParam().what;
}

void SetProbe(RawWorker& worker, const std::string& type, const std::string& target) {
  worker.probes["Liveness"]["Type"] = RawValue::String(type);
  worker.probes["Liveness"]["Target"] = RawValue::String(target);
}

INSTANTIATE_TEST_SUITE_P(
    ProbeTargetsAndCommands, BoundaryTest,
    ::testing::Values(
        BoundaryCase{
            "http target that is not a URL", [](RawWorker& w) { SetProbe(w, "http", "foo"); },
            "Workers\\api\\Probes\\Liveness\\Target: expected an http://host[:port][/path] URL for "
            "Type=http, found \"foo\" does not start with http://"},
        BoundaryCase{
            "https target", [](RawWorker& w) { SetProbe(w, "http", "https://x/"); },
            "Workers\\api\\Probes\\Liveness\\Target: expected an http://host[:port][/path] URL for "
            "Type=http, found \"https://x/\" is https, which http probes do not speak"},
        BoundaryCase{
            "tcp target without a port", [](RawWorker& w) { SetProbe(w, "tcp", "localhost"); },
            "Workers\\api\\Probes\\Liveness\\Target: expected host:port for Type=tcp, found "
            "\"localhost\" is not host:port"},
        BoundaryCase{
            "tcp port out of range", [](RawWorker& w) { SetProbe(w, "tcp", "127.0.0.1:70000"); },
            "Workers\\api\\Probes\\Liveness\\Target: expected host:port for Type=tcp, found "
            "\"127.0.0.1:70000\" has no port from 1 to 65535"},
        BoundaryCase{"pipe name with a backslash",
                     [](RawWorker& w) { SetProbe(w, "pipe", "\\\\.\\pipe\\x"); },
                     "Workers\\api\\Probes\\Liveness\\Target: expected a pipe name "
                     "(\\\\.\\pipe\\<name>) for "
                     "Type=pipe, found \"\\\\.\\pipe\\x\" contains a backslash"},
        BoundaryCase{
            "exec probe with an unquoted spaced path",
            [](RawWorker& w) { SetProbe(w, "exec", "C:\\Program Files\\check.exe --quick"); },
            "Workers\\api\\Probes\\Liveness\\Target: expected a command line for Type=exec, its "
            "program "
            "quoted when its path has a space, found \"C:\\Program Files\\check.exe --quick\", an "
            "unquoted "
            "path with a space"},
        BoundaryCase{
            "Command with an unquoted spaced path",
            [](RawWorker& w) {
              w.values["Command"] = RawValue::String("C:\\Program Files\\api.exe --port 80");
            },
            "Workers\\api\\Command: expected the program quoted when its path has a space: "
            "\"C:\\Program Files\\api.exe\" --port 80, found an unquoted path Windows would try "
            "piece by "
            "piece, the first piece first"}));

TEST(ValidateConfigTest, AWorkersStdoutAndStderrMayShareAFile) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  raw.workers["api"].values["StdoutLog"] = RawValue::String("C:\\logs\\api.log");
  raw.workers["api"].values["StderrLog"] = RawValue::String("c:\\LOGS\\api.log");
  const ValidatedConfig validated = ValidateConfig(raw);
  EXPECT_TRUE(validated.invalid_workers.empty());
  EXPECT_EQ(validated.workers.at("api").launch.stderr_log, "c:\\LOGS\\api.log");
}

TEST(ValidateConfigTest, NoneForBothStreamsIsNoSharedFile) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  raw.workers["api"].values["StdoutLog"] = RawValue::String("none");
  raw.workers["api"].values["StderrLog"] = RawValue::String("NONE");
  raw.workers["web"] = raw.workers["api"];
  EXPECT_TRUE(ValidateConfig(raw).invalid_workers.empty());
}

TEST(ValidateConfigTest, AProbeWithoutAValidTypeGetsNoSecondErrorAboutItsTarget) {
  RawConfig raw;
  raw.workers["api"] = MinimalWorker();
  SetProbe(raw.workers["api"], "smoke-signal", "foo");
  const ValidatedConfig config = ValidateConfig(raw);
  ASSERT_EQ(config.invalid_workers.at("api").size(), 1u);
  EXPECT_EQ(config.invalid_workers.at("api")[0].value, "Type");
}

TEST(ValidateConfigTest, DosDeviceNamesAreNoWorkerNames) {
  for (const char* name : {"CON", "nul", "Aux", "prn", "com1", "LPT9", "nul.api", "COM3.log"}) {
    EXPECT_FALSE(IsValidWorkerName(name)) << name;
    RawConfig raw;
    raw.workers[name] = MinimalWorker();
    const ValidatedConfig config = ValidateConfig(raw);
    ASSERT_TRUE(config.invalid_workers.contains(name)) << name;
    EXPECT_NE(config.invalid_workers.at(name)[0].expected.find("not a DOS device name"),
              std::string::npos)
        << name;
  }
  for (const char* name : {"COM10", "LPT0", "console", "null", "auxiliary", "com"})
    EXPECT_TRUE(IsValidWorkerName(name)) << name;
}

TEST(ValidateConfigTest, TwoWorkersWritingOneLogFileAreBothRefusedNamingEachOther) {
  RawConfig raw;
  raw.workers["a"] = MinimalWorker();
  raw.workers["a"].values["StdoutLog"] = RawValue::String("C:\\logs\\shared.log");
  raw.workers["b"] = MinimalWorker();
  raw.workers["b"].values["StderrLog"] = RawValue::String("c:\\logs\\SHARED.log");
  raw.workers["c"] = MinimalWorker();
  const ValidatedConfig config = ValidateConfig(raw);
  EXPECT_EQ(Messages(config.invalid_workers.at("a")),
            std::vector<std::string>{
                "Workers\\a\\StdoutLog: expected a log file no other worker writes, found "
                "\"C:\\logs\\shared.log\", written by b too"});
  EXPECT_EQ(Messages(config.invalid_workers.at("b")),
            std::vector<std::string>{
                "Workers\\b\\StderrLog: expected a log file no other worker writes, found "
                "\"c:\\logs\\SHARED.log\", written by a too"});  // as b spells it
  EXPECT_TRUE(config.workers.contains("c"));
}

TEST(ValidateConfigTest, PipeNamesAreCheckedAndDistinct) {
  RawConfig same;
  same.daemon["ControlPipe"] = RawValue::String("sup");
  same.daemon["HealthPipe"] = RawValue::String("SUP");
  ASSERT_EQ(ValidateConfig(same).daemon_errors.size(), 1u);
  EXPECT_EQ(ValidateConfig(same).daemon_errors[0].ToString(),
            "HKLM\\SOFTWARE\\Sup\\HealthPipe: expected a pipe name other than ControlPipe's, found "
            "\"SUP\" for both");
  RawConfig slash;
  slash.daemon["ControlPipe"] = RawValue::String("a\\b");
  ASSERT_EQ(ValidateConfig(slash).daemon_errors.size(), 1u);
  EXPECT_EQ(ValidateConfig(slash).daemon.control_pipe, "sup-control");  // nothing of it applied
  // supd serves its pipes under a protected prefix too: 216 characters, not CreateNamedPipe's 247.
  RawConfig longest;
  longest.daemon["ControlPipe"] = RawValue::String(std::string(216, 'c'));
  EXPECT_TRUE(ValidateConfig(longest).daemon_errors.empty());
  RawConfig longer;
  longer.daemon["HealthPipe"] = RawValue::String(std::string(217, 'h'));
  ASSERT_EQ(ValidateConfig(longer).daemon_errors.size(), 1u);
  EXPECT_EQ(ValidateConfig(longer).daemon_errors[0].ToString(),
            "HKLM\\SOFTWARE\\Sup\\HealthPipe: expected a REG_SZ or REG_EXPAND_SZ of 1 to 216 "
            "characters, found REG_SZ \"" +
                std::string(217, 'h') + "\"");
}

TEST(ValidateConfigTest, WorkerNames) {
  EXPECT_TRUE(IsValidWorkerName("web-api_2.blue"));
  EXPECT_TRUE(IsValidWorkerName(std::string(64, 'a')));
  EXPECT_FALSE(IsValidWorkerName(""));
  EXPECT_FALSE(IsValidWorkerName(std::string(65, 'a')));
  EXPECT_FALSE(IsValidWorkerName("a b"));
  EXPECT_FALSE(IsValidWorkerName("a\\b"));
}

}  // namespace
}  // namespace sup::config
