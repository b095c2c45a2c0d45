#include "daemon/output/backup_names.h"

#include <gtest/gtest.h>

namespace sup::output {
namespace {

constexpr std::int64_t kNoon = 1796040245123;  // 2026-11-30T12:04:05.123Z
constexpr std::int64_t kDay = 24 * 3600 * 1000LL;

TEST(BackupNamesTest, ABackupIsNamedByItsRotationTimeBeforeTheExtension) {
  EXPECT_EQ(BackupName("web-api.out.log", kNoon), "web-api.out.20261130-120405.123.log");
  EXPECT_EQ(BackupName("worker", kNoon), "worker.20261130-120405.123");
  EXPECT_EQ(BackupTime("web-api.out.log", "web-api.out.20261130-120405.123.log"), kNoon);
  EXPECT_EQ(BackupTime("worker", "worker.20261130-120405.123"), kNoon);
}

TEST(BackupNamesTest, OnlyTheFilesOwnBackupsAreRecognised) {
  for (const char* other :
       {"web-api.out.log", "web-api.err.20261130-120405.123.log",
        "web-api.out.20261130-120405.123.txt", "web-api.out.1.log",
        "web-api.out.2026113x-120405.123.log", "web-api.out.20261330-120405.123.log",
        "xweb-api.out.20261130-120405.123.log"}) {
    EXPECT_EQ(BackupTime("web-api.out.log", other), std::nullopt) << other;
  }
}

TEST(BackupNamesTest, NamesSortByAge) {
  EXPECT_LT(BackupName("a.log", kNoon), BackupName("a.log", kNoon + 1));
  EXPECT_LT(BackupName("a.log", kNoon + 999), BackupName("a.log", kNoon + 1000));
  EXPECT_LT(BackupName("a.log", kNoon), BackupName("a.log", kNoon + kDay));
}

TEST(BackupNamesTest, RetentionKeepsTheNewestAndDropsTheTooOld) {
  std::vector<std::string> backups;
  for (int day = 0; day < 5; ++day) backups.push_back(BackupName("a.log", kNoon - day * kDay));
  backups.push_back("a.log");          // the current file: never a backup
  backups.push_back("unrelated.txt");  // not ours
  // Count: keep the 3 newest.
  EXPECT_EQ(ExpiredBackups("a.log", backups, 3, 0, kNoon),
            (std::vector<std::string>{BackupName("a.log", kNoon - 4 * kDay),
                                      BackupName("a.log", kNoon - 3 * kDay)}));
  // Age: older than 2 days goes, whatever the count allows.
  EXPECT_EQ(ExpiredBackups("a.log", backups, 100, 2 * kDay + 1, kNoon),
            (std::vector<std::string>{BackupName("a.log", kNoon - 4 * kDay),
                                      BackupName("a.log", kNoon - 3 * kDay)}));
  // Both rules, and LogBackups 0 keeps none.
  EXPECT_EQ(ExpiredBackups("a.log", backups, 0, 0, kNoon).size(), 5u);
}

// The clock stepped back an hour (an NTP correction) between two rotations: the new backup is
// named just after the newest one, not an hour before it, so it sorts newest and retention keeps
// it (named by the clock, it sorted oldest and went first).
TEST(BackupNamesTest, AClockSteppedBackNeitherReordersNorLosesTheNewestBackup) {
  constexpr std::int64_t kHour = 3600 * 1000LL;
  std::vector<std::string> backups = {BackupName("a.log", kNoon - kDay), BackupName("a.log", kNoon),
                                      "a.log"};
  EXPECT_EQ(NextBackupTime("a.log", backups, kNoon + kHour), kNoon + kHour);  // the clock's
  const std::int64_t stepped_back = kNoon - kHour;
  const std::int64_t named = NextBackupTime("a.log", backups, stepped_back);
  EXPECT_EQ(named, kNoon + 1);
  const std::string newest = BackupName("a.log", named);
  backups.push_back(newest);
  EXPECT_EQ(ExpiredBackups("a.log", backups, 2, 0, stepped_back),
            std::vector<std::string>{BackupName("a.log", kNoon - kDay)});
  // Named by the clock, it would have been the one to go.
  std::vector<std::string> by_clock = {BackupName("a.log", kNoon - kDay),
                                       BackupName("a.log", kNoon),
                                       BackupName("a.log", stepped_back)};
  EXPECT_EQ(ExpiredBackups("a.log", by_clock, 1, 0, stepped_back).back(),
            BackupName("a.log", stepped_back));
}

}  // namespace
}  // namespace sup::output
