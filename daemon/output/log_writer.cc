#include "daemon/output/log_writer.h"

#include <algorithm>

#include "common/format.h"

namespace sup::output {
namespace {

std::int64_t UnixMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
      .count();
}

// "2026-11-21T15:04:05." for a whole second since the epoch, in UTC.
std::string FormatSecond(std::int64_t second) {
  const std::string full = FormatUtcMillis(second * 1000);  // "...:05.000Z"
  return full.substr(0, full.size() - 4);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RotatingFile

RotatingFile::RotatingFile(LogFile& file, const Clock& clock, Options options)
    : file_(file), clock_(clock), options_(std::move(options)) {
  if (options_.rotate_every.count() > 0) {
    // A file last written in an earlier period (supd was stopped across midnight) is rotated at
    // its first new line; without a time, its lines belong to now.
    period_ = PeriodOf(file_.modified_unix_ms().value_or(UnixMs(clock_)));
  }
}

bool RotatingFile::PeriodEnded() const {
  return options_.rotate_every.count() > 0 && PeriodOf(UnixMs(clock_)) != period_;
}

// The lines from `unwritten` on wait in the batch until a rotation or a dropped line comes
// between them, or the batch ends: the file gets one append per run of lines, not one per line.
void RotatingFile::Write(LineBatch batch) {
  const std::string_view bytes = batch.bytes;
  std::size_t unwritten = 0;
  std::size_t start = 0;
  const auto written_size = [&] { return file_.size() + (start - unwritten); };
  for (const std::size_t end : batch.line_ends) {
    const std::uint64_t line_bytes = end - start;
    const bool full = written_size() + line_bytes > options_.max_bytes;
    if (written_size() > 0 && (full || PeriodEnded()) && clock_.SteadyNow() >= next_rotate_try_) {
      Append(bytes.substr(unwritten, start - unwritten));
      unwritten = start;
      TryRotate();
    }
    // An empty file simply starts the new period; after a failed rotation the old period stays,
    // so the rotation is tried again.
    if (options_.rotate_every.count() > 0 && written_size() == 0)
      period_ = PeriodOf(UnixMs(clock_));
    if (rotation_failure_ && written_size() + line_bytes > kMaxGrowth * options_.max_bytes) {
      Append(bytes.substr(unwritten, start - unwritten));
      unwritten = end;  // the file stops growing; the tail and followers still had the line
      rotation_failure_->dropped_bytes += line_bytes;
    }
    start = end;
  }
  Append(bytes.substr(unwritten, start - unwritten));
}

void RotatingFile::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  // A failed write (a full disk) drops these bytes; the next batch tries again.
  if (Result<void> appended = file_.Append(bytes); appended) {
    Heal(write_failure_);
  } else {
    Record(write_failure_, appended.error(), bytes.size());
  }
}

void RotatingFile::Reopen() {
  if (Result<void> reopened = file_.Reopen(); reopened) {
    Heal(write_failure_);
  } else {
    Record(write_failure_, reopened.error(), 0);
  }
}

// A rotation that fails leaves the file as it was (LogFile::Rotate): lines go on into it, and the
// rotation is tried again after a backoff, not on every line.
void RotatingFile::TryRotate() {
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

void RotatingFile::Record(std::optional<Failure>& failure, const Error& error,
                          std::uint64_t dropped_bytes) {
  if (failure) {  // reported once, when it starts
    failure->dropped_bytes += dropped_bytes;
    return;
  }
  failure = Failure{UnixMs(clock_), error.message(), dropped_bytes};
  if (options_.on_problem) options_.on_problem(problem());
}

void RotatingFile::Heal(std::optional<Failure>& failure) {
  if (!failure) return;
  failure.reset();
  if (options_.on_problem) options_.on_problem(problem());
}

std::optional<std::string> RotatingFile::problem() const {
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

// ---------------------------------------------------------------------------------------------
// LineWriter

LineWriter::LineWriter(LineSink& sink, const Clock& clock, Options options)
    : sink_(sink), clock_(clock), options_(std::move(options)) {}

// Calendar arithmetic once a second, not once a line: a flood of timestamped lines is mostly
// lines within the same second.
void LineWriter::AppendTimestamp(std::string& out) {
  const std::int64_t ms = UnixMs(clock_);
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

void LineWriter::Write(Input& input, std::string_view bytes) {
  std::string& partial = input.partial_;
  // The batch leaves with its buffer (to the file worker): sized once, not grown line by line.
  batch_.bytes.reserve(partial.size() + bytes.size() +
                       (options_.timestamps ? bytes.size() / 4 : 0));
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial.append(bytes);
      partial.erase(0, AddLongPieces(partial));  // an endless line still reaches the file
      break;
    }
    std::string_view line = bytes.substr(0, newline + 1);
    if (!partial.empty()) line = partial.append(line);
    line.remove_prefix(AddLongPieces(line));
    AddLine(line);
    partial.clear();
    bytes.remove_prefix(newline + 1);
  }
  Hand();
}

// A line break ("\n", "\r\n", or a "\r" that may be the start of one) stays with the last piece.
std::size_t LineWriter::AddLongPieces(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t added = 0;
  while (line.size() - added > options_.max_line_bytes) {
    AddLine(line.substr(added, options_.max_line_bytes));
    added += options_.max_line_bytes;
  }
  return added;
}

void LineWriter::Flush(Input& input) {
  if (!input.partial_.empty()) {
    AddLine(input.partial_);
    input.partial_.clear();
  }
  Hand();
}

void LineWriter::Hand() {
  if (batch_.line_ends.empty()) return;
  sink_.Write(std::move(batch_));
  batch_ = {};
  if (!unpublished_.empty()) {
    lines_.Publish(unpublished_);
    unpublished_.clear();
  }
}

void LineWriter::AddLine(std::string_view line) {
  if (options_.timestamps) AppendTimestamp(batch_.bytes);
  batch_.bytes.append(line);
  batch_.line_ends.push_back(batch_.bytes.size());
  std::string_view text = line;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  tail_.emplace_back(text);
  if (tail_.size() > options_.tail_lines) tail_.pop_front();
  if (lines_.size() > 0) unpublished_.push_back(options_.decoder.Decode(text));
}

std::vector<std::string> LineWriter::Tail(std::size_t lines) const {
  const std::size_t keep = std::min(lines, tail_.size());
  std::vector<std::string> decoded;
  decoded.reserve(keep);
  for (auto line = tail_.end() - static_cast<std::ptrdiff_t>(keep); line != tail_.end(); ++line)
    decoded.push_back(options_.decoder.Decode(*line));
  return decoded;
}

}  // namespace sup::output
