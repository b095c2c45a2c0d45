// supd's own folders: made with a DACL that keeps other users out, and refused when someone got
// there first. Wine keeps no DACL or owner it is given for a file (it derives them from the Unix
// permissions) and reports no reparse point for the links it makes, so only real Windows shows
// the descriptor applied and the refusals made from what the file system reports. Shown here:
// the descriptor supd asks for, the decision on every kind of folder found, and the real calls
// on what Wine does report (a file in the folder's place; a folder of supd's own user).
#include "common/win/own_folder.h"

#include <windows.h>

#include <sddl.h>

#include <gtest/gtest.h>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "dacl.h"
#include "process_runner.h"

namespace sup::win {
namespace {

TEST(OwnFolderTest, OperatorsMayReadWhatIsInsideAndNothingMore) {
  EXPECT_EQ(OwnFolderSddl(""), kOwnFolderSddl);
  const testing::AccessEntries dacl = testing::SddlDacl(OwnFolderSddl("S-1-5-32-547"));
  EXPECT_EQ(dacl, (testing::AccessEntries{{"S-1-5-18", FILE_ALL_ACCESS},
                                          {"S-1-5-32-544", FILE_ALL_ACCESS},
                                          {"S-1-5-32-547", FILE_GENERIC_READ}}));
}

// supd under another account (NetworkService, a virtual account) writes its lock, logs and state
// in its folders: its account has full control there too; as SYSTEM nothing is added.
TEST(OwnFolderTest, SupdsOwnAccountMayWriteItsFolders) {
  EXPECT_EQ(OwnFolderSddl("", "S-1-5-18"), kOwnFolderSddl);
  EXPECT_EQ(testing::SddlDacl(OwnFolderSddl("S-1-5-32-547", "S-1-5-20")),
            (testing::AccessEntries{{"S-1-5-18", FILE_ALL_ACCESS},
                                    {"S-1-5-32-544", FILE_ALL_ACCESS},
                                    {"S-1-5-20", FILE_ALL_ACCESS},
                                    {"S-1-5-32-547", FILE_GENERIC_READ}}));
}

TEST(OwnFolderTest, TheFolderDescriptorLetsOnlySystemAndAdministratorsInAndInheritsNothing) {
  const testing::AccessEntries dacl = testing::SddlDacl(kOwnFolderSddl);
  EXPECT_EQ(dacl, (testing::AccessEntries{{"S-1-5-18", FILE_ALL_ACCESS},
                                          {"S-1-5-32-544", FILE_ALL_ACCESS}}));
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(kOwnFolderSddl);
  ASSERT_TRUE(security.ok());
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  ASSERT_TRUE(::GetSecurityDescriptorControl(security->descriptor(), &control, &revision));
  EXPECT_TRUE(control & SE_DACL_PROTECTED);  // %ProgramData%'s "Users may create" stays out
}

TEST(OwnFolderTest, OnlyARealFolderOfSystemAdministratorsOrSupdsOwnUserIsAccepted) {
  const DWORD folder = FILE_ATTRIBUTE_DIRECTORY;
  const std::string self = "S-1-5-21-1-2-3-1001";
  EXPECT_EQ(ForeignFolderProblem("C:\\d", folder, "S-1-5-18", "S-1-5-18"), std::nullopt);
  EXPECT_EQ(ForeignFolderProblem("C:\\d", folder, "S-1-5-32-544", "S-1-5-18"), std::nullopt);
  EXPECT_EQ(ForeignFolderProblem("C:\\d", folder, self, self), std::nullopt);  // --account

  const std::optional<std::string> squatted =
      ForeignFolderProblem("C:\\ProgramData\\Sup", folder, "S-1-5-21-1-2-3-1002", "S-1-5-18");
  ASSERT_TRUE(squatted.has_value());
  EXPECT_EQ(*squatted,
            "C:\\ProgramData\\Sup is owned by S-1-5-21-1-2-3-1002, not by SYSTEM or "
            "Administrators: someone else created it, and could change what supd writes there "
            "(remove it; supd creates the folder itself)");
  EXPECT_TRUE(ForeignFolderProblem("C:\\d", folder, "", "S-1-5-18"));  // owner unknown
  const std::optional<std::string> link =
      ForeignFolderProblem("C:\\d", folder | FILE_ATTRIBUTE_REPARSE_POINT, "S-1-5-18", "S-1-5-18");
  ASSERT_TRUE(link.has_value());
  EXPECT_NE(link->find("is a junction or symbolic link"), std::string::npos) << *link;
  EXPECT_TRUE(ForeignFolderProblem("C:\\d", FILE_ATTRIBUTE_NORMAL, "S-1-5-18", "S-1-5-18"));
}

TEST(OwnFolderTest, ANewFolderIsMadeAndFoundAgainAsSupdsOwn) {
  const std::string folder = testing::TempPath("own-new") + "\\state";
  ASSERT_TRUE(EnsureOwnFolder(folder).ok());
  EXPECT_NE(::GetFileAttributesW(Widen(folder).c_str()), INVALID_FILE_ATTRIBUTES);
  Result<std::optional<std::string>> again = EnsureOwnFolder(folder);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(*again, std::nullopt);  // nothing to repair
}

TEST(OwnFolderTest, AFileInItsPlaceIsRefused) {
  const std::string path = testing::TempPath("own-file");
  {
    UniqueFileHandle file{
        ::CreateFileW(Widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, 0, nullptr)};
  }
  const Result<std::optional<std::string>> ensured = EnsureOwnFolder(path);
  ASSERT_FALSE(ensured.ok());
  EXPECT_NE(ensured.error().message().find("is a file, not a folder"), std::string::npos)
      << ensured.error().message();
}

// An administrator's folder that everyone may write used to pass (only the owner was checked):
// whoever can create files there can plant a link where supd writes, renames and deletes as
// SYSTEM. A folder supd writes in but does not own is refused, naming who may write it; supd's own
// folders are given their DACL again. C:\sup-writable is Unix mode 0777 (scripts/wine-session.sh),
// which Wine shows as Everyone with write rights. That the repaired DACL is kept only real Windows
// shows (Wine keeps a folder's DACL at most as Unix mode bits).
TEST(OwnFolderTest, AFolderOthersMayWriteIsRefusedOrRepaired) {
  const std::string writable = "C:\\sup-writable";
  ASSERT_NE(::GetFileAttributesW(Widen(writable).c_str()), INVALID_FILE_ATTRIBUTES)
      << "C:\\sup-writable is not the folder wine-session.sh makes";
  const Result<std::optional<std::string>> refused = EnsureOwnFolder(writable);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("C:\\sup-writable may be changed by Everyone (S-1-1-0)"),
            std::string::npos)
      << refused.error().message();

