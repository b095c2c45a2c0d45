// The workers' captured output: one OutputCapture per (worker, stream), kept across restarts of a
// worker while its log settings stay the same, and the control plane's OutputSource (`supctl
// logs`, `logs -f`, `describe`). A worker's stdout and stderr sent to the same file share one
// CapturedLog. Used on the io thread only.
#pragma once

#include "daemon/win/asio.h"

#include <spdlog/logger.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/win/unique_handle.h"
#include "common/config/config_model.h"
#include "daemon/control/output_source.h"
#include "daemon/output/win/output_capture.h"

namespace sup::win {

class OutputStore final : public control::OutputSource {
 public:
  OutputStore(const LogFileWork& work, std::shared_ptr<spdlog::logger> log);
  ~OutputStore() override;

  // The child's end of a stream for the next process of `worker`: a pipe into the worker's log,
  // or NUL when it is not captured (or its pipe cannot be made: the worker runs anyway, and the
  // reason is logged). A log file that cannot be opened is a problem of the worker's output
  // (Problem), not of its launch.
  Result<UniqueHandle> StreamFor(const std::string& worker, bool stderr_stream,
                                 const LaunchConfig& launch);
  // The capture of a worker's stdout (stderr = false) or stderr, if its output is captured.
  const OutputCapture* CaptureOf(const std::string& worker, bool stderr_stream) const;

  Result<std::vector<std::string>> Tail(const std::string& worker, control::OutputStream stream,
                                        std::size_t lines) const override;
  Result<Subscription> Follow(const std::string& worker, control::OutputStream stream,
                              std::function<void(const std::vector<std::string>&)> on_lines,
                              std::function<void()> on_end) override;
  std::optional<std::string> Problem(const std::string& worker) const override;
  // Every log file closed and opened again at its path (user control 129); how many.
  std::size_t ReopenAll();
  // The worker is gone: its captures are let go of (their followers told the stream ended), and
  // their files close once what its processes wrote has been read.
  void Forget(const std::string& worker);

  // Told when writing or rotating one of a worker's logs starts failing ("stdout: log rotation
  // failing since ...") and when it heals ("stdout: log writes and rotation work again").
  // Without a sink the capture logs it itself.
  using ProblemSink =
      std::function<void(const std::string& worker, const std::string& message, bool healed)>;
  void SetProblemSink(ProblemSink sink) { problem_sink_ = std::move(sink); }

 private:
  using Key = std::pair<std::string, bool>;  // (worker, stderr?)
  // The log `settings` describe for `key`: the one it has, the other stream's when both go to
  // the same file, or a new one.
  std::shared_ptr<CapturedLog> LogFor(const Key& key, const CaptureSettings& settings);
  // Lets go of a capture, ending its followers.
  void Drop(const Key& key);
  // Which of the worker's streams write into `log`: "stdout", "stderr" or "stdout and stderr".
  std::string StreamsOf(const std::string& worker, const CapturedLog* log) const;

  LogFileWork work_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<Key, std::shared_ptr<OutputCapture>> captures_;
  ProblemSink problem_sink_;
};

}  // namespace sup::win
