// Human-readable durations, shared by supd's status descriptions and supctl's table.
#pragma once

#include <chrono>
#include <string>

namespace sup {

// "0:02:35" under a day, "3d 4:05:06" beyond; negative durations show as zero.
std::string FormatUptime(std::chrono::milliseconds uptime);

// "850ms", "4.0s", "2m05s", "1h30m": a delay until something happens.
std::string FormatDelay(std::chrono::milliseconds delay);

}  // namespace sup
