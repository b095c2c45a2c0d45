#include "daemon/win/metrics_textfile.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"

namespace sup::win {

namespace {
constexpr std::chrono::seconds kChangeSpacing{1};
}  // namespace

Result<void> ReplaceFile(const std::wstring& path, const std::string& content) {
  const std::wstring temporary = path + L".tmp";
  {
    UniqueFileHandle file{::CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                        FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
                                        nullptr)};
    if (!file) return Win32Error("creating " + Narrow(temporary));
    DWORD written = 0;
    if (!::WriteFile(file.get(), content.data(), static_cast<DWORD>(content.size()), &written,
                     nullptr) ||
        written != content.size()) {
      return Win32Error("writing " + Narrow(temporary));
    }
  }
  if (!::MoveFileExW(temporary.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING)) {
    const DWORD error = ::GetLastError();
    ::DeleteFileW(temporary.c_str());
    return Win32Error("replacing " + Narrow(path), error);
  }
  return Ok();
}

MetricsTextfile::MetricsTextfile(boost::asio::io_context& io, std::wstring path,
                                 std::chrono::milliseconds interval, Render render,
                                 std::shared_ptr<spdlog::logger> log)
    : path_(std::move(path)),
      interval_(interval),
      render_(std::move(render)),
      log_(std::move(log)),
      interval_timer_(io),
      change_timer_(io) {}

void MetricsTextfile::Start() {
  Write();
  ArmInterval();
}

void MetricsTextfile::ArmInterval() {
  interval_timer_.expires_after(interval_);
  interval_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    Write();
    ArmInterval();
  });
}

void MetricsTextfile::Changed() {
  if (stopped_ || change_waiting_) return;
  // Never written from inside the change itself (the engine is still making it): at the earliest
  // once the current handler is done, and a second after the last write.
  change_waiting_ = true;
  change_timer_.expires_at(
      std::max(last_write_ + kChangeSpacing, std::chrono::steady_clock::now()));
  change_timer_.async_wait([this](boost::system::error_code ec) {
    change_waiting_ = false;
    if (!ec && !stopped_) Write();
  });
}

void MetricsTextfile::Stop() {
  if (stopped_) return;
  Write();
  stopped_ = true;
  interval_timer_.cancel();
  change_timer_.cancel();
}

void MetricsTextfile::Write() {
  last_write_ = std::chrono::steady_clock::now();
  if (Result<void> written = ReplaceFile(path_, render_()); !written) {
    if (!failing_) {
      log_->warn("metrics file not written path=\"{}\" reason=\"{}\" (said once until it works)",
                 Narrow(path_), written.error().message());
    }
    failing_ = true;
    return;
  }
  if (failing_) log_->info("metrics file written again path=\"{}\"", Narrow(path_));
  failing_ = false;
}

}  // namespace sup::win
