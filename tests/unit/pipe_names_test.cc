#include "common/pipe_names.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

using Names = std::vector<std::string>;

TEST(PipeNamesTest, EachAccountWithAPrefixServesUnderItsOwn) {
  EXPECT_EQ(ProtectedPipeName("sup-control", PipeCreator::kAdministrator),
            "ProtectedPrefix\\Administrators\\sup-control");
  EXPECT_EQ(ProtectedPipeName("sup-health", PipeCreator::kNetworkService),
            "ProtectedPrefix\\NetworkService\\sup-health");
  EXPECT_EQ(ProtectedPipeName("x-control", PipeCreator::kLocalService),
            "ProtectedPrefix\\LocalService\\x-control");
  EXPECT_EQ(ProtectedPipeName("sup-control", PipeCreator::kOther), std::nullopt);
}

TEST(PipeNamesTest, SupctlTriesTheProtectedNamesBeforeTheWellKnownOne) {
  EXPECT_EQ(PipeNamesToTry("sup-control"),
            (Names{"ProtectedPrefix\\Administrators\\sup-control",
                   "ProtectedPrefix\\NetworkService\\sup-control",
                   "ProtectedPrefix\\LocalService\\sup-control", "sup-control"}));
}

TEST(PipeNamesTest, ANameGivenWithItsPrefixIsTakenExactly) {
  EXPECT_EQ(PipeNamesToTry("\\\\.\\pipe\\sup-control"), (Names{"sup-control"}));
  EXPECT_EQ(PipeNamesToTry("ProtectedPrefix\\Administrators\\sup-control"),
            (Names{"ProtectedPrefix\\Administrators\\sup-control"}));
  EXPECT_EQ(PipeNamesToTry("\\\\.\\pipe\\ProtectedPrefix\\NetworkService\\a"),
            (Names{"ProtectedPrefix\\NetworkService\\a"}));
}

TEST(PipeNamesTest, ProtectedNamesAreToldAnyCase) {
  EXPECT_TRUE(IsProtectedPipeName("ProtectedPrefix\\Administrators\\sup-control"));
  EXPECT_TRUE(IsProtectedPipeName("protectedprefix\\ADMINISTRATORS\\sup-control"));
  EXPECT_TRUE(IsProtectedPipeName("\\\\.\\pipe\\ProtectedPrefix\\LocalService\\x"));
  EXPECT_FALSE(IsProtectedPipeName("sup-control"));
  EXPECT_FALSE(IsProtectedPipeName("ProtectedPrefix\\Administrators\\"));  // no name after it
  EXPECT_FALSE(IsProtectedPipeName("ProtectedPrefix\\Users\\sup-control"));
  EXPECT_FALSE(IsProtectedPipeName("Sessions\\ProtectedPrefix\\Administrators\\x"));
}

TEST(PipeNamesTest, TheInstanceNameIsTheLastPart) {
  EXPECT_EQ(InstancePipeName("ProtectedPrefix\\Administrators\\sup-control"), "sup-control");
  EXPECT_EQ(InstancePipeName("\\\\.\\pipe\\sup-health"), "sup-health");
  EXPECT_EQ(InstancePipeName("sup-health"), "sup-health");
}

}  // namespace
}  // namespace sup
