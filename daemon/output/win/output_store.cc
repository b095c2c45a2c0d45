#include "daemon/output/win/output_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/win/object_security.h"
#include "daemon/output/win/code_pages.h"
#include "daemon/engine/win/launch_in_job.h"
#include "daemon/output/win/output_capture.h"

namespace sup::win {

OutputStore::OutputStore(const LogFileWork& work, std::shared_ptr<spdlog::logger> log)
    : work_(work), log_(std::move(log)) {}

// A log may outlive the store while a read on one of its pipes completes: it must not call back,
// and readers waiting for its file stay stopped.
OutputStore::~OutputStore() {
  for (auto& [key, capture] : captures_) {
    capture->log()->OnProblem(nullptr);
    capture->log()->file().Close();
  }
}

const OutputCapture* OutputStore::CaptureOf(const std::string& worker, bool stderr_stream) const {
  const auto found = captures_.find({worker, stderr_stream});
  return found == captures_.end() ? nullptr : found->second.get();
}

namespace {

Error NotCaptured(const std::string& worker, control::OutputStream stream) {
  const char* name = stream == control::OutputStream::kStderr ? "stderr" : "stdout";
  return Error(ErrorKind::kFailedPrecondition,
               std::string(name) + " of " + worker + " is not captured (its " +
                   (stream == control::OutputStream::kStderr ? "StderrLog" : "StdoutLog") +
                   " is none, or it has not run yet)");
}

}  // namespace

Result<std::vector<std::string>> OutputStore::Tail(const std::string& worker,
                                                   control::OutputStream stream,
                                                   std::size_t lines) const {
  const OutputCapture* capture = CaptureOf(worker, stream == control::OutputStream::kStderr);
  if (!capture) return NotCaptured(worker, stream);
  return capture->writer().Tail(lines);
}

Result<Subscription> OutputStore::Follow(
    const std::string& worker, control::OutputStream stream,
    std::function<void(const std::vector<std::string>&)> on_lines, std::function<void()> on_end) {
  const auto found = captures_.find({worker, stream == control::OutputStream::kStderr});
  if (found == captures_.end()) return NotCaptured(worker, stream);
  OutputCapture& capture = *found->second;
  return Combine(capture.writer().FollowLines(std::move(on_lines)),
                 capture.FollowEnd(std::move(on_end)));
}

std::size_t OutputStore::ReopenAll() {
  std::set<CapturedLog*> logs;
  for (auto& [key, capture] : captures_) logs.insert(capture->log().get());
  for (CapturedLog* log : logs) log->writer().Reopen();
  return logs.size();
}

void OutputStore::Forget(const std::string& worker) {
  Drop({worker, false});
  Drop({worker, true});
}

void OutputStore::Drop(const Key& key) {
  const auto found = captures_.find(key);
  if (found == captures_.end()) return;
  const std::shared_ptr<OutputCapture> capture = std::move(found->second);
  captures_.erase(found);
  // Still shared by the other stream, the log goes on reporting its problems; otherwise it is
  // on its way out and says nothing more.
  if (!CaptureOf(key.first, !key.second) ||
      CaptureOf(key.first, !key.second)->log() != capture->log()) {
    capture->log()->OnProblem(nullptr);
  }
  capture->End();
}

std::string OutputStore::StreamsOf(const std::string& worker, const CapturedLog* log) const {
  std::string streams;
  for (const bool stderr_stream : {false, true}) {
    const OutputCapture* capture = CaptureOf(worker, stderr_stream);
    if (!capture || capture->log().get() != log) continue;
    streams += (streams.empty() ? "" : " and ") + std::string(stderr_stream ? "stderr" : "stdout");
  }
  return streams;
}

std::optional<std::string> OutputStore::Problem(const std::string& worker) const {
  std::string text;
  const CapturedLog* reported = nullptr;
  for (const bool stderr_stream : {false, true}) {
    const OutputCapture* capture = CaptureOf(worker, stderr_stream);
    if (!capture || capture->log().get() == reported) continue;
    reported = capture->log().get();
    if (std::optional<std::string> problem = capture->writer().problem())
      text += (text.empty() ? "" : "; ") + StreamsOf(worker, reported) + ": " + *problem;
  }
  if (text.empty()) return std::nullopt;
  return text;
}

std::shared_ptr<CapturedLog> OutputStore::LogFor(const Key& key, const CaptureSettings& settings) {
  if (const OutputCapture* own = CaptureOf(key.first, key.second);
      own && own->log()->Matches(settings)) {
    return own->log();
  }
  if (const OutputCapture* other = CaptureOf(key.first, !key.second);
      other && other->log()->Matches(settings)) {
    return other->log();
  }
  std::shared_ptr<CapturedLog> opened = CapturedLog::Open(work_, settings, log_);
  const std::string worker = key.first;
  const CapturedLog* log = opened.get();
  opened->OnProblem([this, worker, log](const std::optional<std::string>& problem) {
    if (!problem_sink_) return false;
    problem_sink_(
        worker,
        StreamsOf(worker, log) + ": " + problem.value_or("log writes and rotation work again"),
        !problem);
    return true;
  });
  if (settings.encoding.kind == OutputEncoding::Kind::kCodePage &&
      !IsKnownCodePage(settings.encoding.code_page)) {
    log_->warn(
        "worker output decoded as UTF-8 name={} reason=\"this system has no code page {} "
        "(OutputEncoding)\"",
        worker, settings.encoding.code_page);
  }
  return opened;
}

Result<UniqueHandle> OutputStore::StreamFor(const std::string& worker, bool stderr_stream,
                                            const LaunchConfig& launch) {
  const std::string& path = stderr_stream ? launch.stderr_log : launch.stdout_log;
  const Key key{worker, stderr_stream};
  if (path.empty()) {
    Drop(key);
    return OpenNul(GENERIC_WRITE);
  }
  const CaptureSettings settings{path,
                                 launch.log_max_bytes,
                                 launch.log_backups,
                                 launch.log_timestamps,
                                 launch.output_encoding,
                                 launch.log_rotate_every,
                                 launch.log_max_age_days};
  std::shared_ptr<CapturedLog> log = LogFor(key, settings);
  const auto found = captures_.find(key);
  if (found == captures_.end() || found->second->log() != log) {
    Drop(key);
    captures_[key] = std::make_shared<OutputCapture>(work_.io, std::move(log));
  }
  // Unguessable, so nobody can create the pipe first and take the worker's output (the worker's
  // name stays in it for people reading a handle list).
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  const std::string pipe_name =
      "sup-output-" + worker + (stderr_stream ? "-err-" : "-out-") + *token;
  Result<UniqueHandle> child_end = captures_.at(key)->ChildEnd(pipe_name);
  if (!child_end) {
    log_->error("worker output not captured name={} reason=\"{}\"", worker,
                child_end.error().message());
    return OpenNul(GENERIC_WRITE);
  }
  return child_end;
}

}  // namespace sup::win
