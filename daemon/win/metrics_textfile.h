// The metrics file for windows_exporter's textfile collector (MetricsTextfile): rewritten whole on
// every state change (at most once a second: a crash loop does not rewrite it hundreds of times),
// every interval (fresh resource figures), and a last time when supd stops. Written to a
// temporary file beside it, then renamed over it, so the collector never reads half a file.
// UTF-8 without BOM, newline-terminated, no timestamps: what windows_exporter accepts.
//
// Threading: io thread.
#pragma once

#include "daemon/win/asio.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// Replaces `path` with `content`: written to `path`.tmp (not through a link), then renamed over.
Result<void> ReplaceFile(const std::wstring& path, const std::string& content);

class MetricsTextfile {
 public:
  using Render = std::function<std::string()>;

  MetricsTextfile(boost::asio::io_context& io, std::wstring path,
                  std::chrono::milliseconds interval, Render render,
                  std::shared_ptr<spdlog::logger> log);

  // Writes now, then every interval.
  void Start();
  // Something changed: writes soon (after the current handler, and a second after the last
  // write at the earliest).
  void Changed();
  // A last write; none after it.
  void Stop();

 private:
  void Write();
  void ArmInterval();

  std::wstring path_;
  std::chrono::milliseconds interval_;
  Render render_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::steady_timer interval_timer_;
  boost::asio::steady_timer change_timer_;  // armed while a change waits for its second
  std::chrono::steady_clock::time_point last_write_{};
  bool change_waiting_ = false;
  bool failing_ = false;  // warned once per failure streak
  bool stopped_ = false;
};

}  // namespace sup::win
