// The whole daemon in this process: single-instance guard, control pipe, stop.
#include "daemon/win/daemon.h"

#include <aclapi.h>
#include <sddl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cwchar>
#include <sstream>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/config/win/key_security.h"
#include "common/protocol.h"
#include "common/version.h"
#include "common/pipe_names.h"
#include "common/protocol_client.h"
#include "common/win/object_security.h"
#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "daemon/control/win/caller_identity.h"
#include "dacl.h"
#include "process_runner.h"
#include "tests/fakes/control_fakes.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;

// Its own pipes and its own (empty) configuration key per test.
DaemonOptions TestOptions(std::string_view test) {
  const std::string name =
      "sup-test-" + std::string(test) + "-" + std::to_string(::GetCurrentProcessId());
  DaemonOptions options;
  options.pipe_prefix = name;
  options.config_key = "HKCU\\Software\\SupTest\\" + name;
  return options;
}

std::shared_ptr<spdlog::logger> NullLogger() { return std::make_shared<spdlog::logger>("test"); }

// A logger whose lines the test reads back from `lines`.
std::shared_ptr<spdlog::logger> LoggerInto(std::ostringstream& lines) {
  return std::make_shared<spdlog::logger>("test",
                                          std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
}

// The DACL supd gives its pipes running as this process's account (SupdPipeSddl): SYSTEM,
// Administrators and that account, which under Wine is S-1-5-21-0-0-0-1000, not SYSTEM.
std::string SupdDacl() {
  const std::string self = OwnUserSid();
  return "D:P(A;;GA;;;SY)(A;;GA;;;BA)" + (self == "S-1-5-18" ? "" : "(A;;GA;;;" + self + ")");
}

// Sets a REG_SZ value under HKCU\`key`, creating the key.
void SetString(const std::wstring& key, const wchar_t* name, const std::string& value) {
  const std::wstring data = Widen(value);
  ASSERT_EQ(::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), name, REG_SZ, data.c_str(),
                              static_cast<DWORD>((data.size() + 1) * sizeof(wchar_t))),
            ERROR_SUCCESS);
}

void SetDword(const std::wstring& key, const wchar_t* name, DWORD value) {
  ASSERT_EQ(
      ::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), name, REG_DWORD, &value, sizeof(value)),
      ERROR_SUCCESS);
}

// Status asked on `pipe_name`, or why it was not answered.
Result<sup::v1::StatusResponse> AskStatus(const std::string& pipe_name) {
  Result<PipeClient> pipe = PipeClient::Connect(pipe_name, 5s);
  if (!pipe) return pipe.error();
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_status();
  Result<sup::v1::Response> response = client.Call(request);
  if (!response) return response.error();
  return response->status();
}

// The health answer of `service` on `pipe`, or nullopt when it cannot be had.
std::optional<sup::v1::HealthCheckResponse> AskHealth(const std::string& pipe,
                                                      const std::string& service = "") {
  Result<PipeClient> connected = PipeClient::Connect(pipe, 5s);
  if (!connected) return std::nullopt;
  HealthClient client(*connected);
  sup::v1::HealthRequest request;
  request.mutable_check()->set_service(service);
  Result<sup::v1::HealthResponse> response = client.Call(request);
  if (!response || response->has_error()) return std::nullopt;
  return response->check();
}

// Runs the daemon on its own io thread; stops it and joins the thread however the test leaves,
// so a failed ASSERT is a reported failure and never a joinable thread's std::terminate.
class RunningDaemon {
 public:
  explicit RunningDaemon(Daemon& daemon) : daemon_(daemon), io_thread_([this] { daemon_.Run(); }) {}
  ~RunningDaemon() { Stop(); }
  // Returns once the stop completed (Run returned).
  void Stop() {
    if (!io_thread_.joinable()) return;
    daemon_.RequestStop();
    io_thread_.join();
  }

 private:
  Daemon& daemon_;
  std::thread io_thread_;
};

TEST(DaemonTest, AnswersStatusWithItsOwnPidAndStopsOnRequest) {
  const DaemonOptions options = TestOptions("status");
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);

  Result<sup::v1::StatusResponse> status = AskStatus(ControlPipeName(*options.pipe_prefix));
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->daemon().pid(), ::GetCurrentProcessId());
  EXPECT_EQ(status->daemon().version(), SupVersion());
  EXPECT_EQ(status->workers_size(), 0);

  running.Stop();  // returns once the stop completed
}

