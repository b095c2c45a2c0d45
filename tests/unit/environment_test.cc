#include "common/environment.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

using Entries = std::vector<std::string>;

TEST(EnvironmentTest, OverridesReplaceBaseEntriesIgnoringCase) {
  EXPECT_EQ(
      MergeEnvironment({"Path=C:\\Windows", "TEMP=C:\\t"}, {"PATH=C:\\app;C:\\Windows", "NEW=1"}),
      (Entries{"NEW=1", "PATH=C:\\app;C:\\Windows", "TEMP=C:\\t"}));
}

TEST(EnvironmentTest, SortsIgnoringCaseAndKeepsDriveEntries) {
  EXPECT_EQ(MergeEnvironment({"b=2", "=C:=C:\\work", "A=1"}, {}),
            (Entries{"=C:=C:\\work", "A=1", "b=2"}));
}

TEST(EnvironmentTest, ValuesMayContainEqualsAndBeEmpty) {
  EXPECT_EQ(MergeEnvironment({}, {"OPTS=a=b", "EMPTY="}), (Entries{"EMPTY=", "OPTS=a=b"}));
  EXPECT_EQ(MergeEnvironment({"junk"}, {}), Entries{});
}

}  // namespace
}  // namespace sup
