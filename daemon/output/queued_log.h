// A worker's log file worked on by a file worker (the FileWork port), so that the io thread never
// waits on it: the file is opened, written, rotated and reopened there, in the order the io thread
// asked, through a RotatingFile. The io thread hands over the lines of each read and goes on.
//
// What is handed over and not yet written is bounded. Past max_waiting_bytes the readers pause
// (HasRoom, WhenRoom): the worker's pipe fills and its writes wait, as they would for a slow disk,
// and no line is lost. A file that has taken nothing for stuck_after is stuck (another program
// holds it: an oplock, a scan, a share that stopped answering): that is a problem reported once
// (the log's on_problem: a warning naming the file, and status while it lasts), the readers go on,
// and the lines meanwhile reach the tail and followers but not the file (counted), so a held file
// never keeps a worker waiting for longer than stuck_after.
//
// Threading: everything here on the owner's thread (the io thread); the file work on the file
// workers. A QueuedLog may go while its work waits: that work still runs (the lines reach the
// file), and tells nobody.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "common/file_work.h"
#include "daemon/output/log_writer.h"

namespace sup::output {

class QueuedLog final : public LineSink {
 public:
  // Opens the log file; runs on a file worker, at the first line and again after a failure (at
  // most every kOpenRetry) or at a Reopen.
  using OpenFile = std::function<Result<std::unique_ptr<LogFile>>()>;
  using Task = std::function<void()>;
  struct Ports {
    FileWork& workers;
    const Clock& clock;
    // Runs a task on the owner's thread (callable from any thread).
    std::function<void(Task)> post_back;
    // One timer on the owner's thread: runs a task after a delay (arming it again replaces
    // what was armed), or forgets it (cancel_timer).
    std::function<void(std::chrono::milliseconds, Task)> arm_timer;
    std::function<void()> cancel_timer;
  };
  struct Options {
    std::string path;            // the file: the file workers' key, and named in problems
    RotatingFile::Options file;  // its on_problem is not used: see on_problem below
    std::uint64_t max_waiting_bytes = 4 * 1024 * 1024;
    std::chrono::milliseconds stuck_after{10'000};
    // Told on the owner's thread when problem() starts saying something and when it stops.
    std::function<void(const std::optional<std::string>&)> on_problem = {};
  };
  static constexpr std::chrono::seconds kOpenRetry{5};

  QueuedLog(Ports ports, OpenFile open, Options options);
  ~QueuedLog() override;
  QueuedLog(const QueuedLog&) = delete;
  QueuedLog& operator=(const QueuedLog&) = delete;

  void Write(LineBatch batch) override;
  void Reopen() override;
  // The file's own problem (RotatingFile::problem, as last heard from the file worker), and
  // whether the file is stuck now: "the log file C:\...\w.log has taken no writes for 12 s
  // (another program may hold it); 4096 bytes not written since 2026-...".
  std::optional<std::string> problem() const override;

  // Whether the readers may hand over more now; false while max_waiting_bytes wait for a file
  // that is still taking writes.
  bool HasRoom() const;
  // Calls `resume` once there is room again: when the file has taken enough, or when it is
  // found stuck.
  void WhenRoom(Task resume);
  // Whether the file has taken everything handed over (as the owner's thread has heard).
  bool idle() const;
  // Forgets the paused readers without resuming them (the owner is going).
  void Close();

 private:
  class LazyLogFile;  // the file, opened at its first use on the file side
  struct Shared;      // what both threads touch; kept by the file work while it waits
  struct OwnerSide;   // what the owner's thread touches; kept by what comes back from the work
  std::chrono::steady_clock::duration SinceProgress() const;
  bool StuckNow() const;
  // Adds lines (or a reopen) to what the file work has to do, posting that work if needed.
  void Hand(LineBatch lines, bool reopen);
  static void WriteAll(Shared& shared, const std::shared_ptr<OwnerSide>& owner,
                       const std::function<void(Task)>& post_back, QueuedLog* self);
  void Heard(const std::optional<std::string>& file_problem);  // from the file side
  void Tell();  // on_problem, if problem() started or stopped
  void Resume();

  std::shared_ptr<Shared> shared_;
  std::shared_ptr<OwnerSide> owner_;
  Ports ports_;
  std::string path_;
  std::uint64_t max_waiting_bytes_;
  std::chrono::milliseconds stuck_after_;
  std::function<void(const std::optional<std::string>&)> on_problem_;
};

}  // namespace sup::output
