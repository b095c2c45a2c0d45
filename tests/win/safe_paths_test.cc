// Deleting a folder tree as SYSTEM without following links (supctl config delete --logs), against
// real files and a real link: C:\sup-links\tree\logs\planted is a Unix symbolic link to
// C:\sup-links\keep, made by scripts/wine-session.sh, which Wine shows as Windows shows a
// junction (its own CreateSymbolicLinkW makes nothing).
#include "common/win/safe_paths.h"

#include <windows.h>

#include <gtest/gtest.h>

#include "common/win/win32_error.h"

namespace sup::win {
namespace {

TEST(SafePathsTest, ADeletedTreeLeavesWhatItsLinksPointTo) {
  ASSERT_NE(::GetFileAttributesW(L"C:\\sup-links\\tree\\logs\\planted"), INVALID_FILE_ATTRIBUTES)
      << "C:\\sup-links\\tree is not the tree wine-session.sh makes";
  Result<void> deleted = DeleteTreeWithoutFollowingLinks(L"C:\\sup-links\\tree");
  // std::filesystem::remove_all (the first design) deleted C:\sup-links\keep and its file
  // through the link, measured under Wine.
  EXPECT_NE(::GetFileAttributesW(L"C:\\sup-links\\keep\\precious.txt"), INVALID_FILE_ATTRIBUTES)
      << "the link's target was deleted through it";
  EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\tree\\logs\\w.out.log"), INVALID_FILE_ATTRIBUTES);
  if (deleted.ok()) {  // Windows: the junction itself is removed
    EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\tree"), INVALID_FILE_ATTRIBUTES);
    EXPECT_TRUE(DeleteTreeWithoutFollowingLinks(L"C:\\sup-links\\tree").ok());  // nothing to do
  } else {  // Wine 8 cannot remove a link to a folder by any call: left, and named
    EXPECT_NE(
        deleted.error().message().find("removing the link C:\\sup-links\\tree\\logs\\planted"),
        std::string::npos)
        << deleted.error().message();
  }
}

TEST(SafePathsTest, ATreeThatIsItselfALinkIsRefused) {
  Result<void> refused = DeleteTreeWithoutFollowingLinks(L"C:\\sup-links\\app");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("is a junction or symbolic link"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(::GetFileAttributesW(L"C:\\sup-links\\elsewhere"), INVALID_FILE_ATTRIBUTES);
}

}  // namespace
}  // namespace sup::win
