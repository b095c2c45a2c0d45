#include "daemon/output/queued_log.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "common/format.h"

namespace sup::output {

// The log file, opened at its first use rather than on the io thread; an open that failed is
// tried again at the next use kOpenRetry later (each batch meanwhile fails with the same error,
// which RotatingFile counts as dropped), or at once by a Reopen.
class QueuedLog::LazyLogFile final : public LogFile {
 public:
  LazyLogFile(QueuedLog::OpenFile open, const Clock& clock)
      : open_(std::move(open)), clock_(clock) {}
  Result<void> Append(std::string_view bytes) override {
    if (Result<void> ready = Ready(); !ready) return ready;
    return file_->Append(bytes);
  }
  Result<void> Rotate() override {
    if (Result<void> ready = Ready(); !ready) return ready;
    return file_->Rotate();
  }
  std::uint64_t size() const override { return file_ ? file_->size() : 0; }
  Result<void> Reopen() override {
    if (file_) return file_->Reopen();
    next_try_ = {};
    return Ready();
  }
  std::optional<std::int64_t> modified_unix_ms() const override {
    return file_ ? file_->modified_unix_ms() : std::nullopt;
  }
  Result<void> Ready() {
    if (file_) return Ok();
    if (error_ && clock_.SteadyNow() < next_try_) return *error_;
    next_try_ = clock_.SteadyNow() + QueuedLog::kOpenRetry;
    Result<std::unique_ptr<LogFile>> opened = open_();
    if (!opened) {
      error_ = opened.error();
      return *error_;
    }
    file_ = std::move(*opened);
    error_.reset();
    return Ok();
  }

 private:
  QueuedLog::OpenFile open_;
  const Clock& clock_;
  std::unique_ptr<LogFile> file_;
  std::optional<Error> error_;
  std::chrono::steady_clock::time_point next_try_{};
};

// What both threads share. The owner adds to `pending` and posts a task only when none is posted
// yet; the task writes everything pending, including what comes while it writes, so a file
// that is behind gets the lines of many reads in one write. The figures the owner asks often
// (HasRoom, problem) are atomics the file side keeps current; the file side posts back only
// when the owner needs to hear: its problem changed, or readers wait (want_news).
struct QueuedLog::Shared {
  Shared(OpenFile open, const Clock& clock, RotatingFile::Options options)
      : clock(clock), file(std::move(open), clock), options(std::move(options)) {}

  // One thing to do to the file, in order: lines, or a reopen between them.
  struct Item {
    LineBatch lines;
    bool reopen = false;
  };

  std::int64_t Ticks() const { return clock.SteadyNow().time_since_epoch().count(); }

  const Clock& clock;
  std::mutex mutex;
  std::deque<Item> pending;  // guarded by mutex
  bool task_posted = false;  // guarded by mutex
  std::atomic<std::uint64_t> waiting_bytes{0};
  // When the file last took something, or (if nothing waited then) when lines were handed over.
  std::atomic<std::int64_t> progress_ticks{0};
  std::atomic<bool> want_news{false};

  // The file side: touched only by the log's task (the file workers run one at a time).
  LazyLogFile file;
  RotatingFile::Options options;
  std::optional<RotatingFile> rotating;
  std::optional<std::string> told_problem;  // as last posted back

