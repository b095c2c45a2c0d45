// Captured worker output to a size-rotated log file: lines are never split across files, lines
// may be timestamped, and the last lines stay in memory (for describe and spawn errors). Several
// streams may share one file (stdout and stderr sent to the same path): each has its own partial
// line, so lines stay whole and reach the file in the order they were completed.
// Portable: files are reached through the LogFile port.
// Threading: one executor (the io thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/fanout.h"
#include "daemon/output/line_decoder.h"

namespace sup::output {

// One log file and its rotated backups (named by backup_names.h).
class LogFile {
 public:
  virtual ~LogFile() = default;
  virtual Result<void> Append(std::string_view bytes) = 0;
  // Renames the current file to a new backup and starts an empty one, then removes the backups
  // retention expires. If the rename fails, nothing is deleted or renamed and the current file
  // stays open for appending.
  virtual Result<void> Rotate() = 0;
  virtual std::uint64_t size() const = 0;
  // Closes the current file and opens the file at its path again (after a rotation tool renamed
  // it away, a new one); a failure is reported like a failed write.
  virtual Result<void> Reopen() = 0;
  // When the current file was last written (UTC), if it has content: a file from an earlier
  // period is rotated at its first new line.
  virtual std::optional<std::int64_t> modified_unix_ms() const { return std::nullopt; }
};

class RotatingLineWriter {
 public:
  // One stream of bytes into the writer (a worker's stdout or stderr): the start of a line whose
  // end has not arrived yet waits here, not in the file.
  class Input {
   private:
    friend class RotatingLineWriter;
    std::string partial_;
  };

  struct Options {
    std::uint64_t max_bytes = 10 * 1024 * 1024;
    bool timestamps = false;
    std::size_t tail_lines = 100;
    // A longer line (without its line break) is written in pieces of this size, however it
    // arrives: the tail and followers get the same pieces whatever the reads were.
    std::size_t max_line_bytes = 64 * 1024;
    // Also rotate at each boundary of this period since the epoch (UTC hours, days); 0: never.
    std::chrono::milliseconds rotate_every{0};
    LineDecoder decoder = {};  // for what is read out: Tail and FollowLines
    // Called when writing or rotating starts failing (with what problem() says) and when it
    // heals (nullopt): the capture logs it.
    std::function<void(const std::optional<std::string>&)> on_problem = {};
  };

  // While rotation fails the file grows past max_bytes; at this many times max_bytes it stops
  // growing (lines still reach the tail and followers; what is not written is counted and shown
  // in problem()), so a file another program holds never fills the disk.
  static constexpr std::uint64_t kMaxGrowth = 4;
  // A failed rotation is tried again after this, doubling up to kMaxRotateRetry.
  static constexpr std::chrono::seconds kFirstRotateRetry{1};
  static constexpr std::chrono::seconds kMaxRotateRetry{300};

  RotatingLineWriter(LogFile& file, const Clock& clock, Options options);

  // Takes bytes of `input` as they arrive; complete lines go to the file, a partial one waits
  // for its end.
  void Write(Input& input, std::string_view bytes);
  // Writes the pending partial line of `input` (its stream ended without a final line break).
  void Flush(Input& input);
  // The same, for a writer with a single stream.
  void Write(std::string_view bytes) { Write(single_input_, bytes); }
  void Flush() { Flush(single_input_); }
  // Writes what is gathered, then reopens the file at its path (user control 129).
  void Reopen();

  // The last `lines` lines kept (at most Options::tail_lines), oldest first, decoded to UTF-8.
  std::vector<std::string> Tail(std::size_t lines) const;
  // Every line from now on (without its line break, decoded to UTF-8), the lines of each Write
  // together, as they reach the file: `supctl logs -f`.
  Subscription FollowLines(std::function<void(const std::vector<std::string>&)> callback) {
    return lines_.Subscribe(std::move(callback));
  }
  // What is failing now, for people: "log rotation failing since 2026-11-30T12:04:05.123Z:
  // <reason>", "log writes failing since ...: <reason>; 4096 bytes dropped"; nullopt when all is
  // well. Capture goes on either way; the worker is never blocked.
  std::optional<std::string> problem() const;

 private:
  void WriteLine(std::string_view line);  // `line` includes its '\n', unless flushed partial
  // Writes the pieces of Options::max_line_bytes that `line` is too long for; how many bytes.
  std::size_t WriteLongPieces(std::string_view line);
  // Complete lines are gathered and appended once per Write: one file write per chunk read,
  // not one per line.
  void FlushBatch();
  std::uint64_t size() const { return file_.size() + batch_.size(); }
  void AppendTimestamp(std::string& out);  // "2026-11-21T15:04:05.123Z ", UTC

  LogFile& file_;
  const Clock& clock_;
  Options options_;
  Input single_input_;
  std::string batch_;
  std::deque<std::string> tail_;  // as written: decoded only when read out
  Fanout<const std::vector<std::string>&> lines_;
  std::vector<std::string> unpublished_;  // lines of this Write, kept only while someone follows
  // A failing rotation or write: since when, why; a write failure also counts what it dropped.
  struct Failure {
    std::int64_t since_unix_ms = 0;
    std::string reason;
    std::uint64_t dropped_bytes = 0;
  };
  void Record(std::optional<Failure>& failure, const Error& error, std::uint64_t dropped_bytes);
  void Heal(std::optional<Failure>& failure);
  void TryRotate();
  std::optional<Failure> rotation_failure_;
  std::optional<Failure> write_failure_;
  std::chrono::steady_clock::time_point next_rotate_try_{};
  std::chrono::seconds rotate_retry_ = kFirstRotateRetry;
  std::int64_t PeriodOf(std::int64_t unix_ms) const {
    return unix_ms / options_.rotate_every.count();
  }
  bool PeriodEnded() const;
  std::int64_t period_ = 0;  // the period the current file's lines belong to (rotate_every)
  std::int64_t stamped_second_ = -1;  // the second second_text_ shows
  std::string second_text_;
};

}  // namespace sup::output
