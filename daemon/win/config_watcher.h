// Calls back when the configuration changes (the root key's values, anything under Workers; from
// any process), once per burst of changes: `reg import` writes many values, which should make
// one reload. supd's own writes under State are not watched (ConfigWatches).
// Threading: io thread.
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>

#include "common/config/win/registry_config.h"

namespace spdlog {
class logger;
}

namespace sup::win {

class ConfigWatcher {
 public:
  static constexpr std::chrono::milliseconds kDebounce{250};

  static Result<std::unique_ptr<ConfigWatcher>> Start(boost::asio::io_context& io,
                                                      const win::RegistryPath& path,
                                                      std::function<void()> on_change,
                                                      std::shared_ptr<spdlog::logger> log);
  void Stop();

 private:
  // One watched key, and the wait on its event.
  struct Watched {
    win::RegistryWatch watch;
    std::unique_ptr<boost::asio::windows::object_handle>
        signalled;  // owns a duplicate of the event
  };

  ConfigWatcher(boost::asio::io_context& io, std::function<void()> on_change,
                std::shared_ptr<spdlog::logger> log);
  void Wait(Watched& watched);

  std::vector<Watched> watched_;
  boost::asio::steady_timer debounce_;
  std::function<void()> on_change_;
  std::shared_ptr<spdlog::logger> log_;
  bool stopped_ = false;
};

}  // namespace sup::win
