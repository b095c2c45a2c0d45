#include "daemon/output/log_writer.h"

#include <algorithm>

#include "common/format.h"

namespace sup::output {
namespace {

std::int64_t UnixMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
      .count();
}

constexpr std::size_t kTimestampBytes = sizeof("2026-11-21T15:04:05.123Z ") - 1;

// "2026-11-21T15:04:05." for a whole second since the epoch, in UTC.
std::string FormatSecond(std::int64_t second) {
  const std::string full = FormatUtcMillis(second * 1000);  // "...:05.000Z"
  return full.substr(0, full.size() - 4);
}

}  // namespace

RotatingLineWriter::RotatingLineWriter(LogFile& file, const Clock& clock, Options options)
    : file_(file), clock_(clock), options_(std::move(options)) {
  if (options_.rotate_every.count() > 0) {
    // A file last written in an earlier period (supd was stopped across midnight) is rotated at
    // its first new line; without a time, its lines belong to now.
    period_ = PeriodOf(file_.modified_unix_ms().value_or(UnixMs(clock_)));
  }
}

bool RotatingLineWriter::PeriodEnded() const {
  return options_.rotate_every.count() > 0 && PeriodOf(UnixMs(clock_)) != period_;
}

// Calendar arithmetic once a second, not once a line: a flood of timestamped lines is mostly
// lines within the same second.
void RotatingLineWriter::AppendTimestamp(std::string& out) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
          .count();
  const std::int64_t second = ms / 1000;
  if (second != stamped_second_) {
    stamped_second_ = second;
    second_text_ = FormatSecond(second);
  }
  const int millis = static_cast<int>(ms % 1000);
  const char tail[] = {static_cast<char>('0' + millis / 100),
                       static_cast<char>('0' + millis / 10 % 10),
                       static_cast<char>('0' + millis % 10), 'Z', ' '};
  out.append(second_text_).append(tail, sizeof(tail));
}

void RotatingLineWriter::Write(Input& input, std::string_view bytes) {
  std::string& partial = input.partial_;
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial.append(bytes);
      partial.erase(0, WriteLongPieces(partial));  // an endless line still reaches the file
      break;
    }
    std::string_view line = bytes.substr(0, newline + 1);
    if (!partial.empty()) line = partial.append(line);
    line.remove_prefix(WriteLongPieces(line));
    WriteLine(line);
    partial.clear();
    bytes.remove_prefix(newline + 1);
  }
  FlushBatch();
}

// A line break ("\n", "\r\n", or a "\r" that may be the start of one) stays with the last piece.
std::size_t RotatingLineWriter::WriteLongPieces(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t written = 0;
  while (line.size() - written > options_.max_line_bytes) {
    WriteLine(line.substr(written, options_.max_line_bytes));
    written += options_.max_line_bytes;
  }
  return written;
}

void RotatingLineWriter::Flush(Input& input) {
  if (!input.partial_.empty()) {
    WriteLine(input.partial_);
    input.partial_.clear();
  }
  FlushBatch();
}

void RotatingLineWriter::Reopen() {
  FlushBatch();
  if (Result<void> reopened = file_.Reopen(); reopened) {
    Heal(write_failure_);
  } else {
    Record(write_failure_, reopened.error(), 0);
  }
}

void RotatingLineWriter::FlushBatch() {
  if (batch_.empty()) return;
  // A failed write (a full disk) drops this batch but not the tail; the next batch tries again.
  if (Result<void> appended = file_.Append(batch_); appended) {
    Heal(write_failure_);
  } else {
    Record(write_failure_, appended.error(), batch_.size());
  }
  batch_.clear();
  if (!unpublished_.empty()) {
    lines_.Publish(unpublished_);
    unpublished_.clear();
  }
}

// A rotation that fails leaves the file as it was (LogFile::Rotate): lines go on into it, and the
// rotation is tried again after a backoff, not on every line.
void RotatingLineWriter::TryRotate() {
  const Result<void> rotated = file_.Rotate();
  if (rotated) {
    rotate_retry_ = kFirstRotateRetry;
    next_rotate_try_ = {};
    Heal(rotation_failure_);
    return;
  }
  next_rotate_try_ = clock_.SteadyNow() + rotate_retry_;
  rotate_retry_ = std::min(rotate_retry_ * 2, kMaxRotateRetry);
  Record(rotation_failure_, rotated.error(), 0);
}

void RotatingLineWriter::Record(std::optional<Failure>& failure, const Error& error,
                                std::uint64_t dropped_bytes) {
  if (failure) {  // reported once, when it starts
    failure->dropped_bytes += dropped_bytes;
    return;
  }
  failure = Failure{
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
          .count(),
      error.message(), dropped_bytes};
  if (options_.on_problem) options_.on_problem(problem());
}

void RotatingLineWriter::Heal(std::optional<Failure>& failure) {
  if (!failure) return;
  failure.reset();
  if (options_.on_problem) options_.on_problem(problem());
}

std::optional<std::string> RotatingLineWriter::problem() const {
  std::string text;
  if (write_failure_) {
    text = "log writes failing since " + FormatUtcMillis(write_failure_->since_unix_ms) + ": " +
           write_failure_->reason + "; " + std::to_string(write_failure_->dropped_bytes) +
           " bytes dropped";
  }
  if (rotation_failure_) {
    text += (text.empty() ? "" : "; ") + std::string("log rotation failing since ") +
            FormatUtcMillis(rotation_failure_->since_unix_ms) + ": " + rotation_failure_->reason;
    if (rotation_failure_->dropped_bytes > 0) {
      text += "; " + std::to_string(rotation_failure_->dropped_bytes) +
              " bytes not written: the file reached " + std::to_string(kMaxGrowth) +
              " times its LogMaxBytes";
    }
  }
  if (text.empty()) return std::nullopt;
  return text;
}

void RotatingLineWriter::WriteLine(std::string_view line) {
  const std::size_t bytes = line.size() + (options_.timestamps ? kTimestampBytes : 0);
  // Rotate before a line that would not fit, unless the file is empty (a line longer than the
  // limit gets a file of its own rather than being split), or before the first line of a new
  // period (LogRotateEvery).
  const bool full = size() + bytes > options_.max_bytes;
  if (size() > 0 && (full || PeriodEnded()) && clock_.SteadyNow() >= next_rotate_try_) {
    FlushBatch();
    TryRotate();
  }
  // An empty file simply starts the new period; after a failed rotation the old period stays,
  // so the rotation is tried again.
  if (options_.rotate_every.count() > 0 && size() == 0) period_ = PeriodOf(UnixMs(clock_));
  if (rotation_failure_ && size() + bytes > kMaxGrowth * options_.max_bytes) {
    rotation_failure_->dropped_bytes += bytes;  // the file stops growing; the tail goes on
  } else {
    if (options_.timestamps) AppendTimestamp(batch_);
    batch_.append(line);
  }
  std::string_view text = line;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  tail_.emplace_back(text);
  if (tail_.size() > options_.tail_lines) tail_.pop_front();
  if (lines_.size() > 0) unpublished_.push_back(options_.decoder.Decode(text));
}

std::vector<std::string> RotatingLineWriter::Tail(std::size_t lines) const {
  const std::size_t keep = std::min(lines, tail_.size());
  std::vector<std::string> decoded;
  decoded.reserve(keep);
  for (auto line = tail_.end() - static_cast<std::ptrdiff_t>(keep); line != tail_.end(); ++line)
    decoded.push_back(options_.decoder.Decode(*line));
  return decoded;
}

}  // namespace sup::output