// The service turns each phase into a START_PENDING checkpoint; it only says RUNNING after the
// last one, when clients can connect.
TEST(DaemonTest, ReportsEachPhaseOfItsStartInOrder) {
  const DaemonOptions options = TestOptions("phases");
  std::vector<std::string> phases;
  Result<std::unique_ptr<Daemon>> daemon =
      Daemon::Create(options, NullLogger(), [&](const char* phase) { phases.emplace_back(phase); });
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  EXPECT_EQ(phases, (std::vector<std::string>{"configuration loaded", "control pipe listening",
                                              "workers started"}));
  EXPECT_TRUE(PipeClient::Connect(ControlPipeName(*options.pipe_prefix), 5s).ok());
}

TEST(DaemonTest, SecondDaemonWithTheSamePipesIsRefused) {
  const DaemonOptions options = TestOptions("single");
  Result<std::unique_ptr<Daemon>> first = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(first.ok()) << first.error().message();
  Result<std::unique_ptr<Daemon>> second = Daemon::Create(options, NullLogger());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::kFailedPrecondition);
  EXPECT_NE(second.error().message().find("already running"), std::string::npos);

  // Another prefix is another instance and may run beside it.
  EXPECT_TRUE(Daemon::Create(TestOptions("single-other"), NullLogger()).ok());

  // Once the first is gone, the lock goes with it: a new supd starts.
  first->reset();
  EXPECT_TRUE(Daemon::Create(options, NullLogger()).ok());
}

// A supd that starts while the one holding the lock is stopping (an upgrade right after a stop:
// Wine's msiexec starts the new one without waiting, and so may the SCM on Windows once the old
// one said STOPPED) waits for it, reporting progress, and starts once it has gone; it does not
// wait past the stopping one's budget, nor for one that is not stopping (the test above).
TEST(DaemonTest, ASupdStartingWhileTheOldOneStopsWaitsForIt) {
  const DaemonOptions options = TestOptions("stopping");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const std::wstring worker_key = key + L"\\Workers\\slow";
  SetString(worker_key, L"Command",
            "\"" + testing::ExecutableDirectory() + "\\testworker.exe\" --ignore-stop");
  // Its stop takes this long: Ctrl+C ignored, then terminated.
  SetDword(worker_key, L"StopTimeoutMs", 3000);
  Result<std::unique_ptr<Daemon>> old = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(old.ok()) << old.error().message();
  std::atomic<bool> old_gone{false};
  std::thread old_io([&] {
    (*old)->Run();
    old->reset();  // the lock goes with the daemon, as in the service host
    old_gone = true;
  });
  Result<sup::v1::StatusResponse> status = AskStatus(ControlPipeName(*options.pipe_prefix));
  ASSERT_TRUE(status.ok()) << status.error().message();
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        Result<sup::v1::StatusResponse> now = AskStatus(ControlPipeName(*options.pipe_prefix));
        return now.ok() && now->workers_size() == 1 && now->workers(0).pid() != 0;
      },
      10s));

  (*old)->RequestStop();
  // Once it says so on the health pipe, it has announced its stop beside its lock.
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        const auto answer = AskHealth(HealthPipeName(*options.pipe_prefix));
        return answer && answer->reason() == "supd is stopping";
      },
      10s));
  std::vector<std::string> phases;
  Result<std::unique_ptr<Daemon>> started =
      Daemon::Create(options, NullLogger(), [&](const char* phase) { phases.emplace_back(phase); });
  const bool old_was_gone = old_gone.load();
  old_io.join();
  ASSERT_TRUE(started.ok()) << started.error().message();
  EXPECT_TRUE(old_was_gone) << "the new supd started while the old one still held the lock";
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.front(), "configuration loaded");
  EXPECT_NE(std::find(phases.begin(), phases.end(), "waiting for the stopping supd"), phases.end());
  started->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// An OperatorsGroup that cannot be resolved at boot (a domain group before the network is up)
