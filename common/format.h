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

// An exit code as every part of sup shows it (status table, description, events, supd's log): a
// small one in decimal ("1", "3"), an NTSTATUS-sized one in hex as Windows writes it
// ("0xC0000005", never "3221225477").
std::string FormatExitCode(std::int64_t code);

// Bytes as people read memory: "512B", "1.5K", "45.2M", "3.1G" (binary units: K = 1024).
std::string FormatBytes(std::uint64_t bytes);

// A CPU percent: "0.0%", "12.5%", "250%" (no decimal from 100 up).
std::string FormatPercent(double percent);

// "a, b, c": names in a sentence.
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace sup
