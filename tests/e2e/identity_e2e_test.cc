// Worker identity end to end: supd.exe as a service protects its process before any worker runs,
// and a worker is never an administrator of supd, whatever its token says. Wine enforces process
// DACLs (OpenProcess), so what a worker may do to supd is shown here; a reduced worker's token is
// SYSTEM on Windows and Wine's one user here, and either way only the job rule keeps a
// Restricted=0 worker (an administrator by its token) from acting as one.
#include <windows.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/command_line.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::Contains;
using testing::SupdService;

std::string FileText(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Whether the file at `path` comes to hold `part`: supd writes the workers' logs on a thread of its
// own, so a line may reach the file a moment after the worker has gone.
bool FileComesToHold(const std::string& path, const std::string& part) {
  return testing::WaitUntil([&] { return Contains(FileText(path), part); }, 10s);
}

// A worker that runs once, its output in files of its own.
void AddOneShot(SupdService& supd, const std::string& worker, const std::string& command) {
  supd.SetString(worker, "Command", command);
  supd.SetString(worker, "Restart", "never");
  supd.SetDword(worker, "StartSeconds", 0);
  supd.SetString(worker, "StdoutLog", testing::TempPath(supd.name() + "-" + worker + ".out.log"));
  supd.SetString(worker, "StderrLog", testing::TempPath(supd.name() + "-" + worker + ".err.log"));
}

bool Exited(const WorkerStatus& w) {
  return w.state() != WorkerStatus::RUNNING && w.state() != WorkerStatus::STARTING &&
         w.restarts() == 0 && w.pid() == 0 && w.last_exit_code() != 0;
}

TEST(IdentityE2eTest, AWorkerIsNeverAnAdministratorOfSupd) {
  SupdService supd("identity-role");
  const std::string update = JoinWindowsCommandLine(
      {testing::ExecutableDirectory() + "\\supctl.exe", "--pipe", supd.control_pipe(), "update"});
  AddOneShot(supd, "reduced", update);
  AddOneShot(supd, "full", update);
  supd.SetDword("full", "Restricted", 0);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  for (const std::string worker : {"reduced", "full"}) {
    std::optional<WorkerStatus> ended = supd.WaitForWorker(worker, Exited);
    ASSERT_TRUE(ended) << worker;
    EXPECT_EQ(ended->last_exit_code(), 1) << worker;
    const std::string err = testing::TempPath(supd.name() + "-" + worker + ".err.log");
    EXPECT_TRUE(FileComesToHold(err, "update is not allowed for"))
        << worker << ": " << FileText(err);
    EXPECT_TRUE(FileComesToHold(err, "in a worker's job")) << worker << ": " << FileText(err);
  }
  // The same command from outside any worker's job (this test, an administrator) is obeyed.
  EXPECT_EQ(supd.Supctl({"update"}).exit_code, 0u);
  EXPECT_TRUE(supd.WaitForLog("worker runs with supd's full token name=full"));
}

TEST(IdentityE2eTest, NoReducedWorkerMayTerminateOrReadSupd) {
  SupdService supd("identity-supd");
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const std::string supd_pid = std::to_string(supd.ServicePid());
  AddOneShot(supd, "reduced",
             testing::TestWorkerCommand(
                 {"--try-open", supd_pid, "--exit-after", "0", "--exit-code", "7"}));
  AddOneShot(supd, "full",
             testing::TestWorkerCommand(
                 {"--try-open", supd_pid, "--exit-after", "0", "--exit-code", "7"}));
  supd.SetDword("full", "Restricted", 0);
  ASSERT_EQ(supd.Supctl({"update"}).exit_code, 0u);
  ASSERT_TRUE(supd.WaitForWorker("reduced", Exited));
  ASSERT_TRUE(supd.WaitForWorker("full", Exited));
  EXPECT_TRUE(FileComesToHold(
      testing::TempPath(supd.name() + "-reduced.out.log"),
      "open " + supd_pid + " terminate=denied vm-read=denied create-process=denied"));
  // Restricted=0 holds Administrators, which may end supd as Task Manager may; read it, no.
  EXPECT_TRUE(FileComesToHold(
      testing::TempPath(supd.name() + "-full.out.log"),
      "open " + supd_pid + " terminate=granted vm-read=denied create-process=denied"));
}

// Account=LocalService: supd logs the account on with LogonUserExExW, which Wine lacks. What Wine
// shows is the refusal reaching the operator, in the worker's words, while supd serves on (the
// logon itself: WorkerIdentityTest.AnAccountIsLoggedOnWithTheWorkerSidAndReducedToo; only Windows
// runs the worker as LocalService).
TEST(IdentityE2eTest, AnAccountWorkerThatCannotBeLoggedOnSaysWhy) {
  SupdService supd("identity-account");
  supd.AddWorker("svc", {});
  supd.SetString("svc", "Account", "NT AUTHORITY\\LocalService");
  supd.SetDword("svc", "MaxFailures", 2);
  supd.AddWorker("other", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("other", testing::IsRunning));
  ASSERT_TRUE(
      supd.WaitForLog("worker start failed name=svc error=\"worker svc runs as NT "
                      "AUTHORITY\\LocalService: finding LogonUserExExW in advapi32.dll"));
  ASSERT_TRUE(supd.WaitForWorker(
      "svc", [](const WorkerStatus& w) { return w.state() == WorkerStatus::FAILED; }));
  const testing::ProcessOutput describe = supd.Supctl({"describe", "svc"});
  EXPECT_TRUE(Contains(describe.out, "runs as NT AUTHORITY\\LocalService with a reduced token"))
      << describe.out;
  EXPECT_TRUE(Contains(describe.out,
                       "worker svc runs as NT AUTHORITY\\LocalService: finding "
                       "LogonUserExExW in advapi32.dll"))
      << describe.out;
  EXPECT_EQ(supd.Supctl({"status", "other"}).exit_code, 0u);
  const testing::ProcessOutput json = supd.Supctl({"status", "-o", "json"});
  EXPECT_TRUE(Contains(json.out, R"("name":"svc")")) << json.out;
  EXPECT_TRUE(Contains(json.out, R"("account":"NT AUTHORITY\\LocalService")")) << json.out;
  EXPECT_TRUE(Contains(json.out, R"("account":"LocalSystem")")) << json.out;
}

}  // namespace
}  // namespace sup::win