// does not stop supd: it warns, only administrators may act, and operators get their rights once
// the group resolves (here: corrected, and reloaded).
TEST(DaemonTest, AnUnresolvableOperatorsGroupOnlyWarnsAndAReloadResolvesIt) {
  const DaemonOptions options = TestOptions("operators");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const auto set_group = [&](const wchar_t* group) {
    ASSERT_EQ(::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), L"OperatorsGroup", REG_SZ, group,
                                static_cast<DWORD>((std::wcslen(group) + 1) * sizeof(wchar_t))),
              ERROR_SUCCESS);
  };
  set_group(L"NoSuchGroupAnywhere");
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  EXPECT_NE(lines->str().find("operators group not resolved group=\"NoSuchGroupAnywhere\""),
            std::string::npos)
      << lines->str();
  EXPECT_EQ(testing::PipeDacl(ControlPipeName(*options.pipe_prefix)),
            testing::SddlDacl(SupdDacl()));

  RunningDaemon running(**daemon);
  set_group(L"S-1-5-32-547");
  (*daemon)->RequestReload();
  // The pipe's own DACL changes (one descriptor for all instances), not only later instances'.
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        return testing::PipeDacl(ControlPipeName(*options.pipe_prefix)) ==
               testing::SddlDacl(SupdDacl() + PipeClientAce("S-1-5-32-547"));
      },
      10s));
  running.Stop();  // after the reload, which was posted first: the log is read once it is quiet
  EXPECT_NE(lines->str().find("operators group resolved group=\"S-1-5-32-547\""), std::string::npos)
      << lines->str();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// Reload (PARAMCHANGE, control 128) and reopen (control 129) requests, sent in a loop: one of each
// is pending at a time, their lines are limited to a few a minute (each line used to reach
// supd.log and a reload's the event log: 2 000 controls 129 wrote 1 029 lines), and the control
// pipe answers right after. Who may send the controls at all is the service's DACL
// (ServiceSecurityTest); this is what is left for those who may.
TEST(DaemonTest, AFloodOfReloadAndReopenRequestsIsCoalescedAndItsLinesLimited) {
  const DaemonOptions options = TestOptions("control-flood");
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  const std::string start_text = lines->str();
  const auto lines_at_start = std::count(start_text.begin(), start_text.end(), '\n');
  {
    RunningDaemon running(**daemon);
    for (int i = 0; i < 2000; ++i) {
      (*daemon)->RequestReopenLogs();
      (*daemon)->RequestReload();
    }
    Result<sup::v1::StatusResponse> status = AskStatus(ControlPipeName(*options.pipe_prefix));
    ASSERT_TRUE(status.ok()) << status.error().message();
    EXPECT_EQ(status->daemon().pid(), ::GetCurrentProcessId());
    running.Stop();
  }
  const std::string text = lines->str();
  const auto count = [&](const std::string& needle) {
    std::size_t found = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1))
      ++found;
    return found;
  };
  EXPECT_GE(count("worker logs reopened control=129"), 1u) << text;
  EXPECT_GE(count("config reloaded trigger=\"reload request\""), 1u) << text;
  // Reopens and reloads share the limit: ten lines a minute between them.
  EXPECT_LE(count("worker logs reopened control=129") +
                count("config reloaded trigger=\"reload request\""),
            10u)
      << text;
  EXPECT_LT(std::count(text.begin(), text.end(), '\n') - lines_at_start, 30) << text;
}

// Every request that changes what runs is audited: an info line with the caller's account and an
// event log entry (1004) whose strings a forwarder can read.
TEST(DaemonTest, ARequestThatChangesWhatRunsIsAuditedWithItsCaller) {
  DaemonOptions options = TestOptions("audit");
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  options.event_log = event_log;
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);
  Result<PipeClient> pipe = PipeClient::Connect(ControlPipeName(*options.pipe_prefix), 5s);
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_stop()->add_workers("nosuch");
  ASSERT_TRUE(client.Call(request).ok());
  running.Stop();
  const auto audited = event_log->With(control::event_ids::kRequestAudited.id);
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_FALSE(audited[0][0].empty());  // the caller's account, as Windows names it
  EXPECT_EQ(audited[0][1], "administrator");
  EXPECT_EQ(audited[0][2], "stop");
  EXPECT_EQ(audited[0][3], "nosuch");
  EXPECT_NE(lines->str().find("audit verb=stop workers=nosuch account=\"" + audited[0][0] + "\""),
            std::string::npos)
      << lines->str();
}

