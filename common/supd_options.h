// supd's command-line options, named once: supd parses them, and supctl reads them back out of a
// registered service's ImagePath (which pipes and which configuration key that supd uses).
#pragma once

namespace sup {

inline constexpr char kSupdConsoleFlag[] = "--console";
inline constexpr char kSupdConfigKeyOption[] = "--config-key";
inline constexpr char kSupdLogLevelOption[] = "--log-level";
inline constexpr char kSupdPipePrefixOption[] = "--pipe-prefix";

}  // namespace sup
