#include "common/notify_protocol.h"

namespace sup {
namespace {

// STATUS is shown on one line of a table: what would break the line (or the terminal) goes.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return line;
}

}  // namespace

Result<NotifyMessage> ParseNotifyLine(std::string_view line) {
  const auto invalid = [line](std::string_view why) {
    constexpr std::size_t kShown = 64;  // of a line that may be 4 KiB of anything
    const std::string shown = OneLine(line.substr(0, kShown)) + (line.size() > kShown ? "..." : "");
    return Error(ErrorKind::kInvalidArgument, "\"" + shown + "\": " + std::string(why));
  };
  if (line.size() > kMaxNotifyLineBytes)
    return invalid("longer than " + std::to_string(kMaxNotifyLineBytes) + " bytes");
  const std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) return invalid("not KEY=VALUE");
  const std::string_view key = line.substr(0, equals);
  const std::string_view value = line.substr(equals + 1);
  if (key == "STATUS") return NotifyMessage{NotifyKind::kStatus, OneLine(value)};
  for (const auto& [name, kind] : {std::pair{"READY", NotifyKind::kReady},
                                   {"WATCHDOG", NotifyKind::kWatchdog},
                                   {"STOPPING", NotifyKind::kStopping}}) {
    if (key != name) continue;
    if (value != "1") return invalid(std::string(name) + " takes 1");
    return NotifyMessage{kind, {}};
  }
  return invalid("not one of READY, WATCHDOG, STATUS, STOPPING");
}

std::string NotifyLine(const NotifyMessage& message) {
  switch (message.kind) {
    case NotifyKind::kReady: return "READY=1\n";
    case NotifyKind::kWatchdog: return "WATCHDOG=1\n";
    case NotifyKind::kStopping: return "STOPPING=1\n";
    case NotifyKind::kStatus: return "STATUS=" + OneLine(message.status) + "\n";
  }
  return {};
}

}  // namespace sup
