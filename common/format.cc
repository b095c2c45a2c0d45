#include "common/format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace sup {

std::string FormatUptime(std::chrono::milliseconds uptime) {
  const long long total_seconds = std::max<long long>(0, uptime.count() / 1000);
  const long long days = total_seconds / 86400;
  const long long hours = total_seconds / 3600 % 24;
  const long long minutes = total_seconds / 60 % 60;
  const long long seconds = total_seconds % 60;
  char text[64];
  if (days > 0) {
    std::snprintf(text, sizeof(text), "%lldd %lld:%02lld:%02lld", days, hours, minutes, seconds);
  } else {
    std::snprintf(text, sizeof(text), "%lld:%02lld:%02lld", hours, minutes, seconds);
  }
  return text;
}

std::string FormatDelay(std::chrono::milliseconds delay) {
  const long long ms = std::max<long long>(0, delay.count());
  char text[64];
  if (ms < 1000) {
    std::snprintf(text, sizeof(text), "%lldms", ms);
  } else if (ms < 60'000) {
    std::snprintf(text, sizeof(text), "%lld.%llds", ms / 1000, ms % 1000 / 100);
  } else if (ms < 3'600'000) {
    std::snprintf(text, sizeof(text), "%lldm%02llds", ms / 60'000, ms / 1000 % 60);
  } else {
    std::snprintf(text, sizeof(text), "%lldh%02lldm", ms / 3'600'000, ms / 60'000 % 60);
  }
  return text;
}

std::string FormatUtcMillis(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
#if defined(_WIN32)
  gmtime_s(&utc, &seconds);
#else
  gmtime_r(&seconds, &utc);
#endif
  char text[96];  // room for any int the format could meet
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return text;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string FormatBytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"K", "M", "G", "T"};
  if (bytes < 1024) return std::to_string(bytes) + "B";
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), value < 100 ? "%.1f%s" : "%.0f%s", value, kUnits[unit]);
  return text;
}

std::string FormatPercent(double percent) {
  char text[32];
  std::snprintf(text, sizeof(text), percent < 100 ? "%.1f%%" : "%.0f%%", percent);
  return text;
}

std::string FormatExitCode(std::int64_t code) {
  if (code >= 0 && code <= 0xffff) return std::to_string(code);
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08llX",
                static_cast<unsigned long long>(code) & 0xffffffffULL);
  return text;
}

}  // namespace sup
