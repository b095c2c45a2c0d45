// WindowsLogFile against real files: rotation renames to a backup named by its time, retention
// keeps LogBackups of them, and a file another program holds without FILE_SHARE_DELETE (a
// `Get-Content -Wait`, a log shipper, an antivirus scanner) makes rotation fail without losing
// or moving anything.
#include <windows.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/output/win/output_capture.h"
#include "process_runner.h"
#include "tests/fakes/manual_clock.h"

namespace sup::win {
namespace {

namespace fs = std::filesystem;

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ =
        fs::path(Widen(sup::testing::TempPath("logfile-" + std::to_string(::GetTickCount64()))));
    fs::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }

  std::string Path() const { return Narrow((folder_ / L"w.out.log").wstring()); }

  // The folder's files, by name (names sort by age), and their contents.
  std::vector<std::pair<std::string, std::string>> Files() const {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& entry : fs::directory_iterator(folder_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      files.emplace_back(Narrow(entry.path().filename().wstring()), content.str());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  fs::path folder_;
  testing::ManualClock clock_;
};

// supd writes, renames and deletes in a log's folder as SYSTEM, so the folder must be one of
// administrators (common/win/own_folder.h): a missing one is made for them, a file in its place
// is refused by name. (Links and other users' folders are refused too; Wine reports neither, see
// own_folder_test.cc.)
TEST_F(LogFileTest, ALogsFolderIsMadeForAdministratorsOrRefusedByName) {
  const std::string nested = Narrow((folder_ / L"made" / L"w.out.log").wstring());
  Result<std::unique_ptr<WindowsLogFile>> made = WindowsLogFile::Open(nested, 2, clock_);
  ASSERT_TRUE(made.ok()) << made.error().message();

  { std::ofstream(folder_ / L"not-a-folder") << "x"; }
  const std::string blocked = Narrow((folder_ / L"not-a-folder" / L"w.out.log").wstring());
  Result<std::unique_ptr<WindowsLogFile>> refused = WindowsLogFile::Open(blocked, 2, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("not-a-folder is a file, not a folder"),
            std::string::npos)
      << refused.error().message();
}

// A link as a log's folder, or a folder above it swapped for a link (by whoever may write there),
// would send supd's writes, renames and deletes wherever it points. The first is refused as a
// link; the second opens, is found to be somewhere else than its path says, and is refused,
// naming where it really is. C:\sup-links\app is a link to C:\sup-links\elsewhere, made by
// scripts/wine-session.sh as a Unix symbolic link (Wine 8 makes neither symbolic links nor
// junctions itself, but shows that one as Windows shows a junction).
TEST_F(LogFileTest, ALogWhoseFolderOrAFolderAboveIsALinkIsRefused) {
  ASSERT_NE(::GetFileAttributesW(L"C:\\sup-links\\app") & FILE_ATTRIBUTE_REPARSE_POINT, 0u)
      << "C:\\sup-links\\app is not the link wine-session.sh makes";
  Result<std::unique_ptr<WindowsLogFile>> folder_is_link =
      WindowsLogFile::Open("C:\\sup-links\\app\\w.out.log", 2, clock_);
  ASSERT_FALSE(folder_is_link.ok());
  EXPECT_NE(folder_is_link.error().message().find("C:\\sup-links\\app"), std::string::npos)
      << folder_is_link.error().message();

  Result<std::unique_ptr<WindowsLogFile>> above_is_link =
      WindowsLogFile::Open("C:\\sup-links\\app\\logs\\w.out.log", 2, clock_);
  ASSERT_FALSE(above_is_link.ok());
  EXPECT_NE(
      above_is_link.error().message().find(
          "is reached through a link (it opens as C:\\sup-links\\elsewhere\\logs\\w.out.log)"),
      std::string::npos)
      << above_is_link.error().message();

  // The real path, spelled in another case, is the same file: opened.
  Result<std::unique_ptr<WindowsLogFile>> direct =
      WindowsLogFile::Open("c:\\SUP-LINKS\\elsewhere\\logs\\w.out.log", 2, clock_);
  EXPECT_TRUE(direct.ok()) << direct.error().message();
}

TEST_F(LogFileTest, RotationRenamesToABackupNamedByItsTimeAndRetentionKeepsLogBackups) {
  Result<std::unique_ptr<WindowsLogFile>> file = WindowsLogFile::Open(Path(), 2, clock_);
  ASSERT_TRUE(file.ok()) << file.error().message();
  for (const char* line : {"one\n", "two\n", "three\n", "four\n"}) {
    ASSERT_TRUE((*file)->Append(line).ok());
    ASSERT_TRUE((*file)->Rotate().ok());
    clock_.Advance(std::chrono::seconds(1));
  }
  ASSERT_TRUE((*file)->Append("five\n").ok());
  // 2023-11-14T22:13:20Z is the manual clock's start: one, two were removed (LogBackups 2).
  EXPECT_EQ(Files(), (std::vector<std::pair<std::string, std::string>>{
                         {"w.out.20231114-221322.000.log", "three\n"},
                         {"w.out.20231114-221323.000.log", "four\n"},
                         {"w.out.log", "five\n"}}));
}

TEST_F(LogFileTest, BackupsOlderThanLogMaxAgeDaysGoWhateverTheCount) {
  Result<std::unique_ptr<WindowsLogFile>> file =
      WindowsLogFile::Open(Path(), 100, clock_, /*max_age_days=*/2);
  ASSERT_TRUE(file.ok());
  for (const char* line : {"day 0\n", "day 1\n", "day 2\n", "day 3\n"}) {
    ASSERT_TRUE((*file)->Append(line).ok());
    ASSERT_TRUE((*file)->Rotate().ok());
    clock_.Advance(std::chrono::hours(24));
  }
  // Rotated at days 0..3; at day 3 the rotation of day 0 is 3 days old: gone.
  EXPECT_EQ(Files(), (std::vector<std::pair<std::string, std::string>>{
                         {"w.out.20231115-221320.000.log", "day 1\n"},
                         {"w.out.20231116-221320.000.log", "day 2\n"},
                         {"w.out.20231117-221320.000.log", "day 3\n"},
                         {"w.out.log", ""}}));
}

// The wall clock stepped back an hour between two rotations (an NTP correction): the new backup
// is named after the newest there, so it sorts newest and LogBackups keeps it, not the older one.
TEST_F(LogFileTest, AClockSteppedBackKeepsTheNewestBackup) {
  Result<std::unique_ptr<WindowsLogFile>> file = WindowsLogFile::Open(Path(), 1, clock_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("before\n").ok());
  ASSERT_TRUE((*file)->Rotate().ok());
  clock_.SetWall(clock_.WallNow() - std::chrono::hours(1));
  ASSERT_TRUE((*file)->Append("after\n").ok());
  ASSERT_TRUE((*file)->Rotate().ok());
  EXPECT_EQ(Files(), (std::vector<std::pair<std::string, std::string>>{
                         {"w.out.20231114-221320.001.log", "after\n"}, {"w.out.log", ""}}));
}

TEST_F(LogFileTest, TwoRotationsInOneMillisecondKeepBothBackups) {
  Result<std::unique_ptr<WindowsLogFile>> file = WindowsLogFile::Open(Path(), 5, clock_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("a\n").ok());
  ASSERT_TRUE((*file)->Rotate().ok());
  ASSERT_TRUE((*file)->Append("b\n").ok());
  ASSERT_TRUE((*file)->Rotate().ok());
  EXPECT_EQ(Files(), (std::vector<std::pair<std::string, std::string>>{
                         {"w.out.20231114-221320.000.log", "a\n"},
                         {"w.out.20231114-221320.001.log", "b\n"},
                         {"w.out.log", ""}}));
}

// Only Windows can show the sharing violation itself if Wine does not enforce it on a rename;
// what the test asserts after the failed rename (nothing lost, nothing moved) holds either way.
TEST_F(LogFileTest, AFileHeldWithoutShareDeleteIsNotRotatedAndNothingIsLost) {
  Result<std::unique_ptr<WindowsLogFile>> file = WindowsLogFile::Open(Path(), 1, clock_);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("old\n").ok());
  ASSERT_TRUE((*file)->Rotate().ok());  // one backup: "old"
  ASSERT_TRUE((*file)->Append("kept\n").ok());
  {
    // Another program tails the file, sharing read and write but not delete.
    const UniqueFileHandle holder{::CreateFileW(Widen(Path()).c_str(), GENERIC_READ,
                                                FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr)};
    ASSERT_TRUE(holder) << Win32Error("holding the log file").message();
    clock_.Advance(std::chrono::seconds(1));
    const Result<void> rotated = (*file)->Rotate();
    ASSERT_FALSE(rotated.ok()) << "Wine let a file held without FILE_SHARE_DELETE be renamed";
    EXPECT_NE(rotated.error().message().find("rotating the log file"), std::string::npos);
    ASSERT_TRUE((*file)->Append("still written\n").ok());
    EXPECT_EQ(Files(), (std::vector<std::pair<std::string, std::string>>{
                           {"w.out.20231114-221320.000.log", "old\n"},
                           {"w.out.log", "kept\nstill written\n"}}));
  }
  // The other program let go: the next rotation works, and retention acts only now.
  ASSERT_TRUE((*file)->Rotate().ok());
  EXPECT_EQ(Files(),
            (std::vector<std::pair<std::string, std::string>>{
                {"w.out.20231114-221321.000.log", "kept\nstill written\n"}, {"w.out.log", ""}}));
}

// A second name for the file (a hard link someone made while they could) makes it the same file
// in two places: supd refuses it rather than write and rotate it.
TEST_F(LogFileTest, ALogFileWithASecondNameIsRefused) {
  { std::ofstream(folder_ / L"w.out.log") << "before\n"; }
  ASSERT_TRUE(::CreateHardLinkW((folder_ / L"elsewhere.txt").c_str(),
                                (folder_ / L"w.out.log").c_str(), nullptr))
      << Win32ErrorText(::GetLastError());
  Result<std::unique_ptr<WindowsLogFile>> refused = WindowsLogFile::Open(Path(), 2, clock_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("has 2 names (hard links)"), std::string::npos)
      << refused.error().message();
  ASSERT_TRUE(::DeleteFileW((folder_ / L"elsewhere.txt").c_str()));
  EXPECT_TRUE(WindowsLogFile::Open(Path(), 2, clock_).ok());  // one name again
}

}  // namespace
}  // namespace sup::win
