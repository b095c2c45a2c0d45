#include "daemon/win/config_watcher.h"

#include <spdlog/spdlog.h>

#include "common/win/win32_error.h"

namespace sup::win {

ConfigWatcher::ConfigWatcher(boost::asio::io_context& io, std::function<void()> on_change,
                             std::shared_ptr<spdlog::logger> log)
    : debounce_(io), on_change_(std::move(on_change)), log_(std::move(log)) {}

Result<std::unique_ptr<ConfigWatcher>> ConfigWatcher::Start(boost::asio::io_context& io,
                                                            const win::RegistryPath& path,
                                                            std::function<void()> on_change,
                                                            std::shared_ptr<spdlog::logger> log) {
  Result<std::vector<win::RegistryWatch>> watches = win::ConfigWatches(path);
  if (!watches) return watches.error();
  std::unique_ptr<ConfigWatcher> watcher(
      new ConfigWatcher(io, std::move(on_change), std::move(log)));
  watcher->watched_.reserve(watches->size());
  for (win::RegistryWatch& watch : *watches) {
    // object_handle owns the handle it waits on; the watch keeps its own.
    HANDLE duplicate = nullptr;
    if (!::DuplicateHandle(::GetCurrentProcess(), watch.event(), ::GetCurrentProcess(), &duplicate,
                           0, FALSE, DUPLICATE_SAME_ACCESS)) {
      return Win32Error("duplicating the registry watch event");
    }
    auto signalled = std::make_unique<boost::asio::windows::object_handle>(io, duplicate);
    watcher->watched_.push_back(Watched{std::move(watch), std::move(signalled)});
  }
  for (Watched& watched : watcher->watched_) {
    if (Result<void> armed = watched.watch.Arm(); !armed) return armed.error();
    watcher->Wait(watched);
  }
  return watcher;
}

void ConfigWatcher::Wait(Watched& watched) {
  watched.signalled->async_wait([this, &watched](boost::system::error_code ec) {
    if (ec || stopped_) return;
    if (Result<void> armed = watched.watch.Arm(); !armed) {
      log_->error("config watch stopped reason=\"{}\"", armed.error().message());
      return;
    }
    debounce_.expires_after(kDebounce);
    debounce_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) on_change_();
    });
    Wait(watched);
  });
}

void ConfigWatcher::Stop() {
  stopped_ = true;
  debounce_.cancel();
  for (Watched& watched : watched_) watched.signalled->cancel();
}

}  // namespace sup::win
