#include "daemon/output/background_log.h"

#include <mutex>
#include <utility>

namespace sup::output {

struct BackgroundLog::State {
  State(std::unique_ptr<LogFile> file, const Clock& clock, Options options, Notice notice)
      : clock(clock),
        name(std::move(options.name)),
        max_waiting_bytes(options.max_waiting_bytes),
        stuck_after(options.stuck_after),
        notice(std::move(notice)),
        file(std::move(file)),
        rotating(*this->file, clock, std::move(options.file)) {}

  const Clock& clock;
  const std::string name;
  const std::uint64_t max_waiting_bytes;
  const std::chrono::milliseconds stuck_after;
  const Notice notice;
  std::unique_ptr<LogFile> file;  // used by the file work only
  RotatingFile rotating;          // used by the file work only

  mutable std::mutex mutex;  // guards what follows
  LineBatch pending;
  bool task_posted = false;
  std::uint64_t lost_lines = 0;
  std::optional<std::chrono::steady_clock::time_point> writing_since;
  std::optional<std::string> file_problem;  // RotatingFile::problem after the last write
  ProblemSink on_problem;
  std::optional<std::string> told;  // what on_problem last heard

  void AddLocked(std::string_view line) {
    pending.bytes.append(line);
    pending.line_ends.push_back(pending.bytes.size());
  }

  // With the mutex held.
  std::optional<std::string> Problem() const {
    std::string text = file_problem.value_or("");
    const auto now = clock.SteadyNow();
    if (writing_since && now - *writing_since >= stuck_after) {
      text += (text.empty() ? "" : "; ") + std::string("a write has not ended for ") +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(now - *writing_since).count()) +
              " s (another program may hold the file)";
    }
    if (lost_lines > 0) {
      text += (text.empty() ? "" : "; ") + std::to_string(lost_lines) +
              " lines not written while it took none";
    }
    if (text.empty()) return std::nullopt;
    return name + ": " + text;
  }

  // With the mutex held: on_problem, when the problem starts or ends (not as it grows).
  void Tell() {
    std::optional<std::string> now = Problem();
    if (now.has_value() == told.has_value()) return;
    told = now;
    if (on_problem) on_problem(now);
  }
};

BackgroundLog::BackgroundLog(FileWork& work, std::unique_ptr<LogFile> file, const Clock& clock,
                             Options options, Notice notice)
    : work_(work),
      state_(
          std::make_shared<State>(std::move(file), clock, std::move(options), std::move(notice))) {}

BackgroundLog::~BackgroundLog() = default;

void BackgroundLog::Add(std::string_view line) {
  std::lock_guard lock(state_->mutex);
  if (state_->pending.bytes.size() >= state_->max_waiting_bytes) {
    ++state_->lost_lines;
  } else {
    // The file takes writes again: first what it missed.
    if (state_->lost_lines > 0)
      state_->AddLocked(state_->notice(std::exchange(state_->lost_lines, 0)));
    state_->AddLocked(line);
  }
  state_->Tell();
  if (state_->task_posted) return;
  state_->task_posted = true;
  work_.Post(state_->name, [state = state_] { WriteAll(*state); });
}

// On the file worker: what is pending, until nothing is (lines added meanwhile join one write).
void BackgroundLog::WriteAll(State& state) {
  for (;;) {
    LineBatch batch;
    {
      std::lock_guard lock(state.mutex);
      if (state.pending.line_ends.empty()) {
        state.task_posted = false;
        state.writing_since.reset();
        state.Tell();
        return;
      }
      batch = std::exchange(state.pending, {});
      state.writing_since = state.clock.SteadyNow();
    }
    state.rotating.Write(std::move(batch));
    std::lock_guard lock(state.mutex);
    state.file_problem = state.rotating.problem();
  }
}

std::optional<std::string> BackgroundLog::problem() const {
  std::lock_guard lock(state_->mutex);
  return state_->Problem();
}

void BackgroundLog::OnProblem(ProblemSink on_problem) {
  std::lock_guard lock(state_->mutex);
  state_->on_problem = std::move(on_problem);
  state_->told.reset();
  state_->Tell();
}

}  // namespace sup::output