// Whoever can change the configuration key runs programs as supd's account: supd warns (log and
// event log) when anyone else may write it or a key below it, naming the key and who, once per
// change of who; and says when it is back to SYSTEM and Administrators only.
TEST(DaemonTest, AConfigurationKeyOthersMayWriteIsWarnedAboutOnceAndItsRepairNoted) {
  const DaemonOptions options = TestOptions("key-writers");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const auto set_key_dacl = [&](const std::string& sddl) {
    HKEY raw = nullptr;
    ASSERT_EQ(::RegCreateKeyExW(HKEY_CURRENT_USER, key.c_str(), 0, nullptr, 0,
                                KEY_READ | WRITE_DAC | WRITE_OWNER, nullptr, &raw, nullptr),
              ERROR_SUCCESS);
    const UniqueRegistryKey opened{raw};
    ASSERT_TRUE(win::SetKeySecurity(opened.get(), sddl).ok());
  };
  set_key_dacl("O:BAD:(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)(A;OICI;KA;;;BU)");
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  const std::string warning =
      "[warning] configuration key writable by others key=" + options.config_key + " writers=\"" +
      options.config_key + ": ";
  EXPECT_NE(lines->str().find(warning), std::string::npos) << lines->str();
  EXPECT_NE(lines->str().find("S-1-5-32-545"), std::string::npos) << lines->str();
  {
    RunningDaemon running(**daemon);
    (*daemon)->RequestReload();  // nothing changed: not said again
    set_key_dacl("O:BAD:P(A;OICI;KA;;;SY)(A;OICI;KA;;;BA)");
    (*daemon)->RequestReload();
    running.Stop();
  }
  const std::string text = lines->str();
  EXPECT_EQ(text.find(warning, text.find(warning) + 1), std::string::npos) << text;
  EXPECT_NE(text.find("configuration key writable only by SYSTEM and Administrators again"),
            std::string::npos)
      << text;
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// supd's stop ends when its workers are down: a probe still in flight (here a probe command that
// would run for a minute) is abandoned, not waited for until its timeout, and an operators group
// still being retried (every minute) does not keep the io thread alive either. The service
// reports STOP_PENDING until Run returns and the daemon is torn down (service_host.cc).
TEST(DaemonTest, AStopWaitsNeitherForAProbeInFlightNorForTheOperatorsRetry) {
  const DaemonOptions options = TestOptions("stop-probe");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const auto set_string = [&](const std::wstring& subkey, const wchar_t* name,
                              const std::string& value) { SetString(key + subkey, name, value); };
  const auto set_dword = [&](const std::wstring& subkey, const wchar_t* name, DWORD value) {
    SetDword(key + subkey, name, value);
  };
  const std::string worker = "\"" + testing::ExecutableDirectory() + "\\testworker.exe\"";
  const std::string probe_started = testing::TempPath("stop-probe.pid");
  ::DeleteFileW(Widen(probe_started).c_str());
  set_string(L"", L"OperatorsGroup", "NoSuchGroupAnywhere");
  set_string(L"\\Workers\\probed", L"Command", worker);
  set_string(L"\\Workers\\probed\\Probes\\Liveness", L"Type", "exec");
  set_string(L"\\Workers\\probed\\Probes\\Liveness", L"Target",
             worker + " --pid-file \"" + probe_started + "\"");
  set_dword(L"\\Workers\\probed\\Probes\\Liveness", L"TimeoutMs", 60'000);
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  std::atomic<bool> returned{false};
  std::thread io_thread([&] {
    (*daemon)->Run();
    returned = true;
  });
  const bool probing = testing::WaitUntil(
      [&] { return ::GetFileAttributesW(Widen(probe_started).c_str()) != INVALID_FILE_ATTRIBUTES; },
      20s);
  (*daemon)->RequestStop();
  // Well within the minute either would have held it (the worker itself stops at once).
  EXPECT_TRUE(testing::WaitUntil([&] { return returned.load(); }, 20s));
  io_thread.join();
  EXPECT_TRUE(probing) << "the probe command never started";
  daemon->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
  ::DeleteFileW(Widen(probe_started).c_str());
}

// A Ctrl+C that cannot be delivered (the worker left its console, so supd cannot attach to it;
// under Wine now and then AttachConsole refuses a console that is there) moves the stop on to its
// next step at once, and supd goes on serving. In CI a supd once went silent right after such a
// Ctrl+C: this runs the path end to end, with a stop timeout the test would notice.
TEST(DaemonTest, ACtrlCThatCannotBeDeliveredMovesTheStopOnAndSupdServesOn) {
  const DaemonOptions options = TestOptions("undelivered");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const std::string program = "\"" + testing::ExecutableDirectory() + "\\testworker.exe\"";
  for (const auto& [name, arguments] :
       {std::pair<std::wstring, std::string>{L"detached", " --free-console"}, {L"other", ""}}) {
    const std::wstring worker = key + L"\\Workers\\" + name;
    SetString(worker, L"Command", program + arguments);
    const std::wstring steps = std::wstring(L"ctrl-c") + L'\0' + L"terminate" + L'\0' + L'\0';
    ASSERT_EQ(::RegSetKeyValueW(HKEY_CURRENT_USER, worker.c_str(), L"StopSteps", REG_MULTI_SZ,
                                steps.c_str(), static_cast<DWORD>(steps.size() * sizeof(wchar_t))),
              ERROR_SUCCESS);
    SetDword(worker, L"StopTimeoutMs", 60'000);
  }
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);
  const std::string control = ControlPipeName(*options.pipe_prefix);
  const auto state_of = [&](const std::string& name) {
    Result<sup::v1::StatusResponse> status = AskStatus(control);
    if (!status) return std::string("no answer: ") + status.error().message();
    for (const sup::v1::WorkerStatus& worker : status->workers()) {
      if (worker.name() == name) return sup::v1::WorkerStatus::State_Name(worker.state());
    }
    return std::string("absent");
  };
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return state_of("detached") == "RUNNING" && state_of("other") == "RUNNING"; }, 20s))
      << state_of("detached") << " " << state_of("other");

  Result<PipeClient> pipe = PipeClient::Connect(control, 5s);
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_stop()->add_workers("detached");
  ASSERT_TRUE(client.Call(request).ok());
  // Well within the minute the Ctrl+C step would otherwise wait (supd waits until a worker is a
  // second old before its Ctrl+C).
  EXPECT_TRUE(testing::WaitUntil([&] { return state_of("detached") == "STOPPED"; }, 20s))
      << state_of("detached") << "\n"
      << lines->str();
  EXPECT_EQ(state_of("other"), "RUNNING");
  EXPECT_NE(lines->str().find("ctrl-c not sent"), std::string::npos) << lines->str();
  running.Stop();
  daemon->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// supd watching itself: its io thread stalls (here a task that blocks it; in life a bug or a