  // The RotatingFile is made by the first task: it reads the file's time (LogRotateEvery),
  // which opens it.
  RotatingFile& Rotating() {
    if (!rotating) {
      (void)file.Ready();
      options.on_problem = nullptr;
      rotating.emplace(file, clock, options);
    }
    return *rotating;
  }
};

// Touched only on the owner's thread.
struct QueuedLog::OwnerSide {
  bool closed = false;
  std::optional<std::string> file_problem;  // RotatingFile::problem, as last heard
  struct Stuck {
    std::int64_t since_unix_ms = 0;
    std::uint64_t dropped_bytes = 0;
  };
  std::optional<Stuck> stuck;  // found stuck by a Write, until the file takes something
  std::vector<Task> paused;
  bool check_armed = false;
  std::optional<std::string> reported;  // problem() as last told to on_problem
};

QueuedLog::QueuedLog(Ports ports, OpenFile open, Options options)
    : shared_(std::make_shared<Shared>(std::move(open), ports.clock, options.file)),
      owner_(std::make_shared<OwnerSide>()),
      ports_(std::move(ports)),
      path_(options.path),
      max_waiting_bytes_(options.max_waiting_bytes),
      stuck_after_(options.stuck_after),
      on_problem_(std::move(options.on_problem)) {}

QueuedLog::~QueuedLog() { Close(); }

void QueuedLog::Close() {
  owner_->closed = true;
  owner_->paused.clear();
  shared_->want_news = false;
}

bool QueuedLog::idle() const { return shared_->waiting_bytes == 0; }

std::chrono::steady_clock::duration QueuedLog::SinceProgress() const {
  return std::chrono::steady_clock::duration(shared_->Ticks() - shared_->progress_ticks);
}

bool QueuedLog::StuckNow() const {
  return shared_->waiting_bytes > 0 && SinceProgress() >= stuck_after_;
}

bool QueuedLog::HasRoom() const {
  return shared_->waiting_bytes < max_waiting_bytes_ || StuckNow();
}

void QueuedLog::Write(LineBatch batch) {
  const std::uint64_t bytes = batch.bytes.size();
  if (StuckNow()) {
    if (!owner_->stuck) {
      owner_->stuck = OwnerSide::Stuck{std::chrono::duration_cast<std::chrono::milliseconds>(
                                           ports_.clock.WallNow().time_since_epoch())
                                           .count(),
                                       0};
      shared_->want_news = true;  // to hear when it takes something again
    }
    owner_->stuck->dropped_bytes += bytes;
    Tell();
    return;
  }
  if (shared_->waiting_bytes.fetch_add(bytes) == 0) shared_->progress_ticks = shared_->Ticks();
  Hand(std::move(batch), /*reopen=*/false);
}

void QueuedLog::Reopen() { Hand({}, /*reopen=*/true); }

void QueuedLog::Hand(LineBatch lines, bool reopen) {
  Shared::Item item{std::move(lines), reopen};
  {
    std::lock_guard lock(shared_->mutex);
    std::deque<Shared::Item>& pending = shared_->pending;
    if (!item.reopen && !pending.empty() && !pending.back().reopen) {
      LineBatch& joined = pending.back().lines;  // after lines not written yet: one write
      const std::size_t offset = joined.bytes.size();
      joined.bytes.append(item.lines.bytes);
      for (const std::size_t end : item.lines.line_ends) joined.line_ends.push_back(offset + end);
    } else {
      pending.push_back(std::move(item));
    }
    if (shared_->task_posted) return;
    shared_->task_posted = true;
  }
  ports_.workers.Post(path_, [shared = shared_, owner = owner_, post_back = ports_.post_back,
                              self = this] { WriteAll(*shared, owner, post_back, self); });
}

// On a file worker: everything pending, until nothing is.
void QueuedLog::WriteAll(Shared& shared, const std::shared_ptr<OwnerSide>& owner,
                         const std::function<void(Task)>& post_back, QueuedLog* self) {
  RotatingFile& rotating = shared.Rotating();
  for (;;) {
    std::deque<Shared::Item> items;
    {
      std::lock_guard lock(shared.mutex);
      if (shared.pending.empty()) {
        shared.task_posted = false;
        break;
      }
      items.swap(shared.pending);
    }
    for (Shared::Item& item : items) {
      if (item.reopen) {
        rotating.Reopen();
        continue;
      }
      const std::uint64_t bytes = item.lines.bytes.size();
      rotating.Write(std::move(item.lines));
      shared.progress_ticks = shared.Ticks();
      shared.waiting_bytes -= bytes;
    }
  }
  std::optional<std::string> problem = rotating.problem();
  if (problem == shared.told_problem && !shared.want_news) return;
  shared.told_problem = problem;
  post_back([owner, self, problem = std::move(problem)] {
    if (owner->closed) return;
    self->Heard(problem);
  });
}

void QueuedLog::Heard(const std::optional<std::string>& file_problem) {
  owner_->file_problem = file_problem;
  if (owner_->stuck && !StuckNow()) owner_->stuck.reset();
  Tell();
  if (HasRoom()) Resume();
  shared_->want_news = owner_->stuck.has_value() || !owner_->paused.empty();
}

void QueuedLog::Tell() {
  std::optional<std::string> now = problem();
  if (now.has_value() == owner_->reported.has_value()) {
    owner_->reported = std::move(now);  // reported once when it starts, once when it heals
    return;
  }
  owner_->reported = now;
  if (on_problem_) on_problem_(now);
}

void QueuedLog::Resume() {
  if (owner_->check_armed) {
    owner_->check_armed = false;
    ports_.cancel_timer();
  }
  std::vector<Task> paused = std::move(owner_->paused);
  owner_->paused.clear();
  for (Task& resume : paused) resume();
}

void QueuedLog::WhenRoom(Task resume) {
  owner_->paused.push_back(std::move(resume));
  shared_->want_news = true;
  // The file side may have taken everything between HasRoom and now, and said nothing.
  if (HasRoom()) {
    Resume();
    return;
  }
  if (owner_->check_armed) return;
  // Nothing may come back from a stuck file: a timer finds it stuck, and the readers go on.
  owner_->check_armed = true;
  const auto until_stuck = std::chrono::ceil<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(stuck_after_) - SinceProgress());
  ports_.arm_timer(std::max(until_stuck, std::chrono::milliseconds(1)),
                   [owner = owner_, self = this] {
                     if (owner->closed) return;
                     owner->check_armed = false;
                     if (self->HasRoom()) {
                       self->Resume();
                     } else if (!owner->paused.empty()) {
                       Task next = std::move(owner->paused.back());  // arms the timer again
                       owner->paused.pop_back();
                       self->WhenRoom(std::move(next));
                     }
                   });
}

std::optional<std::string> QueuedLog::problem() const {
  std::string text = owner_->file_problem.value_or("");
  if (StuckNow()) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(SinceProgress());
    text += (text.empty() ? "" : "; ") + std::string("the log file ") + path_ +
            " has taken no writes for " + std::to_string(seconds.count()) +
            " s (another program may hold it)";
    if (owner_->stuck) {
      text += "; " + std::to_string(owner_->stuck->dropped_bytes) + " bytes not written since " +
              FormatUtcMillis(owner_->stuck->since_unix_ms);
    }
  }
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace sup::output
