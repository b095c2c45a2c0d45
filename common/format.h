// Human-readable durations and times, shared by supd (status descriptions, log timestamps) and
// supctl (tables, events).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sup {

// "0:02:35" under a day, "3d 4:05:06" beyond; negative durations show as zero.
std::string FormatUptime(std::chrono::milliseconds uptime);

// "850ms", "4.0s", "2m05s", "1h30m": a delay until something happens.
std::string FormatDelay(std::chrono::milliseconds delay);

// "2026-11-21T15:04:05.123Z": milliseconds since the Unix epoch, in UTC.
std::string FormatUtcMillis(std::int64_t unix_ms);

// "a, b, c": names in a sentence.
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace sup
