#include "daemon/core/log_writer.h"

#include <cstdio>
#include <ctime>

namespace sup::core {
namespace {

// "2026-11-21T15:04:05.123Z " in UTC.
std::string Timestamp(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
#if defined(_WIN32)
  gmtime_s(&utc, &seconds);
#else
  gmtime_r(&seconds, &utc);
#endif
  char text[96];  // room for any int the format could meet
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

}  // namespace

void RotatingLineWriter::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(bytes);
      while (partial_.size() >= options_.max_line_bytes) {  // an endless line still reaches the file
        WriteLine(std::string_view(partial_).substr(0, options_.max_line_bytes));
        partial_.erase(0, options_.max_line_bytes);
      }
      break;
    }
    if (partial_.empty()) {
      WriteLine(bytes.substr(0, newline + 1));
    } else {
      partial_.append(bytes.substr(0, newline + 1));
      WriteLine(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
  FlushBatch();
}

void RotatingLineWriter::Flush() {
  if (!partial_.empty()) {
    WriteLine(partial_);
    partial_.clear();
  }
  FlushBatch();
}

void RotatingLineWriter::FlushBatch() {
  if (batch_.empty()) return;
  if (Result<void> appended = file_.Append(batch_); !appended && !last_error_) last_error_ = appended.error();
  batch_.clear();
}

void RotatingLineWriter::WriteLine(std::string_view line) {
  std::string stamped;
  if (options_.timestamps) {
    stamped = Timestamp(clock_.WallNow());
    stamped.append(line);
    line = stamped;
  }
  // Rotate before a line that would not fit, unless the file is empty (a line longer than the
  // limit gets a file of its own rather than being split).
  if (size() > 0 && size() + line.size() > options_.max_bytes) {
    FlushBatch();
    if (Result<void> rotated = file_.Rotate(); !rotated && !last_error_) last_error_ = rotated.error();
  }
  batch_.append(line);
  std::string_view text = line;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  tail_.emplace_back(text);
  if (tail_.size() > options_.tail_lines) tail_.pop_front();
}

}  // namespace sup::core
