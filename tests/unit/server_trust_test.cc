#include "client/server_trust.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

TEST(ServerTrustTest, SupdAsAServiceOrRunByYouIsTrusted) {
  EXPECT_EQ(
      UntrustedPipeServer("sup-control", {4242, "C:\\Program Files\\Sup\\supd.exe", true, false}),
      std::nullopt);
  EXPECT_EQ(UntrustedPipeServer("sup-control", {17, "C:\\tools\\SUPD.EXE", false, true}),
            std::nullopt);  // `supd run --console` by this user; names compare as Windows does
}

TEST(ServerTrustTest, AnotherProgramIsNotTrustedWhoeverRunsIt) {
  const std::optional<std::string> why =
      UntrustedPipeServer("sup-health", {4242, "C:\\Users\\mallory\\evil.exe", true, true});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "\\\\.\\pipe\\sup-health is served by C:\\Users\\mallory\\evil.exe (pid 4242), not "
            "by supd.exe: its answers are not trusted");
  // A name that merely ends like supd.exe is another program.
  EXPECT_TRUE(UntrustedPipeServer("sup-control", {1, "C:\\x\\notsupd.exe", true, true}));
  EXPECT_TRUE(UntrustedPipeServer("sup-control", {1, "C:\\x\\supd.exe.bat", true, true}));
}

TEST(ServerTrustTest, ASupdExeOfAnotherUserThatIsNoServiceIsNotTrusted) {
  const std::optional<std::string> why = UntrustedPipeServer(
      "sup-control", {99, "C:\\Users\\mallory\\supd.exe", /*registered_service=*/false,
                      /*same_user=*/false});
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("neither a registered service nor run by you"), std::string::npos) << *why;
}

TEST(ServerTrustTest, AProgramThatCannotBeInspectedIsNotTrusted) {
  const std::optional<std::string> why = UntrustedPipeServer("sup-control", {5, "", true, false});
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("a program supctl may not inspect (pid 5)"), std::string::npos) << *why;
}

constexpr char kAdministratorsPipe[] = "ProtectedPrefix\\Administrators\\sup-control";
constexpr char kMe[] = "S-1-5-21-1-2-3-1000";

TEST(ServerTrustTest, AProtectedPipeOwnedBySystemAdministratorsOrYouIsTrusted) {
  EXPECT_EQ(UntrustedPipeOwner(kAdministratorsPipe, "S-1-5-18", kMe), std::nullopt);
  EXPECT_EQ(UntrustedPipeOwner(kAdministratorsPipe, "S-1-5-32-544", kMe), std::nullopt);
  EXPECT_EQ(UntrustedPipeOwner(kAdministratorsPipe, kMe, kMe), std::nullopt);  // console supd
  EXPECT_EQ(UntrustedPipeOwner("ProtectedPrefix\\NetworkService\\sup-control", "S-1-5-20", kMe),
            std::nullopt);
  EXPECT_EQ(UntrustedPipeOwner("protectedprefix\\localservice\\sup-control", "S-1-5-19", kMe),
            std::nullopt);
}

TEST(ServerTrustTest, AProtectedPipeOwnedByAnyoneElseIsNotTrusted) {
  const std::optional<std::string> why =
      UntrustedPipeOwner(kAdministratorsPipe, "S-1-5-21-1-2-3-1001", kMe);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why,
            "\\\\.\\pipe\\ProtectedPrefix\\Administrators\\sup-control is owned by "
            "S-1-5-21-1-2-3-1001, which may not create names under its prefix: its answers are not "
            "trusted");
  // A service account only under its own prefix.
  EXPECT_TRUE(UntrustedPipeOwner(kAdministratorsPipe, "S-1-5-20", kMe));
  EXPECT_TRUE(UntrustedPipeOwner("ProtectedPrefix\\LocalService\\x", "S-1-5-20", kMe));
  const std::optional<std::string> unread = UntrustedPipeOwner(kAdministratorsPipe, "", kMe);
  ASSERT_TRUE(unread.has_value());
  EXPECT_NE(unread->find("its owner cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace sup::client
