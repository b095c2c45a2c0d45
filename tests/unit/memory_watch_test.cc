// MemoryRestartMB's checks on their own (daemon/engine/memory_watch.h): what the supervisor is
// told, and when; supervisor_memory_test.cc has what it then does.
#include "daemon/engine/memory_watch.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "tests/fakes/engine_fakes.h"
#include "tests/fakes/manual_clock.h"

namespace sup::engine {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kMiB = 1024 * 1024;

class MemoryWatchTest : public ::testing::Test {
 protected:
  MemoryWatchTest()
      : watch_(
            timers_, [this] { return Read(); },
            [this](std::uint64_t used) { reports_.push_back(used); }) {}

  std::optional<std::uint64_t> Read() {
    ++reads_;
    return working_set_;
  }

  testing::ManualClock clock_;
  testing::ManualTimers timers_{clock_};
  std::optional<std::uint64_t> working_set_ = 10 * kMiB;
  int reads_ = 0;
  std::vector<std::uint64_t> reports_;
  MemoryWatch watch_;
};

TEST_F(MemoryWatchTest, TwoReadingsAboveInARowAreReportedOnceAndTheChecksEnd) {
  watch_.Begin(100, 1000ms);
  EXPECT_TRUE(watch_.active());
  timers_.Advance(999ms);
  EXPECT_EQ(reads_, 0);
  working_set_ = 150 * kMiB;
  timers_.Advance(1ms);
  EXPECT_TRUE(reports_.empty()) << "one reading above may be a passing peak";
  timers_.Advance(1000ms);
  EXPECT_EQ(reports_, std::vector<std::uint64_t>{150 * kMiB});
  EXPECT_FALSE(watch_.active()) << "the supervisor decides what comes next";
  timers_.Advance(5000ms);
  EXPECT_EQ(reads_, 2);
}

TEST_F(MemoryWatchTest, AReadingAtOrBelowStartsTheCountOverAndNoReadingLeavesIt) {
  watch_.Begin(100, 1000ms);
  for (const std::uint64_t mib : {150, 100, 150, 90, 150}) {
    working_set_ = mib * kMiB;
    timers_.Advance(1000ms);
  }
  EXPECT_TRUE(reports_.empty());
  working_set_.reset();  // no reading this time: the count stays at one
  timers_.Advance(1000ms);
  working_set_ = 150 * kMiB;
  timers_.Advance(1000ms);
  EXPECT_EQ(reports_.size(), 1u);
}

TEST_F(MemoryWatchTest, ZeroMegabytesChecksNothingAndBeginStartsTheCountOver) {
  watch_.Begin(0, 1000ms);
  EXPECT_FALSE(watch_.active());
  watch_.Begin(100, 1000ms);
  working_set_ = 150 * kMiB;
  timers_.Advance(1000ms);
  watch_.Begin(100, 500ms);  // a new definition: counted afresh, at its own period
  timers_.Advance(500ms);
  EXPECT_TRUE(reports_.empty());
  timers_.Advance(500ms);
  EXPECT_EQ(reports_.size(), 1u);
  watch_.Begin(100, 500ms);
  watch_.Cancel();
  timers_.Advance(5000ms);
  EXPECT_EQ(reports_.size(), 1u);
}

}  // namespace
}  // namespace sup::engine
