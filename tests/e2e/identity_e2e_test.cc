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
    const std::string err = FileText(testing::TempPath(supd.name() + "-" + worker + ".err.log"));
    EXPECT_TRUE(Contains(err, "update is not allowed for")) << worker << ": " << err;
    EXPECT_TRUE(Contains(err, "in a worker's job")) << worker << ": " << err;
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
  EXPECT_TRUE(
      Contains(FileText(testing::TempPath(supd.name() + "-reduced.out.log")),
               "open " + supd_pid + " terminate=denied vm-read=denied create-process=denied"));
  // Restricted=0 holds Administrators, which may end supd as Task Manager may; read it, no.
  EXPECT_TRUE(
      Contains(FileText(testing::TempPath(supd.name() + "-full.out.log")),
               "open " + supd_pid + " terminate=granted vm-read=denied create-process=denied"));
}

}  // namespace
}  // namespace sup::win