// blocking call), and the read side, which keeps answering, says NOT_SERVING with the reason
// instead of the last status published; supd's log and the event log say it once; when the io
// thread comes back, health follows the workers again. With SelfRestart=1 supd ends with exit
// code 4 (here the end is recorded instead: the service host reports SERVICE_STOPPED with it,
// which only the SCM's failure actions on real Windows turn into a restart).
TEST(DaemonTest, AStalledIoThreadTurnsHealthNotServingAndSelfRestartEndsSupd) {
  DaemonOptions options = TestOptions("self-check");
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  options.event_log = event_log;
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  SetDword(key, L"SelfCheckMs", 1000);
  auto lines = std::make_shared<std::ostringstream>();
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  std::atomic<int> ended_with{-1};
  (*daemon)->SetEndSupd([&](unsigned code) { ended_with = static_cast<int>(code); });
  const std::string health_pipe = HealthPipeName(*options.pipe_prefix);
  const auto serving = [&] {
    const auto answer = AskHealth(health_pipe);
    return answer && answer->status() == sup::v1::HealthCheckResponse::SERVING;
  };
  const auto unanswered = [&] {
    const auto answer = AskHealth(health_pipe);
    return answer && answer->status() == sup::v1::HealthCheckResponse::NOT_SERVING &&
           answer->reason().starts_with("supervision has not answered for ");
  };
  RunningDaemon running(**daemon);
  ASSERT_TRUE(testing::WaitUntil(serving, 10s));  // no workers: supd as a whole serves

  // The stall: a task that waits for `release`, which is set however the test leaves.
  const UniqueHandle release(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  ASSERT_TRUE(release);
  struct Release {
    HANDLE event;
    ~Release() { ::SetEvent(event); }
  } released_at_exit{release.get()};
  const auto stall = [&] {
    (*daemon)->Post([event = release.get()] { ::WaitForSingleObject(event, INFINITE); });
  };
  stall();
  EXPECT_TRUE(testing::WaitUntil(unanswered, 10s)) << lines->str();
  // The health answer reads the beats itself; the log and the event log follow at the read
  // side's next look (every fifth of SelfCheckMs).
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return !event_log->With(control::event_ids::kSupervisionUnanswered.id).empty(); },
      10s));
  EXPECT_EQ(ended_with.load(), -1);  // SelfRestart is 0: supd waits
  const auto entries = event_log->With(control::event_ids::kSupervisionUnanswered.id);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0][1], "1000");
  EXPECT_EQ(entries[0][2], "SelfRestart is 0: supd keeps waiting for it.");
  ::SetEvent(release.get());
  EXPECT_TRUE(testing::WaitUntil(serving, 10s));
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        return lines->str().find("supervision answers again after about") != std::string::npos;
      },
      10s))
      << lines->str();

  // SelfRestart=1, taken at a reload; the next stall ends supd with exit code 4.
  SetDword(key, L"SelfRestart", 1);
  (*daemon)->RequestReload();
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return lines->str().find("config reloaded") != std::string::npos; }, 10s));
  ::ResetEvent(release.get());
  stall();
  EXPECT_TRUE(testing::WaitUntil([&] { return ended_with.load() == 4; }, 10s)) << lines->str();
  EXPECT_EQ(event_log->With(control::event_ids::kSupervisionUnanswered.id).back()[2],
            "supd ends (exit code 4) so that the service's failure actions start it again.");
  ::SetEvent(release.get());
  running.Stop();
  daemon->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// Clients keep asking while the configuration changes under them (a worker added and removed
