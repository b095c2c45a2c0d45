// The stop stall (closing notes of #12-#14: a service stop went silent for 60 s under Wine at the
// first Ctrl+C step of several workers at once): many workers with consoles of their own,
// printing, stopped together with Ctrl+C as their only soft step, round after round. Each worker
// must end by its Ctrl+C (exit code STATUS_CONTROL_C_EXIT), never by the terminate step a lost
// Ctrl+C would leave it to, and every stop must end well within the StopTimeoutMs a lost one
// would cost.
//
// The default run makes SUP_STOP_STRESS_ROUNDS=3 rounds of 30 workers; the long run is
//   SUP_STOP_STRESS_ROUNDS=200 ctest --preset mingw -R StopStressE2eTest
// (docs/performance.md has its figures).
#include <windows.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::SupdService;

constexpr int kWorkers = 30;
constexpr std::int64_t kControlCExit = 0xC000013A;  // STATUS_CONTROL_C_EXIT: ended by its Ctrl+C

int Rounds() {
  const char* rounds = std::getenv("SUP_STOP_STRESS_ROUNDS");
  return rounds && std::atoi(rounds) > 0 ? std::atoi(rounds) : 3;
}

TEST(StopStressE2eTest, ManyConsoleWorkersStoppedTogetherEachEndByTheirOneCtrlC) {
  SupdService supd("stopstress");
  std::vector<std::string> names;
  for (int i = 0; i < kWorkers; ++i) {
    const std::string name = "w" + std::to_string(i);
    supd.AddWorker(name, {"--print-every", "20"});
    supd.SetString(name, "StopSteps", "ctrl-c,terminate");
    supd.SetDword(name, "StopTimeoutMs", 30'000);  // a lost Ctrl+C costs 30 s: unmissable
    names.push_back(name);
  }
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const auto all_running = [&] {
    const std::optional<sup::v1::StatusResponse> status = supd.Status();
    return status &&
           std::all_of(status->workers().begin(), status->workers().end(),
                       [](const WorkerStatus& w) { return w.state() == WorkerStatus::RUNNING; });
  };
  std::vector<double> stop_seconds;
  for (int round = 0; round < Rounds(); ++round) {
    ASSERT_TRUE(testing::WaitUntil(all_running, 60s)) << "round " << round;
    const auto started = std::chrono::steady_clock::now();
    const testing::ProcessOutput stop = supd.Supctl({"--timeout", "60s", "stop", "all", "--wait"});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    stop_seconds.push_back(seconds);
    ASSERT_EQ(stop.exit_code, 0u) << "round " << round << ": " << stop.out << stop.err;
    const std::optional<sup::v1::StatusResponse> status = supd.Status();
    ASSERT_TRUE(status);
    for (const WorkerStatus& worker : status->workers()) {
      EXPECT_EQ(worker.last_exit_code(), kControlCExit)
          << "round " << round << ": " << worker.name() << " did not end by its Ctrl+C";
    }
    EXPECT_LT(seconds, 20.0) << "round " << round << ": the stop took " << seconds << " s\n"
                             << supd.Log().substr(
                                    supd.Log().size() > 6000 ? supd.Log().size() - 6000 : 0);
    if (::testing::Test::HasFailure()) break;
    ASSERT_EQ(supd.Supctl({"--timeout", "60s", "start", "all"}).exit_code, 0u);
  }
  std::sort(stop_seconds.begin(), stop_seconds.end());
  std::printf("[ stops    ] %zu rounds of %d workers: median %.2f s, slowest %.2f s\n",
              stop_seconds.size(), kWorkers, stop_seconds[stop_seconds.size() / 2],
              stop_seconds.back());
}

}  // namespace
}  // namespace sup::win
