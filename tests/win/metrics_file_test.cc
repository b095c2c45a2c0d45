// The metrics file (MetricsTextfile) is written as SYSTEM in a folder supd does not own
// (windows_exporter's textfile folder): ReplaceFile against real files and links. Its temporary
// file is created new under an unguessable name (one someone made first is never used, so it
// cannot hand its DACL to the published file), renamed over the target by its handle, deleted by
// its handle when anything fails; a link in the folder or above it is refused. Wine keeps no DACL
// on files (both come from Unix permissions): the DACL the file is created with is checked as
// built; that the published file carries it only real Windows shows.
#include <windows.h>

#include <sddl.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"
#include "daemon/win/metrics_textfile.h"
#include "process_runner.h"

namespace sup::win {
namespace {

namespace fs = std::filesystem;

class MetricsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::path(
        Widen(sup::testing::TempPath("metricsfile-" + std::to_string(::GetTickCount64()))));
    fs::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }

  std::wstring Target() const { return (folder_ / L"sup.prom").wstring(); }

  // The folder's file names, sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder_))
      names.push_back(Narrow(entry.path().filename().wstring()));
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path folder_;
};

TEST_F(MetricsFileTest, ReplacesTheFileWholeAndLeavesNothingElse) {
  ASSERT_TRUE(ReplaceFile(Target(), "first 1\n", kMetricsFileSddl).ok());
  EXPECT_EQ(Read(Target()), "first 1\n");
  Result<void> again = ReplaceFile(Target(), "second 2\n", kMetricsFileSddl);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(Read(Target()), "second 2\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"sup.prom"});
}

// The first design wrote <file>.tmp with CREATE_ALWAYS: whoever created that name first (with a
// DACL of their own) kept their DACL on the published file, and could swap it for a link.
TEST_F(MetricsFileTest, ATemporaryFileSomeoneMadeFirstIsNeverUsed) {
  { std::ofstream(folder_ / L"sup.prom.tmp", std::ios::binary) << "planted"; }
  ASSERT_TRUE(ReplaceFile(Target(), "mine 1\n", kMetricsFileSddl).ok());
  EXPECT_EQ(Read(Target()), "mine 1\n");
  EXPECT_EQ(Read(folder_ / L"sup.prom.tmp"), "planted");  // untouched, not renamed
  EXPECT_EQ(Names(), (std::vector<std::string>{"sup.prom", "sup.prom.tmp"}));
}

// A reader holding the file without delete sharing: the replace fails, the old figures stay, and
// the temporary file is deleted (by its handle): nothing piles up in the folder.
TEST_F(MetricsFileTest, AFailedReplaceKeepsTheOldFileAndDeletesItsTemporaryFile) {
  ASSERT_TRUE(ReplaceFile(Target(), "old 1\n", kMetricsFileSddl).ok());
  const UniqueFileHandle reader{::CreateFileW(Target().c_str(), GENERIC_READ, FILE_SHARE_READ,
                                              nullptr, OPEN_EXISTING, 0, nullptr)};
  ASSERT_TRUE(reader);
  Result<void> blocked = ReplaceFile(Target(), "new 2\n", kMetricsFileSddl);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message().find("replacing " + Narrow(Target())), std::string::npos)
      << blocked.error().message();
  EXPECT_EQ(Read(Target()), "old 1\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"sup.prom"});
}

// C:\sup-links\app is a link to C:\sup-links\elsewhere (scripts/wine-session.sh makes it): a
// metrics file in it, or in a folder below it, is refused naming the link, and nothing is written
// where it points.
TEST_F(MetricsFileTest, ALinkInTheFolderOrAboveItIsRefused) {
  ASSERT_NE(::GetFileAttributesW(L"C:\\sup-links\\app") & FILE_ATTRIBUTE_REPARSE_POINT, 0u)
      << "C:\\sup-links\\app is not the link wine-session.sh makes";
  for (const wchar_t* path :
       {L"C:\\sup-links\\app\\sup.prom", L"C:\\sup-links\\app\\textfile\\sup.prom"}) {
    Result<void> refused = ReplaceFile(path, "x 1\n", kMetricsFileSddl);
    ASSERT_FALSE(refused.ok()) << Narrow(path);
    EXPECT_NE(refused.error().message().find("C:\\sup-links\\app is a junction or symbolic link"),
              std::string::npos)
        << refused.error().message();
  }
  EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\elsewhere\\sup.prom"), INVALID_FILE_ATTRIBUTES);
  EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\elsewhere\\textfile"), INVALID_FILE_ATTRIBUTES);
}

// What only Windows enforces, checked as built: nobody but SYSTEM and Administrators may change
// the published file; everyone logged on may read it (windows_exporter's account, whichever).
TEST(MetricsFileSddlTest, OnlySystemAndAdministratorsMayChangeThePublishedFile) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      Widen(kMetricsFileSddl).c_str(), SDDL_REVISION_1, &descriptor, nullptr));
  const UniqueLocalMemory owned{descriptor};
  EXPECT_EQ(ForeignWriters(descriptor, {}, kFileGenericMapping, kFileChangeRights),
            std::vector<std::string>{});
  // And the rule itself sees a writer: the same DACL with authenticated users modifying.
  PSECURITY_DESCRIPTOR writable = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1301bf;;;AU)", SDDL_REVISION_1, &writable, nullptr));
  const UniqueLocalMemory owned_writable{writable};
  EXPECT_EQ(ForeignWriters(writable, {}, kFileGenericMapping, kFileChangeRights),
            std::vector<std::string>{"S-1-5-11"});
}

}  // namespace
}  // namespace sup::win
