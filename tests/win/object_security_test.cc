// Names nobody can take first, and what supd creates under them. Wine keeps security descriptors
// but enforces none: that a standard user cannot open these objects only real Windows shows; the
// descriptors read back here are what it would enforce.
#include "common/win/object_security.h"

#include <gtest/gtest.h>

#include "common/win/text.h"
#include "dacl.h"

namespace sup::win {
namespace {

// The tests' DACL reader tells a deny entry from an allow: turning a pipe's allow into a deny
// once passed EachPipeCarriesItsIntendedDacl.
TEST(DaclHelperTest, ADenyEntryNeverReadsAsAnAllow) {
  EXPECT_EQ(testing::SddlDacl("D:(A;;FA;;;WD)"),
            (testing::AccessEntries{{"S-1-1-0", FILE_ALL_ACCESS}}));
  EXPECT_EQ(testing::SddlDacl("D:(D;;FA;;;WD)"),
            (testing::AccessEntries{{"deny S-1-1-0", FILE_ALL_ACCESS}}));
  EXPECT_NE(testing::SddlDacl("D:(A;;FA;;;WD)"), testing::SddlDacl("D:(D;;FA;;;WD)"));
}

TEST(ObjectSecurityTest, TokensAreThirtyTwoHexDigitsAndNeverRepeat) {
  Result<std::string> first = UnguessableToken();
  Result<std::string> second = UnguessableToken();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->size(), 32u);
  EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos) << *first;
  EXPECT_NE(*first, *second);
}

// A name someone created first (here signalled, as a squatter who wants a worker to stop as soon
// as it starts would) is refused, not reused.
TEST(ObjectSecurityTest, AnEventSomeoneCreatedFirstIsRefused) {
  const std::string name = "Local\\sup-test-squatted-" + std::to_string(::GetCurrentProcessId());
  const UniqueHandle squatter{::CreateEventW(nullptr, TRUE, TRUE, Widen(name).c_str())};
  ASSERT_TRUE(squatter);
  Result<UniqueHandle> ours = CreateExclusiveEvent(name);
  ASSERT_FALSE(ours.ok());
  EXPECT_NE(ours.error().message().find("already exists"), std::string::npos)
      << ours.error().message();
}

TEST(ObjectSecurityTest, AnUnguessableEventIsNewUnsignalledAndForAdministratorsAndSelfOnly) {
  Result<NamedHandle> event = CreateUnguessableEvent("Local\\sup-test-stop-");
  ASSERT_TRUE(event.ok()) << event.error().message();
  EXPECT_EQ(event->name.rfind("Local\\sup-test-stop-", 0), 0u);
  EXPECT_EQ(event->name.size(), std::string("Local\\sup-test-stop-").size() + 32);
  EXPECT_EQ(::WaitForSingleObject(event->handle.get(), 0), static_cast<DWORD>(WAIT_TIMEOUT));
  const testing::AccessEntries dacl = testing::HandleDacl(event->handle.get());
  EXPECT_EQ(dacl, testing::SddlDacl(AdministratorsAndSelfSddl()));
  for (const auto& [sid, mask] : dacl) {
    EXPECT_NE(sid, "S-1-1-0") << "Everyone";
    EXPECT_NE(sid, "S-1-5-11") << "Authenticated Users";
    EXPECT_NE(sid, "S-1-5-32-545") << "Users";
  }
}

}  // namespace
}  // namespace sup::win
