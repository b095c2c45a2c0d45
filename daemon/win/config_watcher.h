// Calls back when the configuration key changes (values or subkeys, from any process), once per
// burst of changes: `reg import` writes many values, which should make one reload.
// Threading: io thread.
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>

#include "daemon/win/registry_config.h"

namespace spdlog {
class logger;
}

namespace sup::win {

class ConfigWatcher {
 public:
  static constexpr std::chrono::milliseconds kDebounce{250};

  static Result<std::unique_ptr<ConfigWatcher>> Start(boost::asio::io_context& io, const RegistryPath& path,
                                                      std::function<void()> on_change,
                                                      std::shared_ptr<spdlog::logger> log);
  void Stop();

 private:
  ConfigWatcher(boost::asio::io_context& io, RegistryWatch watch, std::function<void()> on_change,
                std::shared_ptr<spdlog::logger> log);
  void Wait();

  RegistryWatch watch_;
  std::unique_ptr<boost::asio::windows::object_handle> signalled_;  // owns a duplicate of the event
  boost::asio::steady_timer debounce_;
  std::function<void()> on_change_;
  std::shared_ptr<spdlog::logger> log_;
  bool stopped_ = false;
};

}  // namespace sup::win
