// FileWorkers with real threads: one key's tasks in order and one at a time, a stuck key holding
// one thread and never another key, Replace keeping only the newest waiting task.
#include "common/file_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "tests/support/wait_until.h"

namespace sup::output {
namespace {

constexpr std::chrono::seconds kDeadline{10};

// A task that waits until the test lets it go, as a write to a file another program holds.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    --waiting_;
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool HasWaiter() {
    std::lock_guard lock(mutex_);
    return waiting_ > 0;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

TEST(FileWorkersTest, TheTasksOfOneKeyRunInOrderOneAtATime) {
  std::mutex mutex;
  std::vector<int> ran;
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  {
    FileWorkers workers;
    for (int i = 0; i < 100; ++i) {
      workers.Post("C:\\logs\\a.log", [&, i] {
        if (++running > 1) overlapped = true;
        {
          std::lock_guard lock(mutex);
          ran.push_back(i);
        }
        --running;
      });
    }
  }  // the destructor waits for what was posted
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(ran.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ran[i], i);
}

TEST(FileWorkersTest, AStuckFileHoldsOneThreadAndNeverTheOtherFiles) {
  Gate held;
  std::atomic<bool> other_written{false};
  FileWorkers workers;
  workers.Post("C:\\logs\\held.log", [&] { held.Wait(); });
  ASSERT_TRUE(testing::WaitUntil([&] { return held.HasWaiter(); }, kDeadline));
  workers.Post("C:\\logs\\held.log", [] {});  // waits behind the stuck one: same file
  workers.Post("C:\\logs\\other.log", [&] { other_written = true; });
  EXPECT_TRUE(testing::WaitUntil([&] { return other_written.load(); }, kDeadline));
  EXPECT_EQ(workers.threads(), 2);
  const auto running = workers.RunningFor("C:\\logs\\held.log");
  ASSERT_TRUE(running.has_value());
  EXPECT_GE(*running, std::chrono::steady_clock::duration::zero());
  EXPECT_FALSE(workers.RunningFor("C:\\logs\\other.log").has_value());
  held.Open();
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return !workers.RunningFor("C:\\logs\\held.log").has_value(); }, kDeadline));
}

TEST(FileWorkersTest, ReplaceKeepsOnlyTheNewestWaitingTask) {
  Gate held;
  std::mutex mutex;
  std::vector<std::string> written;
  {
    FileWorkers workers;
    workers.Replace("metrics", [&] {
      held.Wait();
      std::lock_guard lock(mutex);
      written.push_back("first");
    });
    ASSERT_TRUE(testing::WaitUntil([&] { return held.HasWaiter(); }, kDeadline));
    for (const char* content : {"second", "third", "fourth"}) {
      workers.Replace("metrics", [&, content] {
        std::lock_guard lock(mutex);
        written.push_back(content);
      });
    }
    held.Open();
  }
  EXPECT_EQ(written, (std::vector<std::string>{"first", "fourth"}));
}

// A file that never answers does not hold supd's stop: the destructor gives up after kStopWait
// and leaves the thread to end with the process.
TEST(FileWorkersTest, StoppingWaitsAMomentForAStuckFileThenGoes) {
  auto held = std::make_shared<Gate>();
  const auto started = std::chrono::steady_clock::now();
  {
    FileWorkers workers;
    workers.Post("C:\\logs\\held.log", [held] { held->Wait(); });
    ASSERT_TRUE(testing::WaitUntil([&] { return held->HasWaiter(); }, kDeadline));
  }
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, FileWorkers::kStopWait);
  EXPECT_LT(took, FileWorkers::kStopWait + std::chrono::seconds(5));
  held->Open();  // the detached thread ends
}

}  // namespace
}  // namespace sup::output
