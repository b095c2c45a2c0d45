// What a worker tells supd through its notify pipe (sd_notify for Windows). supd makes one pipe
// per launched process and passes its name in SUP_NOTIFY_PIPE; the worker (or `supctl notify`, or
// sup_notify.h) writes lines KEY=VALUE, each applied as it arrives, over one connection per
// message or one kept open:
//   READY=1       the worker is ready (Notify=1 waits for it before RUNNING)
//   WATCHDOG=1    the worker is alive (WatchdogMs wants one at least that often)
//   STATUS=<text> a line for status, describe and JSON status_text
//   STOPPING=1    the worker is shutting down (its watchdog is no longer expected)
// Lines end in "\n" (a "\r" before it is dropped); a line over kMaxNotifyLineBytes closes the
// connection. Portable: parsed alike by supd and supctl.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sup {

inline constexpr std::size_t kMaxNotifyLineBytes = 4096;
inline constexpr char kNotifyPipeVariable[] = "SUP_NOTIFY_PIPE";

enum class NotifyKind { kReady, kWatchdog, kStatus, kStopping };

struct NotifyMessage {
  NotifyKind kind = NotifyKind::kReady;
  std::string status;  // kStatus: the text (UTF-8, control characters replaced by spaces)
  bool operator==(const NotifyMessage&) const = default;
};

// One line, without its end: the message, or an error that names what was wrong ("READY=2: READY
// takes 1", "HELLO=1: not one of READY, WATCHDOG, STATUS, STOPPING").
Result<NotifyMessage> ParseNotifyLine(std::string_view line);

// How a message is written on the pipe, its line end included.
std::string NotifyLine(const NotifyMessage& message);

}  // namespace sup