  // supd's own folder, repaired: set again to its DACL. (A folder of its own: Wine may turn the
  // DACL it is given into Unix mode bits, taking o+w away from the folder it repairs.)
  const std::string own = "C:\\sup-writable\\own";
  Result<std::optional<std::string>> repaired =
      EnsureOwnFolder(own, kOwnFolderSddl, ForeignWriterAction::kRepair);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message();
  ASSERT_TRUE(repaired->has_value());
  EXPECT_NE((*repaired)->find("could be changed by Everyone (S-1-1-0): its permissions were set "
                              "again to supd's"),
            std::string::npos)
      << **repaired;
}

// The rule itself, on descriptors Wine cannot keep: entries for the folder itself count, entries
// only passed on to what is inside do not, supd's own account and the owner rule apply.
TEST(OwnFolderTest, WhoMayWriteAFolderIsReadFromItsDacl) {
  const auto writers = [](const wchar_t* sddl) {
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    EXPECT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1,
                                                                       &descriptor, nullptr));
    const UniqueLocalMemory owned{descriptor};
    return ForeignWriters(descriptor, {}, kFileGenericMapping, kFolderChangeRights);
  };
  EXPECT_EQ(writers(L"O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FR;;;AU)"),
            std::vector<std::string>{});
  // C:\'s own: Authenticated Users may create folders and files in it.
  EXPECT_EQ(writers(L"O:SYD:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)"
                    L"(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;AU)(A;OICIIO;SDGXGWGR;;;AU)"),
            std::vector<std::string>{"S-1-5-11"});
  // Only files created inside get write (inherit-only): the folder itself is not writable.
  EXPECT_EQ(writers(L"O:BAD:(A;OICI;FA;;;BA)(A;OIIO;FW;;;BU)"), std::vector<std::string>{});
  // Deleting what is inside is changing it (0x40: FILE_DELETE_CHILD).
  EXPECT_EQ(writers(L"O:BAD:(A;;0x40;;;BU)"), std::vector<std::string>{"S-1-5-32-545"});
}

}  // namespace
}  // namespace sup::win
