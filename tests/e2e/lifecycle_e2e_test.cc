// The lifecycle vocabulary through a real service: workers that say they are ready (Notify=1) and
// alive (WatchdogMs) through their notify pipe, from a program (sdk/sup_notify.h, in testworker)
// and from a batch file (`supctl notify`).
#include <windows.h>

#include <gtest/gtest.h>

#include <string>

#include "process_runner.h"
#include "supd_service.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::Contains;
using testing::IsRunning;
using testing::SupdService;

TEST(LifecycleE2eTest, ANotifyingWorkerRunsOnceItSaysReadyAndShowsItsStatus) {
  SupdService supd("notify");
  supd.AddWorker("ready",
                 {"--notify", "STATUS=warming up", "--notify", "READY=1\\nSTATUS=serving"});
  supd.SetDword("ready", "Notify", 1);
  // Says nothing: it waits, then its start has failed after StartTimeoutMs.
  supd.AddWorker("silent", {});
  supd.SetDword("silent", "Notify", 1);
  supd.SetDword("silent", "StartTimeoutMs", 3000);
  ASSERT_SUPD_OK(supd.InstallAndStart());

  const std::optional<WorkerStatus> ready = supd.WaitForWorker(
      "ready", [](const WorkerStatus& w) { return IsRunning(w) && w.status_text() == "serving"; });
  ASSERT_TRUE(ready.has_value()) << supd.Supctl({"describe", "ready"}).out;
  EXPECT_TRUE(ready->ready());
  const testing::ProcessOutput json = supd.Supctl({"status", "-o", "json"});
  EXPECT_TRUE(Contains(json.out, "\"status_text\":\"serving\"")) << json.out;
  const testing::ProcessOutput table = supd.Supctl({"status"});
  EXPECT_TRUE(Contains(table.out, "; status: serving")) << table.out;

  const WorkerStatus silent = supd.WorkerOrFail("silent");
  EXPECT_EQ(silent.state(), WorkerStatus::STARTING);
  EXPECT_TRUE(Contains(silent.description(), "waiting for READY=1")) << silent.description();
  const std::optional<WorkerStatus> timed_out = supd.WaitForWorker(
      "silent", [](const WorkerStatus& w) { return w.reason() == WorkerStatus::START_TIMEOUT; });
  ASSERT_TRUE(timed_out.has_value()) << supd.Supctl({"describe", "silent"}).out;
  EXPECT_TRUE(
      Contains(supd.Supctl({"describe", "silent"}).out, "no READY=1 within StartTimeoutMs 3.0s"));
}

TEST(LifecycleE2eTest, AWorkerThatStopsBeatingIsRestartedByItsWatchdog) {
  SupdService supd("watchdog");
  supd.AddWorker("beating", {"--beat", "100"});
  supd.SetDword("beating", "WatchdogMs", 2000);
  supd.AddWorker("hung", {});
  supd.SetDword("hung", "WatchdogMs", 1000);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const std::optional<WorkerStatus> restarted =
      supd.WaitForWorker("hung", [](const WorkerStatus& w) { return w.restarts() >= 1; });
  ASSERT_TRUE(restarted.has_value()) << supd.Supctl({"describe", "hung"}).out;
  const testing::ProcessOutput describe = supd.Supctl({"describe", "hung"});
  EXPECT_TRUE(Contains(describe.out, "-> STOPPING (watchdog)")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "no WATCHDOG=1 within WatchdogMs 1.0s")) << describe.out;
  // Meanwhile the one that beats ran on.
  const WorkerStatus beating = supd.WorkerOrFail("beating");
  EXPECT_TRUE(IsRunning(beating));
  EXPECT_EQ(beating.restarts(), 0u);
}

// A batch file says READY=1 with supctl notify, which finds the pipe in the environment cmd.exe
// passes on: a process of the worker's job, so it is heard. supctl outside a worker says why it
// cannot, and a line that is not one is refused before anything is sent.
TEST(LifecycleE2eTest, ABatchFileSaysItIsReadyWithSupctlNotify) {
  SupdService supd("notify-batch");
  const std::string supctl = testing::ExecutableDirectory() + "\\supctl.exe";
  const std::string testworker = testing::ExecutableDirectory() + "\\testworker.exe";
  supd.AddWorker("script", {});
  supd.SetString("script", "Command",
                 "cmd.exe /c \"\"" + supctl +
                     "\" notify READY=1 \"STATUS=from a batch file\" && \"" + testworker +
                     "\" --print-every 1000\"");
  supd.SetDword("script", "Notify", 1);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const std::optional<WorkerStatus> running = supd.WaitForWorker(
      "script",
      [](const WorkerStatus& w) { return IsRunning(w) && w.status_text() == "from a batch file"; });
  EXPECT_TRUE(running.has_value()) << supd.Supctl({"describe", "script"}).out;

  const testing::ProcessOutput outside = supd.Supctl({"notify", "READY=1"});
  EXPECT_EQ(outside.exit_code, 1u);
  EXPECT_TRUE(Contains(outside.err, "SUP_NOTIFY_PIPE is not set")) << outside.err;
  const testing::ProcessOutput bad = supd.Supctl({"notify", "READY=yes"});
  EXPECT_EQ(bad.exit_code, 2u);
  EXPECT_TRUE(Contains(bad.err, "\"READY=yes\": READY takes 1")) << bad.err;
}

}  // namespace
}  // namespace sup::win
