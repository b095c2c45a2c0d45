// A log file whose writes block while the test holds it, as a file another program holds (an
// oplock, a scan) does on Windows, and a manual clock both the test and a file worker may read.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "daemon/output/log_writer.h"

namespace sup::testing {

// A manual clock both threads may read: the file side reads it while the test moves it.
class SharedManualClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(std::chrono::hours(1000)) +
           std::chrono::milliseconds(ms_.load());
  }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000)) +
           std::chrono::milliseconds(ms_.load());
  }
  void Advance(std::chrono::milliseconds by) { ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> ms_{0};
};

// One file; Append blocks while `held`, and says when it is blocked.
class HeldLogFile final : public output::LogFile {
 public:
  Result<void> Append(std::string_view bytes) override {
    std::unique_lock lock(mutex_);
    blocked_ = held_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    blocked_ = false;
    content_.append(bytes);
    return Ok();
  }
  Result<void> Rotate() override { return Ok(); }
  std::uint64_t size() const override {
    std::lock_guard lock(mutex_);
    return content_.size();
  }
  Result<void> Reopen() override { return Ok(); }

  void Hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  bool blocked() const {
    std::lock_guard lock(mutex_);
    return blocked_;
  }
  std::string content() const {
    std::lock_guard lock(mutex_);
    return content_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool blocked_ = false;
  std::string content_;
};

// What a test hands over to the code that owns its log file, while it keeps looking at the
// HeldLogFile itself.
struct ForwardingLogFile final : output::LogFile {
  explicit ForwardingLogFile(HeldLogFile& to) : to(to) {}
  Result<void> Append(std::string_view bytes) override { return to.Append(bytes); }
  Result<void> Rotate() override { return to.Rotate(); }
  std::uint64_t size() const override { return to.size(); }
  Result<void> Reopen() override { return to.Reopen(); }
  HeldLogFile& to;
};

}  // namespace sup::testing
