// BackgroundLog (supd's own log) with a real file worker and a file whose writes block until the
// test lets them go: whoever logs never waits, a write not ended after stuck_after is a problem
// naming the file, lines beyond what may wait are counted and a notice says so once the file
// takes writes again.
#include "daemon/output/background_log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "common/file_workers.h"
#include "tests/fakes/held_log_file.h"
#include "tests/support/wait_until.h"

namespace sup::output {
namespace {

using testing::HeldLogFile;
using testing::SharedManualClock;

constexpr std::chrono::seconds kDeadline{10};

class BackgroundLogTest : public ::testing::Test {
 protected:
  BackgroundLogTest()
      : log_(workers_, std::make_unique<testing::ForwardingLogFile>(file_), clock_,
             {.name = "supd.log C:\\logs\\supd.log",
              .file = {},
              .max_waiting_bytes = 10,
              .stuck_after = std::chrono::seconds(10)},
             [](std::uint64_t lost) { return std::to_string(lost) + " lines lost\n"; }) {
    log_.OnProblem([this](const std::optional<std::string>& problem) {
      std::lock_guard lock(mutex_);
      told_.push_back(problem);
    });
  }
  std::vector<std::optional<std::string>> told() {
    std::lock_guard lock(mutex_);
    return told_;
  }

  SharedManualClock clock_;
  HeldLogFile file_;
  std::mutex mutex_;
  std::vector<std::optional<std::string>> told_;
  FileWorkers workers_;  // destroyed after the log, waiting for its file work
  BackgroundLog log_;
};

TEST_F(BackgroundLogTest, LinesReachTheFileInOrder) {
  for (const char* line : {"one\n", "two\n", "three\n"}) log_.Add(line);
  EXPECT_TRUE(testing::WaitUntil([&] { return file_.content() == "one\ntwo\nthree\n"; }, kDeadline))
      << file_.content();
  EXPECT_EQ(log_.problem(), std::nullopt);
}

TEST_F(BackgroundLogTest, AHeldFileNeitherStopsWhoLogsNorLosesTrackOfWhatItMissed) {
  file_.Hold();
  log_.Add("held\n");  // returns: the write waits on the file worker
  ASSERT_TRUE(testing::WaitUntil([&] { return file_.blocked(); }, kDeadline));
  log_.Add("waits\n");                             // 6 bytes wait
  log_.Add("more\n");                              // 11 wait
  for (int i = 0; i < 3; ++i) log_.Add("lost\n");  // beyond 10: counted, not kept
  EXPECT_EQ(log_.problem(), "supd.log C:\\logs\\supd.log: 3 lines not written while it took none");

  clock_.Advance(std::chrono::seconds(12));
  log_.Add("lost\n");
  EXPECT_EQ(log_.problem(),
            "supd.log C:\\logs\\supd.log: a write has not ended for 12 s (another program may "
            "hold the file); 4 lines not written while it took none");
  ASSERT_EQ(told().size(), 1u);  // told once, when it started

  file_.Release();
  ASSERT_TRUE(
      testing::WaitUntil([&] { return file_.content() == "held\nwaits\nmore\n"; }, kDeadline))
      << file_.content();
  log_.Add("again\n");
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return file_.content() == "held\nwaits\nmore\n4 lines lost\nagain\n"; }, kDeadline))
      << file_.content();
  EXPECT_TRUE(testing::WaitUntil([&] { return told().size() == 2; }, kDeadline));
  EXPECT_EQ(told().back(), std::nullopt);
  EXPECT_EQ(log_.problem(), std::nullopt);
}

}  // namespace
}  // namespace sup::output