// thirty times, each change applied by the registry watch and by a reload request): every Status
// is answered, with the workers of one configuration or the next, never an error.
TEST(DaemonTest, ClientsAreAnsweredThroughoutReloads) {
  const DaemonOptions options = TestOptions("reload-clients");
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const std::string worker = "\"" + testing::ExecutableDirectory() + "\\testworker.exe\"";
  for (const wchar_t* name : {L"a", L"b"})
    SetString(key + L"\\Workers\\" + name, L"Command", worker);
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);
  const std::string pipe = ControlPipeName(*options.pipe_prefix);
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::vector<std::string> failures(4);
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      while (!done && failures[c].empty()) {
        Result<sup::v1::StatusResponse> status = AskStatus(pipe);
        if (!status) {
          failures[c] = status.error().message();
        } else if (status->workers_size() < 2 || status->workers_size() > 3) {
          failures[c] = std::to_string(status->workers_size()) + " workers";
        } else {
          ++answered;
        }
      }
    });
  }
  for (int round = 0; round < 30; ++round) {
    if (round % 2 == 0) {
      SetString(key + L"\\Workers\\c", L"Command", worker);
    } else {
      ::RegDeleteTreeW(HKEY_CURRENT_USER, (key + L"\\Workers\\c").c_str());
    }
    (*daemon)->RequestReload();
    const int before = answered.load();
    EXPECT_TRUE(testing::WaitUntil([&] { return answered.load() > before + 2; }, 10s));
  }
  done = true;
  for (std::thread& client : clients) client.join();
  for (int c = 0; c < 4; ++c) EXPECT_EQ(failures[c], "") << "client " << c;
  EXPECT_GT(answered.load(), 60);
  running.Stop();
  daemon->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// What the service writes to the event log, each kind with its own id (the texts are checked by
