// Captured worker output to a size-rotated log file, in two halves that may run on two threads:
// - LineWriter (the io thread) cuts what a worker prints into lines, may timestamp them, keeps
//   the last ones in memory (for describe and spawn errors), tells followers (`logs -f`), and
//   hands the complete lines of each read to a LineSink. Several streams may share one writer
//   (stdout and stderr sent to the same path): each has its own partial line, so lines stay
//   whole and reach the file in the order they were completed.
// - RotatingFile, a LineSink, writes the lines into a LogFile, rotating it by size and period so
//   that a line is never split across files. It runs where it is called: directly, or on a file
//   worker through QueuedLog (queued_log.h), so that the io thread never waits on a file.
// Portable: files are reached through the LogFile port.
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

// The complete lines of one read, as they go into the file (timestamps included).
struct LineBatch {
  std::string bytes;
  std::vector<std::size_t> line_ends;  // the offset just past each line in `bytes`
};

// Where a LineWriter's lines go.
class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual void Write(LineBatch batch) = 0;
  // Closes the file and opens the file at its path again (user control 129).
  virtual void Reopen() = 0;
  // What is failing now, for people: "log rotation failing since 2026-11-30T12:04:05.123Z:
  // <reason>", "log writes failing since ...: <reason>; 4096 bytes dropped"; nullopt when all is
  // well. Capture goes on either way; the worker is never blocked for long.
  virtual std::optional<std::string> problem() const = 0;
};

// Lines into a LogFile, rotated by size and period. Threading: one thread at a time.
class RotatingFile final : public LineSink {
 public:
  struct Options {
    std::uint64_t max_bytes = 10 * 1024 * 1024;
    // Also rotate at each boundary of this period since the epoch (UTC hours, days); 0: never.
    std::chrono::milliseconds rotate_every{0};
    // Called when writing or rotating starts failing (with what problem() says) and when it
    // heals (nullopt), on the thread that wrote.
    std::function<void(const std::optional<std::string>&)> on_problem = {};
  };

  // While rotation fails the file grows past max_bytes; at this many times max_bytes it stops
  // growing (what is not written is counted and shown in problem()), so a file another program
  // holds never fills the disk.
  static constexpr std::uint64_t kMaxGrowth = 4;
  // A failed rotation is tried again after this, doubling up to kMaxRotateRetry.
  static constexpr std::chrono::seconds kFirstRotateRetry{1};
  static constexpr std::chrono::seconds kMaxRotateRetry{300};

  RotatingFile(LogFile& file, const Clock& clock, Options options);

  // Rotates before a line that would not fit, unless the file is empty (a line longer than the
  // limit gets a file of its own rather than being split), or before the first line of a new
  // period (LogRotateEvery); the lines between rotations go in one append.
  void Write(LineBatch batch) override;
  void Reopen() override;
  std::optional<std::string> problem() const override;

 private:
  // A failing rotation or write: since when, why; a write failure also counts what it dropped.
  struct Failure {
    std::int64_t since_unix_ms = 0;
    std::string reason;
    std::uint64_t dropped_bytes = 0;
  };
  void Append(std::string_view bytes);
  void Record(std::optional<Failure>& failure, const Error& error, std::uint64_t dropped_bytes);
  void Heal(std::optional<Failure>& failure);
  void TryRotate();
  std::int64_t PeriodOf(std::int64_t unix_ms) const {
    return unix_ms / options_.rotate_every.count();
  }
  bool PeriodEnded() const;

  LogFile& file_;
  const Clock& clock_;
  Options options_;
  std::optional<Failure> rotation_failure_;
  std::optional<Failure> write_failure_;
  std::chrono::steady_clock::time_point next_rotate_try_{};
  std::chrono::seconds rotate_retry_ = kFirstRotateRetry;
  std::int64_t period_ = 0;  // the period the current file's lines belong to (rotate_every)
};

class LineWriter {
 public:
  // One stream of bytes into the writer (a worker's stdout or stderr): the start of a line whose
  // end has not arrived yet waits here, not in the file.
  class Input {
   private:
    friend class LineWriter;
    std::string partial_;
  };

  struct Options {
    bool timestamps = false;
    std::size_t tail_lines = 100;
    // A longer line (without its line break) is written in pieces of this size, however it
    // arrives: the tail and followers get the same pieces whatever the reads were.
    std::size_t max_line_bytes = 64 * 1024;
    LineDecoder decoder = {};  // for what is read out: Tail and FollowLines
  };

  LineWriter(LineSink& sink, const Clock& clock, Options options);

  // Takes bytes of `input` as they arrive; the complete lines go to the sink together (one file
  // write per read, not one per line), a partial one waits for its end.
  void Write(Input& input, std::string_view bytes);
  // Writes the pending partial line of `input` (its stream ended without a final line break).
  void Flush(Input& input);
  // The same, for a writer with a single stream.
  void Write(std::string_view bytes) { Write(single_input_, bytes); }
  void Flush() { Flush(single_input_); }
  // Reopens the file at its path (user control 129); partial lines stay whole.
  void Reopen() { sink_.Reopen(); }

  // The last `lines` lines kept (at most Options::tail_lines), oldest first, decoded to UTF-8.
  std::vector<std::string> Tail(std::size_t lines) const;
  // Every line from now on (without its line break, decoded to UTF-8), the lines of each Write
  // together, as they are handed to the file: `supctl logs -f`.
  Subscription FollowLines(std::function<void(const std::vector<std::string>&)> callback) {
    return lines_.Subscribe(std::move(callback));
  }
  std::optional<std::string> problem() const { return sink_.problem(); }

 private:
  void AddLine(std::string_view line);  // `line` includes its '\n', unless flushed partial
  // Adds the pieces of Options::max_line_bytes that `line` is too long for; how many bytes.
  std::size_t AddLongPieces(std::string_view line);
  // Hands the gathered lines to the sink and tells the followers.
  void Hand();
  void AppendTimestamp(std::string& out);  // "2026-11-21T15:04:05.123Z ", UTC

  LineSink& sink_;
  const Clock& clock_;
  Options options_;
  Input single_input_;
  LineBatch batch_;
  std::deque<std::string> tail_;  // as written: decoded only when read out
  Fanout<const std::vector<std::string>&> lines_;
  std::vector<std::string> unpublished_;  // lines of this Write, kept only while someone follows
  std::int64_t stamped_second_ = -1;      // the second second_text_ shows
  std::string second_text_;
};

}  // namespace sup::output
