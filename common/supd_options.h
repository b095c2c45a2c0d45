// supd's command-line options, named once: supd parses them, and supctl reads them back out of a
// registered service's ImagePath (which pipes and which configuration key that supd uses).
#pragma once

#include <optional>
#include <string>

namespace sup {

inline constexpr char kSupdConsoleFlag[] = "--console";
inline constexpr char kSupdConfigKeyOption[] = "--config-key";
inline constexpr char kSupdLogLevelOption[] = "--log-level";
inline constexpr char kSupdPipePrefixOption[] = "--pipe-prefix";

// The event log source of an instance: "supd", or "supd-<prefix>" for `--pipe-prefix <prefix>`,
// so two instances never share one (and uninstalling one leaves the other's entries readable).
inline std::string EventLogSourceName(const std::optional<std::string>& pipe_prefix) {
  return pipe_prefix ? "supd-" + *pipe_prefix : "supd";
}

}  // namespace sup
