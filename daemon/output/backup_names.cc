#include "daemon/output/backup_names.h"

#include <algorithm>
#include <charconv>

#include "common/format.h"

namespace sup::output {
namespace {

constexpr std::size_t kStampBytes = sizeof("20261130-120405.123") - 1;

// "web-api.out.log" -> {"web-api.out", ".log"}; a name without a dot has no extension.
std::pair<std::string_view, std::string_view> SplitExtension(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {file_name, {}};
  return {file_name.substr(0, dot), file_name.substr(dot)};
}

bool ReadNumber(std::string_view text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(int year, int month, int day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

std::string BackupName(std::string_view file_name, std::int64_t unix_ms) {
  // FormatUtcMillis: "2026-11-30T12:04:05.123Z" -> "20261130-120405.123"
  const std::string utc = FormatUtcMillis(unix_ms);
  std::string stamp;
  for (char c : utc.substr(0, 10))
    if (c != '-') stamp += c;
  stamp += '-';
  for (char c : utc.substr(11, 8))
    if (c != ':') stamp += c;
  stamp += utc.substr(19, 4);  // ".123"
  const auto [stem, extension] = SplitExtension(file_name);
  return std::string(stem) + "." + stamp + std::string(extension);
}

std::optional<std::int64_t> BackupTime(std::string_view file_name, std::string_view candidate) {
  const auto [stem, extension] = SplitExtension(file_name);
  if (candidate.size() != stem.size() + 1 + kStampBytes + extension.size()) return std::nullopt;
  if (candidate.substr(0, stem.size()) != stem || candidate[stem.size()] != '.' ||
      candidate.substr(candidate.size() - extension.size()) != extension) {
    return std::nullopt;
  }
  const std::string_view stamp = candidate.substr(stem.size() + 1, kStampBytes);
  int year, month, day, hour, minute, second, millis;
  if (stamp[8] != '-' || stamp[15] != '.' || !ReadNumber(stamp.substr(0, 4), year) ||
      !ReadNumber(stamp.substr(4, 2), month) || !ReadNumber(stamp.substr(6, 2), day) ||
      !ReadNumber(stamp.substr(9, 2), hour) || !ReadNumber(stamp.substr(11, 2), minute) ||
      !ReadNumber(stamp.substr(13, 2), second) || !ReadNumber(stamp.substr(16, 3), millis) ||
      month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return ((DaysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000LL + second * 1000LL +
         millis;
}

std::int64_t NextBackupTime(std::string_view file_name, const std::vector<std::string>& backups,
                            std::int64_t now_ms) {
  std::int64_t next = now_ms;
  for (const std::string& name : backups) {
    if (std::optional<std::int64_t> time = BackupTime(file_name, name))
      next = std::max(next, *time + 1);
  }
  return next;
}

std::vector<std::string> ExpiredBackups(std::string_view file_name,
                                        std::vector<std::string> backups, std::uint32_t keep,
                                        std::int64_t max_age_ms, std::int64_t now_ms) {
  std::vector<std::pair<std::int64_t, std::string>> dated;
  for (std::string& name : backups) {
    if (std::optional<std::int64_t> time = BackupTime(file_name, name))
      dated.emplace_back(*time, std::move(name));
  }
  std::sort(dated.begin(), dated.end());  // oldest first
  std::vector<std::string> expired;
  const std::size_t beyond_count = dated.size() > keep ? dated.size() - keep : 0;
  for (std::size_t i = 0; i < dated.size(); ++i) {
    const bool too_old = max_age_ms > 0 && now_ms - dated[i].first > max_age_ms;
    if (i < beyond_count || too_old) expired.push_back(std::move(dated[i].second));
  }
  return expired;
}

}  // namespace sup::output
