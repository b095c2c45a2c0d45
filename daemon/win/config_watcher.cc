#include "daemon/win/config_watcher.h"

#include <spdlog/spdlog.h>

#include "common/win/win32_error.h"

namespace sup::win {

ConfigWatcher::ConfigWatcher(boost::asio::io_context& io, RegistryWatch watch, std::function<void()> on_change,
                             std::shared_ptr<spdlog::logger> log)
    : watch_(std::move(watch)), debounce_(io), on_change_(std::move(on_change)), log_(std::move(log)) {}

Result<std::unique_ptr<ConfigWatcher>> ConfigWatcher::Start(boost::asio::io_context& io, const RegistryPath& path,
                                                            std::function<void()> on_change,
                                                            std::shared_ptr<spdlog::logger> log) {
  Result<RegistryWatch> watch = RegistryWatch::Create(path);
  if (!watch) return watch.error();
  // object_handle owns the handle it waits on; the watch keeps its own.
  HANDLE duplicate = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), watch->event(), ::GetCurrentProcess(), &duplicate, 0, FALSE,
                         DUPLICATE_SAME_ACCESS)) {
    return Win32Error("duplicating the registry watch event");
  }
  std::unique_ptr<ConfigWatcher> watcher(new ConfigWatcher(io, std::move(*watch), std::move(on_change), std::move(log)));
  watcher->signalled_ = std::make_unique<boost::asio::windows::object_handle>(io, duplicate);
  if (Result<void> armed = watcher->watch_.Arm(); !armed) return armed.error();
  watcher->Wait();
  return watcher;
}

void ConfigWatcher::Wait() {
  signalled_->async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    if (Result<void> armed = watch_.Arm(); !armed) {
      log_->error("config watch stopped reason=\"{}\"", armed.error().message());
      return;
    }
    debounce_.expires_after(kDebounce);
    debounce_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) on_change_();
    });
    Wait();
  });
}

void ConfigWatcher::Stop() {
  stopped_ = true;
  debounce_.cancel();
  signalled_->cancel();
}

}  // namespace sup::win
