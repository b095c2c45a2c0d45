// supd.exe as a real Windows service, driven with supctl.exe: registered with the SCM, started,
// queried, stopped and deleted, in the throwaway Wine prefix of the test session.
#include <windows.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol.h"
#include "common/version.h"
#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "dacl.h"
#include "process_runner.h"
#include "supd_service.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using testing::ExecutableDirectory;
using testing::QueryServiceState;
using testing::RunProcess;
using testing::SupdService;
using testing::WaitForServiceState;

TEST(ServiceE2eTest, InstallStartQueryStopDelete) {
  SupdService supd("lifecycle");
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const DWORD service_pid = supd.ServicePid();
  ASSERT_NE(service_pid, 0u);

  // RUNNING is reported only once the pipe listens, so supctl works at once.
  testing::ProcessOutput status = supd.Supctl({"status"});
  EXPECT_EQ(status.exit_code, 0u) << status.out << status.err;
  const std::string version(SupVersion());
  EXPECT_NE(
      status.out.find("supd " + version + ", pid " + std::to_string(service_pid) + ", uptime "),
      std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("(no workers configured)"), std::string::npos) << status.out;

  testing::ProcessOutput json = supd.Supctl({"-o", "json", "status"});
  EXPECT_EQ(json.exit_code, 0u) << json.err;
  EXPECT_EQ(json.out.rfind("{\"daemon\":{\"pid\":" + std::to_string(service_pid) +
                               ",\"version\":\"" + version + "\",",
                           0),
            0u)
      << json.out;
  EXPECT_NE(json.out.find("\"workers\":[]}"), std::string::npos) << json.out;

  testing::ProcessOutput versions = supd.Supctl({"version"});
  EXPECT_EQ(versions.exit_code, 0u) << versions.err;
  // Both built from this checkout: the same commit, when there is one.
  const std::string commit(SupCommit());
  EXPECT_EQ(versions.out, "supctl " + SupVersionWithCommit() + "\nsupd " + version + " (" +
                              (commit.empty() ? "" : "commit " + commit + ", ") + "protocol 1)\n");

  // supd creates further instances of its pipes as its own account: it is in their DACL, as
  // supctl reads it back (the service's account, whatever `--account` said: under Wine every
  // service runs as the prefix's user, S-1-5-21-0-0-0-1000; on Windows, SYSTEM adds nothing).
  {
    const UniqueHandle process{
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, service_pid)};
    ASSERT_TRUE(process);
    const std::string account = ProcessUserSid(process.get());
    ASSERT_FALSE(account.empty());
    const testing::AccessEntries dacl = testing::PipeDacl(supd.control_pipe());
    const bool has_account =
        account == "S-1-5-18" ||
        std::find(dacl.begin(), dacl.end(),
                  std::make_pair(account, static_cast<ACCESS_MASK>(FILE_ALL_ACCESS))) != dacl.end();
    EXPECT_TRUE(has_account) << account << " is not in the control pipe's DACL";
  }

  // 2 000 controls 129 (reopen the logs) in a loop, as anyone the service's DACL lets send them
  // (on Windows only administrators: ServiceSecurityTest; Wine's SCM checks no caller): before,
  // they wrote 1 029 lines to supd.log and `supctl status` failed right after. One is pending at a
  // time and their lines are limited to ten a minute.
  for (int i = 0; i < 2000; ++i) {
    SERVICE_STATUS ignored{};
    ::ControlService(supd.handle(), 129, &ignored);
  }
  const testing::ProcessOutput after_flood = supd.Supctl({"status"});
  EXPECT_EQ(after_flood.exit_code, 0u) << after_flood.out << after_flood.err;
  EXPECT_TRUE(supd.WaitForLog("worker logs reopened control=129"));
  EXPECT_LE(supd.CountInLog("worker logs reopened control=129"), 10u);

  testing::ProcessOutput unknown = supd.Supctl({"status", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 4u);
  EXPECT_NE(unknown.err.find("no such worker: nosuch"), std::string::npos) << unknown.err;

  // A second supd with the same pipes refuses to start (the instance lock in supd's state
  // folder: Wine does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE, real Windows refuses on both).
  // A console supd and the service agree on the folder although their %ProgramData% differ
  // under Wine.
  Result<testing::ProcessOutput> second = RunProcess(
      {ExecutableDirectory() + "\\supd.exe", "--console", "--pipe-prefix", supd.name()}, 30s);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->exit_code, 1u);
  EXPECT_NE(second->err.find("another supd is already running"), std::string::npos) << second->err;

  SERVICE_STATUS stop_status{};
  ASSERT_TRUE(::ControlService(supd.handle(), SERVICE_CONTROL_STOP, &stop_status))
      << Win32ErrorText(::GetLastError());
  ASSERT_TRUE(WaitForServiceState(supd.handle(), SERVICE_STOPPED, 30s));
  EXPECT_EQ(QueryServiceState(supd.handle())->dwWin32ExitCode, static_cast<DWORD>(NO_ERROR));
  // The service process is gone, not just reporting STOPPED.
  UniqueHandle process{::OpenProcess(SYNCHRONIZE, FALSE, service_pid)};
  if (process) {
    EXPECT_EQ(::WaitForSingleObject(process.get(), 30'000), WAIT_OBJECT_0);
  }

  testing::ProcessOutput unreachable = supd.Supctl({"status"});
  EXPECT_EQ(unreachable.exit_code, 4u);
  EXPECT_NE(unreachable.err.find("\\\\.\\pipe\\" + supd.control_pipe()), std::string::npos)
      << unreachable.err;
  EXPECT_NE(unreachable.err.find("supctl service status"), std::string::npos) << unreachable.err;
}

// supctl without --pipe talks to the instance the default configuration key describes, and finds
// its health pipe by the same rule with or without --pipe, also when HealthPipe is set apart from
// ControlPipe (supctl health used to ask <prefix>-health, and without --pipe sup-control).
TEST(SupctlE2eTest, FindsTheConfiguredPipesAlsoAHealthPipeSetApart) {
  testing::SupdService supd("default-key");
  supd.UseTheDefaultConfigurationKey();
  supd.SetDaemonString("ControlPipe", supd.control_pipe());
  supd.SetDaemonString("HealthPipe", supd.name() + "-probes");
  supd.AddWorker("ticker", {"--print-every", "1000"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("ticker", [](const v1::WorkerStatus& w) { return w.serving(); }));

  const std::string supctl = testing::ExecutableDirectory() + "\\supctl.exe";
  for (const std::vector<std::string>& pipe :
       {std::vector<std::string>{}, std::vector<std::string>{"--pipe", supd.control_pipe()}}) {
    std::vector<std::string> health{supctl};
    health.insert(health.end(), pipe.begin(), pipe.end());
    health.push_back("health");
    Result<testing::ProcessOutput> answer = testing::RunProcess(health, 60s);
    ASSERT_TRUE(answer.ok()) << answer.error().message();
    EXPECT_EQ(answer->exit_code, 0u) << answer->out << answer->err;
    EXPECT_EQ(answer->out, "supd: SERVING\n");
  }
  Result<testing::ProcessOutput> status = testing::RunProcess({supctl, "status", "ticker"}, 60s);
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->exit_code, 0u) << status->out << status->err;
}

TEST(SupctlE2eTest, UsageErrorsExitTwo) {
  const std::string supctl = ExecutableDirectory() + "\\supctl.exe";
  for (std::vector<std::string> arguments :
       std::vector<std::vector<std::string>>{{supctl},
                                             {supctl, "frobnicate"},
                                             {supctl, "-o", "yaml", "status"},
                                             {supctl, "--timeout", "soon", "status"}}) {
    Result<testing::ProcessOutput> output = RunProcess(arguments);
    ASSERT_TRUE(output.ok());
    EXPECT_EQ(output->exit_code, 2u) << arguments.back() << ": " << output->err;
  }
}

// A user who creates supd's well-known pipe names while supd is down (here before it starts)
// used to keep supd from starting (Windows) or to answer every other supctl call (Wine: 10 of 20
// `supctl status` failed). supd now starts, names the squatter in its log, serves its protected
// names, where supctl looks first, and takes the well-known names back once they are free. Only
// real Windows keeps a standard user from creating the protected names too (Wine lets anyone).
TEST(ServiceE2eTest, SquattedWellKnownPipesNeitherKeepSupdDownNorAnswerSupctl) {
  SupdService supd("squatted");
  std::vector<std::unique_ptr<testing::BackgroundProcess>> squatters;
  for (const std::string suffix : {"-control", "-health"}) {
    const std::string name = supd.name() + suffix;
    Result<std::unique_ptr<testing::BackgroundProcess>> squatter =
        testing::BackgroundProcess::Start(
            {ExecutableDirectory() + "\\testworker.exe", "--serve-pipe", name});
    ASSERT_TRUE(squatter.ok()) << squatter.error().message();
    squatters.push_back(std::move(*squatter));
    // Serving before supd starts: the name exists (busy or listening).
    const std::wstring path = L"\\\\.\\pipe\\" + Widen(name);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!::WaitNamedPipeW(path.c_str(), 100) && ::GetLastError() == ERROR_FILE_NOT_FOUND &&
           std::chrono::steady_clock::now() < deadline) {
      ::Sleep(20);  // (no way to wait for a name to appear)
    }
  }
  ASSERT_SUPD_OK(supd.InstallAndStart());
  EXPECT_TRUE(supd.WaitForLog("pipe name taken pipe=" + supd.name() + "-control"));
  EXPECT_TRUE(supd.WaitForLog("pipe name taken pipe=" + supd.name() + "-health"));
  EXPECT_TRUE(testing::Contains(supd.Log(), "testworker.exe)")) << supd.Log();

  int answered = 0, healthy = 0;
  for (int i = 0; i < 20; ++i) {
    const testing::ProcessOutput status = supd.Supctl({"status"});
    answered += status.exit_code == 0 &&
                testing::Contains(status.out, "pid " + std::to_string(supd.ServicePid()));
    healthy += supd.Supctl({"health"}).exit_code == 0;
  }
  EXPECT_EQ(answered, 20);
  EXPECT_EQ(healthy, 20);

  squatters.clear();  // terminated: the names are free
  EXPECT_TRUE(supd.WaitForLog(
      "pipe name free again, served by supd pipe=" + supd.name() + "-control", 1, 40s));
  EXPECT_TRUE(supd.WaitForLog(
      "pipe name free again, served by supd pipe=" + supd.name() + "-health", 1, 40s));
  // Exactly the well-known name: served by supd again.
  Result<testing::ProcessOutput> exact =
      RunProcess({ExecutableDirectory() + "\\supctl.exe", "--pipe",
                  "\\\\.\\pipe\\" + supd.control_pipe(), "status"});
  ASSERT_TRUE(exact.ok()) << exact.error().message();
  EXPECT_EQ(exact->exit_code, 0u) << exact->out << exact->err;
}

}  // namespace
}  // namespace sup::win
