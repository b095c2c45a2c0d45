// QueuedLog with real file workers and a log file whose operations block until the test lets
// them go, as a file another program holds (an oplock, a scan) does on Windows: the owner's
// thread (the test's, standing for the io thread) never waits on it, the readers pause while the
// file is behind and go on once it is stuck, and what was held back is counted and shown.
#include "daemon/output/queued_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "common/file_workers.h"
#include "tests/fakes/held_log_file.h"
#include "tests/support/wait_until.h"

namespace sup::output {
namespace {

using testing::HeldLogFile;
using testing::SharedManualClock;

constexpr std::chrono::seconds kDeadline{10};
constexpr char kPath[] = "C:\\logs\\w.out.log";

// The owner's thread: what the file workers post back, and timers, run when the test says.
class Owner {
 public:
  void Post(QueuedLog::Task task) {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(task));
  }
  void Arm(std::chrono::milliseconds delay, QueuedLog::Task task) {
    timer_ = {delay, std::move(task)};
  }
  void Cancel() { timer_.reset(); }
  bool armed() const { return timer_.has_value(); }
  // Runs what was posted back until `condition` holds (or the deadline passes).
  template <typename Condition>
  bool RunUntil(Condition condition) {
    return testing::WaitUntil(
        [&] {
          RunPosted();
          return condition();
        },
        kDeadline);
  }
  void RunPosted() {
    std::deque<QueuedLog::Task> posted;
    {
      std::lock_guard lock(mutex_);
      posted.swap(posted_);
    }
    for (QueuedLog::Task& task : posted) task();
  }
  // Runs the armed timer's task; the delay it was armed with.
  std::chrono::milliseconds FireTimer() {
    if (!timer_) return std::chrono::milliseconds(-1);
    auto [delay, task] = std::move(*timer_);
    timer_.reset();
    task();
    return delay;
  }

 private:
  std::mutex mutex_;
  std::deque<QueuedLog::Task> posted_;
  std::optional<std::pair<std::chrono::milliseconds, QueuedLog::Task>> timer_;
};

LineBatch Lines(std::string bytes) {
  LineBatch batch{std::move(bytes), {}};
  for (std::size_t at = 0; at < batch.bytes.size(); ++at) {
    if (batch.bytes[at] == '\n') batch.line_ends.push_back(at + 1);
  }
  return batch;
}

class QueuedLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<QueuedLog> MakeLog(QueuedLog::OpenFile open) {
    return std::make_unique<QueuedLog>(
        QueuedLog::Ports{workers_, clock_,
                         [this](QueuedLog::Task task) { owner_.Post(std::move(task)); },
                         [this](std::chrono::milliseconds delay, QueuedLog::Task task) {
                           owner_.Arm(delay, std::move(task));
                         },
                         [this] { owner_.Cancel(); }},
        std::move(open),
        QueuedLog::Options{.path = kPath,
                           .file = {},
                           .max_waiting_bytes = 8,
                           .stuck_after = std::chrono::seconds(10),
                           .on_problem = [this](const std::optional<std::string>& problem) {
                             reported_.push_back(problem);
                           }});
  }
  std::unique_ptr<QueuedLog> MakeLog() {
    return MakeLog([this]() -> Result<std::unique_ptr<LogFile>> {
      return std::unique_ptr<LogFile>(std::make_unique<testing::ForwardingLogFile>(file_));
    });
  }

  SharedManualClock clock_;
  HeldLogFile file_;
  Owner owner_;
  std::vector<std::optional<std::string>> reported_;
  FileWorkers workers_;  // last: destroyed first, waiting for what was posted
};

TEST_F(QueuedLogTest, TheOwnerNeverWaitsAndTheReadersPauseWhileTheFileIsBehind) {
  std::unique_ptr<QueuedLog> log = MakeLog();
  file_.Hold();
  log->Write(Lines("one\n"));  // returns: the file work waits on a file worker
  ASSERT_TRUE(testing::WaitUntil([&] { return file_.blocked(); }, kDeadline));
  EXPECT_TRUE(log->HasRoom());  // 4 of 8 bytes waiting
  log->Write(Lines("two\nthree\n"));
  EXPECT_FALSE(log->HasRoom());  // 14 bytes waiting: the readers pause
  bool resumed = false;
  log->WhenRoom([&] { resumed = true; });
  EXPECT_EQ(log->problem(), std::nullopt);  // behind is not a problem yet

  file_.Release();
  ASSERT_TRUE(owner_.RunUntil([&] { return resumed; }));
  EXPECT_FALSE(owner_.armed());  // the stuck timer is let go with the readers
  EXPECT_TRUE(log->HasRoom());
  EXPECT_EQ(file_.content(), "one\ntwo\nthree\n");  // in order, nothing lost
  EXPECT_TRUE(reported_.empty());
}

