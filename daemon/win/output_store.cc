#include "daemon/win/output_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/win/code_pages.h"
#include "daemon/win/launch_in_job.h"
#include "daemon/win/output_capture.h"

namespace sup::win {

OutputStore::OutputStore(boost::asio::io_context& io, const Clock& clock, std::string instance,
                         std::shared_ptr<spdlog::logger> log)
    : io_(io), clock_(clock), instance_(std::move(instance)), log_(std::move(log)) {}

// A capture may outlive the store while a read on its pipe completes: it must not call back.
OutputStore::~OutputStore() {
  for (auto& [key, capture] : captures_) capture->OnProblem(nullptr);
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
    std::function<void(const std::vector<std::string>&)> on_lines) {
  const auto found = captures_.find({worker, stream == control::OutputStream::kStderr});
  if (found == captures_.end()) return NotCaptured(worker, stream);
  return found->second->writer().FollowLines(std::move(on_lines));
}

std::size_t OutputStore::ReopenAll() {
  for (auto& [key, capture] : captures_) capture->writer().Reopen();
  return captures_.size();
}

std::optional<std::string> OutputStore::Problem(const std::string& worker) const {
  std::string text;
  for (const bool stderr_stream : {false, true}) {
    const OutputCapture* capture = CaptureOf(worker, stderr_stream);
    if (!capture) continue;
    if (std::optional<std::string> problem = capture->writer().problem())
      text += (text.empty() ? "" : "; ") + std::string(stderr_stream ? "stderr: " : "stdout: ") +
              *problem;
  }
  if (text.empty()) return std::nullopt;
  return text;
}

Result<UniqueHandle> OutputStore::StreamFor(const std::string& worker, bool stderr_stream,
                                            const LaunchConfig& launch,
                                            std::uint64_t launch_number) {
  const std::string& path = stderr_stream ? launch.stderr_log : launch.stdout_log;
  const std::pair<std::string, bool> key{worker, stderr_stream};
  if (path.empty()) {
    captures_.erase(key);
    return OpenNul(GENERIC_WRITE);
  }
  const CaptureSettings settings{path,
                                 launch.log_max_bytes,
                                 launch.log_backups,
                                 launch.log_timestamps,
                                 launch.output_encoding,
                                 launch.log_rotate_every,
                                 launch.log_max_age_days};
  std::shared_ptr<OutputCapture>& capture = captures_[key];
  if (!capture || capture->settings() != settings) {
    Result<std::shared_ptr<OutputCapture>> created =
        OutputCapture::Create(io_, clock_, settings, log_);
    if (!created) {
      captures_.erase(key);
      log_->error("worker output not captured name={} reason=\"{}\"", worker,
                  created.error().message());
      return OpenNul(GENERIC_WRITE);
    }
    capture = std::move(*created);
    capture->OnProblem([this, worker, stderr_stream](const std::optional<std::string>& problem) {
      if (!problem_sink_) return false;
      const std::string stream = stderr_stream ? "stderr" : "stdout";
      problem_sink_(worker, stream + ": " + problem.value_or("log writes and rotation work again"),
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
  }
  const std::string pipe_name = "sup-output-" + instance_ + "-" + worker + "-" +
                                std::to_string(launch_number) + (stderr_stream ? "-err" : "-out");
  Result<UniqueHandle> child_end = capture->ChildEnd(pipe_name);
  if (!child_end) {
    log_->error("worker output not captured name={} reason=\"{}\"", worker,
                child_end.error().message());
    return OpenNul(GENERIC_WRITE);
  }
  return child_end;
}

}  // namespace sup::win
