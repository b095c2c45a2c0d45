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

// One rule for every pipe name sup takes: 247 characters for a name of its own (the 256 of
// CreateNamedPipe less \\.\pipe\), 216 for the names supd serves, which it serves under a
// protected prefix too; --pipe-prefix leaves room for "-control".
TEST(PipeNamesTest, OneRuleForEveryPipeName) {
  EXPECT_EQ(kMaxServedPipeNameChars,
            kMaxPipeNameChars - std::string_view("ProtectedPrefix\\Administrators\\").size());
  EXPECT_EQ(kMaxServedPipeNameChars, 216u);
  EXPECT_EQ(PipeNameProblem("sup-control"), std::nullopt);
  EXPECT_EQ(PipeNameProblem(std::string(247, 'p')), std::nullopt);
  EXPECT_EQ(PipeNameProblem(std::string(248, 'p')),
            "\"" + std::string(248, 'p') + "\" is not 1 to 247 characters long");
  EXPECT_EQ(PipeNameProblem(""), "\"\" is not 1 to 247 characters long");
  EXPECT_EQ(PipeNameProblem("a\\b"), "\"a\\b\" contains a backslash");
  EXPECT_EQ(PipeNameProblem(std::string(216, 'p'), kMaxServedPipeNameChars), std::nullopt);
  EXPECT_NE(PipeNameProblem(std::string(217, 'p'), kMaxServedPipeNameChars), std::nullopt);

  EXPECT_EQ(PipePrefixProblem("sup-test.1_a"), std::nullopt);
  EXPECT_EQ(PipePrefixProblem(std::string(208, 'p')), std::nullopt);  // 208 + "-control" = 216
  EXPECT_EQ(PipePrefixProblem(std::string(209, 'p')),
            "\"" + std::string(209, 'p') + "\" is not 1 to 208 characters long");
  EXPECT_EQ(PipePrefixProblem(""), "\"\" is not 1 to 208 characters long");
  EXPECT_EQ(PipePrefixProblem("a b"), "\"a b\" may only contain letters, digits, '.', '_' and '-'");
  EXPECT_EQ(PipePrefixProblem("a\\b"),
            "\"a\\b\" may only contain letters, digits, '.', '_' and '-'");
}

}  // namespace
}  // namespace sup