// EventLogMessagesTest; Wine has no event log to read them back from): its start and stop, a
// worker running and stopped, a rejected worker definition at start, and at a reload with a bad
// daemon value both the rejection and the configuration applied.
TEST(DaemonTest, TheEventLogGetsTheLifecycleAndRejectionsEachWithItsOwnId) {
  DaemonOptions options = TestOptions("event-log");
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  options.event_log = event_log;
  const std::wstring key = Widen(options.config_key.substr(std::string("HKCU\\").size()));
  const auto set_string = [&](const std::wstring& subkey, const wchar_t* name,
                              const std::string& value) { SetString(key + subkey, name, value); };
  set_string(L"\\Workers\\api", L"Command",
             "\"" + testing::ExecutableDirectory() + "\\testworker.exe\"");
  set_string(L"\\Workers\\broken", L"Restart", "sometimes");  // and no Command either
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  namespace ids = control::event_ids;
  const auto started = event_log->With(ids::kSupdStarted.id);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0][1], std::to_string(::GetCurrentProcessId()));
  EXPECT_EQ(started[0][2], options.config_key);
  const auto rejected = event_log->With(ids::kConfigRejected.id);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0][0], "the definition of worker broken");
  EXPECT_NE(rejected[0][1].find("Restart"), std::string::npos) << rejected[0][1];
  EXPECT_NE(rejected[0][1].find("Command"), std::string::npos) << rejected[0][1];

  RunningDaemon running(**daemon);
  ASSERT_TRUE(
      testing::WaitUntil([&] { return !event_log->With(ids::kWorkerRunning.id).empty(); }, 20s));
  EXPECT_EQ(event_log->With(ids::kWorkerRunning.id)[0][0], "api");

  set_string(L"", L"LogLevel", "loud");
  (*daemon)->RequestReload();
  ASSERT_TRUE(
      testing::WaitUntil([&] { return !event_log->With(ids::kConfigApplied.id).empty(); }, 20s));
  const auto after_reload = event_log->With(ids::kConfigRejected.id);
  ASSERT_EQ(after_reload.size(), 3u);  // broken again, and the daemon values
  EXPECT_EQ(after_reload[1][0], "daemon values, left unchanged");
  EXPECT_NE(after_reload[1][1].find("LogLevel"), std::string::npos) << after_reload[1][1];

  running.Stop();
  EXPECT_EQ(event_log->With(ids::kWorkerStopped.id),
            (std::vector<std::vector<std::string>>{{"api", "shutdown"}}));
  EXPECT_EQ(event_log->With(ids::kSupdStopped.id).size(), 1u);
  EXPECT_EQ(event_log->entries().back().kind.id, ids::kSupdStopped.id);
  // No warning or error beyond the rejections: nothing else went wrong.
  for (const control::EventLogEntry& entry : event_log->entries()) {
    if (entry.kind.id != ids::kConfigRejected.id) {
      EXPECT_EQ(entry.kind.level, control::EventLogLevel::kInformation) << entry.kind.symbol;
    }
  }
  daemon->reset();
  ::RegDeleteTreeW(HKEY_CURRENT_USER, key.c_str());
}

// The first design refused to start when the named mutex Global\sup-instance-<pipe> existed,
// and any user could create it: one line of PowerShell kept supd from ever starting. The lock
// is now a file in a folder only SYSTEM and Administrators may write (own_folder_test.cc).
TEST(DaemonTest, AMutexUnderTheOldInstanceNameDoesNotKeepSupdFromStarting) {
  const DaemonOptions options = TestOptions("squatted-mutex");
  const UniqueHandle squatter{::CreateMutexW(
      nullptr, TRUE,
      Widen("Global\\sup-instance-" + ControlPipeName(*options.pipe_prefix)).c_str())};
  ASSERT_TRUE(squatter);
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  EXPECT_TRUE(daemon.ok()) << daemon.error().message();
}

// Wine keeps a pipe's security descriptor and returns it, but enforces none of it: that a
// non-administrator is actually kept out only real Windows can show.
TEST(DaemonTest, EachPipeCarriesItsIntendedDacl) {
  const DaemonOptions options = TestOptions("dacl");
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  const testing::AccessEntries control = testing::PipeDacl(ControlPipeName(*options.pipe_prefix));
  // SYSTEM, Administrators and supd's own account (the Wine user here) all access.
  testing::AccessEntries expected{{"S-1-5-18", FILE_ALL_ACCESS}, {"S-1-5-32-544", FILE_ALL_ACCESS}};
  if (OwnUserSid() != "S-1-5-18") expected.push_back({OwnUserSid(), FILE_ALL_ACCESS});
  EXPECT_EQ(control, testing::SddlDacl(SupdDacl()));
  EXPECT_EQ(control, expected);
  expected.push_back({"S-1-5-11", kPipeClientRights});
  EXPECT_EQ(testing::PipeDacl(HealthPipeName(*options.pipe_prefix)), expected);
  // The same under the protected names (this process is an administrator, as supd is as SYSTEM).
  EXPECT_EQ(testing::PipeDacl(std::string(kAdministratorsPipePrefix) +
                              ControlPipeName(*options.pipe_prefix)),
            control);
  EXPECT_EQ(testing::PipeDacl(std::string(kAdministratorsPipePrefix) +
                              HealthPipeName(*options.pipe_prefix)),
            expected);
}

