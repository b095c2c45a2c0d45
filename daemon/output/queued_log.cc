#include "daemon/output/queued_log.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/format.h"

namespace sup::output {
namespace {

// The log file, opened at its first use rather than on the io thread; an open that failed is
// tried again at the next use kOpenRetry later (each batch meanwhile fails with the same error,
// which RotatingFile counts as dropped), or at once by a Reopen.
class LazyLogFile final : public LogFile {
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

}  // namespace

// Touched only by this log's tasks, which the file workers run one at a time.
struct QueuedLog::FileSide {
  FileSide(OpenFile open, const Clock& clock, RotatingFile::Options options)
      : file(std::move(open), clock), clock(clock), options(std::move(options)) {}

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

  LazyLogFile file;
  const Clock& clock;
  RotatingFile::Options options;
  std::optional<RotatingFile> rotating;
};

// Touched only on the owner's thread.
struct QueuedLog::OwnerSide {
  bool closed = false;
  std::uint64_t waiting_bytes = 0;
  // When the file last took something (or, if nothing waited then, when something was handed
  // over): stuck is this long ago with bytes waiting.
  std::chrono::steady_clock::time_point last_progress{};
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
    : file_(std::make_shared<FileSide>(std::move(open), ports.clock, options.file)),
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
}

bool QueuedLog::StuckNow() const {
  return owner_->waiting_bytes > 0 &&
         ports_.clock.SteadyNow() - owner_->last_progress >= stuck_after_;
}

bool QueuedLog::idle() const { return owner_->waiting_bytes == 0; }

bool QueuedLog::HasRoom() const { return owner_->waiting_bytes < max_waiting_bytes_ || StuckNow(); }

void QueuedLog::Write(LineBatch batch) {
  const std::uint64_t bytes = batch.bytes.size();
  if (StuckNow()) {
    if (!owner_->stuck) {
      owner_->stuck = OwnerSide::Stuck{std::chrono::duration_cast<std::chrono::milliseconds>(
                                           ports_.clock.WallNow().time_since_epoch())
                                           .count(),
                                       0};
    }
    owner_->stuck->dropped_bytes += bytes;
    Tell();
    return;
  }
  if (owner_->waiting_bytes == 0) owner_->last_progress = ports_.clock.SteadyNow();
  owner_->waiting_bytes += bytes;
  Hand([batch = std::move(batch)](RotatingFile& file) mutable { file.Write(std::move(batch)); },
       bytes);
}

void QueuedLog::Reopen() {
  Hand([](RotatingFile& file) { file.Reopen(); }, 0);
}

// The work runs on a file worker; what it changed comes back to the owner's thread.
void QueuedLog::Hand(std::function<void(RotatingFile&)> work, std::uint64_t bytes) {
  ports_.workers.Post(path_, [file = file_, owner = owner_, post_back = ports_.post_back,
                              work = std::move(work), bytes, self = this]() mutable {
    RotatingFile& rotating = file->Rotating();
    work(rotating);
    post_back([owner, self, bytes, problem = rotating.problem()] {
      if (owner->closed) return;
      self->Taken(bytes, problem);
    });
  });
}

void QueuedLog::Taken(std::uint64_t bytes, const std::optional<std::string>& file_problem) {
  owner_->waiting_bytes -= std::min(bytes, owner_->waiting_bytes);
  owner_->last_progress = ports_.clock.SteadyNow();
  owner_->stuck.reset();
  owner_->file_problem = file_problem;
  Tell();
  if (HasRoom()) Resume();
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
  if (owner_->check_armed) return;
  // Nothing may come back from a stuck file: a timer finds it stuck, and the readers go on.
  owner_->check_armed = true;
  const auto until_stuck = std::chrono::ceil<std::chrono::milliseconds>(
      owner_->last_progress + stuck_after_ - ports_.clock.SteadyNow());
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
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(ports_.clock.SteadyNow() -
                                                                          owner_->last_progress);
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