TEST_F(QueuedLogTest, AFileThatTakesNothingForStuckAfterIsReportedAndTheReadersGoOn) {
  std::unique_ptr<QueuedLog> log = MakeLog();
  file_.Hold();
  log->Write(Lines("first line\n"));
  ASSERT_TRUE(testing::WaitUntil([&] { return file_.blocked(); }, kDeadline));
  EXPECT_FALSE(log->HasRoom());
  bool resumed = false;
  log->WhenRoom([&] { resumed = true; });

  // Nothing comes back from the file: the timer armed for the stuck point finds it stuck.
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(owner_.FireTimer(), std::chrono::seconds(10));
  EXPECT_TRUE(resumed);
  EXPECT_TRUE(log->HasRoom());
  ASSERT_TRUE(log->problem().has_value());
  EXPECT_EQ(*log->problem(), std::string("the log file ") + kPath +
                                 " has taken no writes for 10 s (another program may hold it)");

  // What the worker prints meanwhile is not written (the tail has it): counted, said once.
  log->Write(Lines("dropped\n"));
  log->Write(Lines("dropped too\n"));
  ASSERT_EQ(reported_.size(), 1u);
  ASSERT_TRUE(reported_[0].has_value());
  EXPECT_NE(reported_[0]->find("has taken no writes for 10 s"), std::string::npos) << *reported_[0];
  EXPECT_NE(log->problem()->find("; 20 bytes not written since 2023-11-14T22:13:30.000Z"),
            std::string::npos)
      << *log->problem();

  // The other program lets go: the held write ends, and the log heals.
  file_.Release();
  ASSERT_TRUE(owner_.RunUntil([&] { return reported_.size() == 2; }));
  EXPECT_EQ(reported_[1], std::nullopt);
  EXPECT_EQ(log->problem(), std::nullopt);
  log->Write(Lines("after\n"));
  ASSERT_TRUE(owner_.RunUntil([&] { return file_.content() == "first line\nafter\n"; }))
      << file_.content();
}

TEST_F(QueuedLogTest, AFileThatCannotBeOpenedIsAProblemAndIsOpenedAgainLater) {
  std::atomic<int> opens{0};
  std::atomic<bool> refuse{true};
  std::unique_ptr<QueuedLog> log = MakeLog([&]() -> Result<std::unique_ptr<LogFile>> {
    ++opens;
    if (refuse) {
      return Error(ErrorKind::kFailedPrecondition,
                   "the log file C:\\logs\\w.out.log is a symbolic link or junction");
    }
    return std::unique_ptr<LogFile>(std::make_unique<testing::ForwardingLogFile>(file_));
  });
  log->Write(Lines("lost\n"));
  ASSERT_TRUE(owner_.RunUntil([&] { return reported_.size() == 1; }));
  ASSERT_TRUE(log->problem().has_value());
  EXPECT_EQ(*log->problem(),
            "log writes failing since 2023-11-14T22:13:20.000Z: the log file C:\\logs\\w.out.log "
            "is a symbolic link or junction; 5 bytes dropped");
  log->Write(Lines("lost too\n"));  // not opened again at once
  ASSERT_TRUE(owner_.RunUntil([&] { return log->HasRoom() && opens == 1; }));

  refuse = false;
  clock_.Advance(QueuedLog::kOpenRetry);
  log->Write(Lines("kept\n"));
  ASSERT_TRUE(owner_.RunUntil([&] { return reported_.size() == 2; }));
  EXPECT_EQ(reported_[1], std::nullopt);
  EXPECT_EQ(file_.content(), "kept\n");
  EXPECT_EQ(opens, 2);
}

// supd lets go of a log (the worker was removed) while its file is held: the lines already
// handed over still reach the file, and nothing calls back into the log that went.
TEST_F(QueuedLogTest, WorkHandedOverStillReachesTheFileAfterTheLogGoes) {
  std::unique_ptr<QueuedLog> log = MakeLog();
  file_.Hold();
  log->Write(Lines("last words\n"));
  ASSERT_TRUE(testing::WaitUntil([&] { return file_.blocked(); }, kDeadline));
  log.reset();
  file_.Release();
  ASSERT_TRUE(testing::WaitUntil([&] { return file_.content() == "last words\n"; }, kDeadline));
  owner_.RunPosted();  // what came back finds the log gone and does nothing
  EXPECT_TRUE(reported_.empty());
}

}  // namespace
}  // namespace sup::output
