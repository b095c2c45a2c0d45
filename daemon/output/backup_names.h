// The names of rotated log files and which of them retention removes. A rotation renames the
// current file to a name carrying the time of the rotation, "web-api.out.20261130-120405.123.log"
// for "web-api.out.log": one rename, no shifting of older backups, so a rotation that fails
// changes nothing, and the names sort by age. Pure code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sup::output {

// The file name (no folder) of a backup of `file_name` rotated at `unix_ms` (UTC):
// <stem>.<YYYYMMDD-HHMMSS.mmm><extension>, the extension being the part from the last dot.
std::string BackupName(std::string_view file_name, std::int64_t unix_ms);

// The time to name a rotation at `now_ms` by, among `backups` (file names, any order): now, or
// just after the newest backup if the clock went back below it (an NTP correction), so that names
// keep the order of rotations and retention never takes the newest for the oldest.
std::int64_t NextBackupTime(std::string_view file_name, const std::vector<std::string>& backups,
                            std::int64_t now_ms);

// The rotation time of `candidate` if it is a backup name of `file_name`, else nullopt.
std::optional<std::int64_t> BackupTime(std::string_view file_name, std::string_view candidate);

// Of `backups` (file names of `file_name`'s backups, any order), those retention removes: all but
// the newest `keep`, and any rotated more than `max_age_ms` before `now_ms` (0: no age limit).
// Oldest first.
std::vector<std::string> ExpiredBackups(std::string_view file_name,
                                        std::vector<std::string> backups, std::uint32_t keep,
                                        std::int64_t max_age_ms, std::int64_t now_ms);

}  // namespace sup::output