// Anyone may create supd's well-known pipe names while supd is down (a crash restart, an
// upgrade). Such a squatter used to keep supd from starting (Windows: FILE_FLAG_FIRST_PIPE_INSTANCE
// fails) or to answer half of supctl's calls (Wine: the flag is not enforced, both served the
// name). Now supd starts, says who holds each name (log and event log), serves its protected
// names, which supctl tries first, and takes the well-known names as soon as they are free. That
// only administrators can create the protected names only real Windows shows (Wine lets anyone).
TEST(DaemonTest, ASquatterOnTheWellKnownNamesNeitherKeepsSupdFromStartingNorAnswersForIt) {
  const DaemonOptions options = TestOptions("squatted-pipes");
  const std::string control_pipe = ControlPipeName(*options.pipe_prefix);
  const std::string health_pipe = HealthPipeName(*options.pipe_prefix);
  const auto squat = [](const std::string& name) {
    return UniqueFileHandle{::CreateNamedPipeW(
        PipePath(name).c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE,
        PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, nullptr)};
  };
  UniqueFileHandle control_squatter = squat(control_pipe);
  UniqueFileHandle health_squatter = squat(health_pipe);
  ASSERT_TRUE(control_squatter && health_squatter);
  auto lines = std::make_shared<std::ostringstream>();
  DaemonOptions with_event_log = options;
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  with_event_log.event_log = event_log;
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(with_event_log, LoggerInto(*lines));
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);

  const std::string holder = "pid " + std::to_string(::GetCurrentProcessId()) + " (";
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return event_log->With(control::event_ids::kPipeNameTaken.id).size() == 2; }, 10s));
  for (const std::vector<std::string>& taken :
       event_log->With(control::event_ids::kPipeNameTaken.id)) {
    ASSERT_EQ(taken.size(), 2u);
    EXPECT_TRUE(taken[0] == control_pipe || taken[0] == health_pipe) << taken[0];
    EXPECT_NE(taken[1].find(holder), std::string::npos) << taken[1];  // the squatter, named
  }
  EXPECT_NE(lines->str().find("[warning] pipe name taken pipe=" + control_pipe), std::string::npos)
      << lines->str();

  // supd answers under its protected name.
  const std::string protected_control = std::string(kAdministratorsPipePrefix) + control_pipe;
  const auto status_pid = [](const std::string& pipe_name) -> std::uint32_t {
    Result<sup::v1::StatusResponse> status = AskStatus(pipe_name);
    return status ? status->daemon().pid() : 0;
  };
  EXPECT_EQ(status_pid(protected_control), ::GetCurrentProcessId());
  EXPECT_TRUE(PipeClient::Connect(std::string(kAdministratorsPipePrefix) + health_pipe, 2s).ok());

  // Once the squatter lets go, supd serves the well-known names again (first retry after 1 s).
  control_squatter.reset();
  health_squatter.reset();
  EXPECT_TRUE(testing::WaitUntil([&] { return status_pid(control_pipe) != 0; }, 20s));
  // (Each name has its own retries: the health pipe's may come a moment later.)
  EXPECT_TRUE(testing::WaitUntil([&] { return PipeClient::Connect(health_pipe, 2s).ok(); }, 20s));
  running.Stop();
  EXPECT_NE(lines->str().find("pipe name free again, served by supd pipe=" + control_pipe),
            std::string::npos)
      << lines->str();
  EXPECT_EQ(event_log->With(control::event_ids::kPipeNameTaken.id).size(), 2u);  // said once each
}

}  // namespace
}  // namespace sup::win
