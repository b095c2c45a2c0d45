// Parses the durations supctl accepts on its command line: "500ms", "30s", "2m", or a bare
// number of seconds ("30").
#pragma once

#include <chrono>
#include <string_view>

#include "common/result.h"

namespace sup::client {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace sup::client
