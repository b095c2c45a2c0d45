// Who may stop, start and send controls to supd's service: the DACL `supctl service install` and
// `service prepare` (the MSI) give it, parsed and mapped right by right, and the call that hands
// it to the SCM. Only real Windows shows the SCM refusing a standard user's `sc control supd 128`:
// Wine's SCM accepts SetServiceObjectSecurity, keeps nothing and checks no caller (its
// QueryServiceObjectSecurity answers an empty DACL), so the last test shows the call is made and
// accepted against Wine's real SCM, and the others what Windows is given.
#include <windows.h>

#include <sddl.h>

#include <gtest/gtest.h>

#include <map>

#include "client/win/scm_service.h"
#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "throwaway_service.h"

namespace sup::client::win {
namespace {

constexpr char kOperators[] = "S-1-5-21-1-2-3-1001";

// Each SID's allowed rights in `sddl`, denied ones failing the test (there are none).
std::map<std::string, ACCESS_MASK> AllowedRights(const std::string& sddl) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  EXPECT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      sup::win::Widen(sddl).c_str(), SDDL_REVISION_1, &raw, nullptr))
      << sddl;
  const sup::win::UniqueLocalMemory descriptor{raw};
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  EXPECT_TRUE(::GetSecurityDescriptorDacl(raw, &present, &dacl, &defaulted));
  std::map<std::string, ACCESS_MASK> rights;
  if (!present || !dacl) {
    ADD_FAILURE() << "no DACL in " << sddl;
    return rights;
  }
  for (DWORD index = 0; index < dacl->AceCount; ++index) {
    void* ace = nullptr;
    EXPECT_TRUE(::GetAce(dacl, index, &ace));
    const auto* header = static_cast<ACE_HEADER*>(ace);
    EXPECT_EQ(header->AceType, ACCESS_ALLOWED_ACE_TYPE) << "entry " << index << " of " << sddl;
    const auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    rights[sup::win::SidString(const_cast<DWORD*>(&allowed->SidStart))] |= allowed->Mask;
  }
  return rights;
}

constexpr ACCESS_MASK kTakesSupdDown = SERVICE_STOP | SERVICE_PAUSE_CONTINUE;
constexpr ACCESS_MASK kChangesSupd = SERVICE_CHANGE_CONFIG | DELETE | WRITE_DAC | WRITE_OWNER;

TEST(ServiceSecurityTest, OnlySystemAndAdministratorsMaySendControlsOrStopSupd) {
  const std::map<std::string, ACCESS_MASK> rights = AllowedRights(ServiceObjectSddl(""));
  ASSERT_EQ(rights.size(), 5u) << ServiceObjectSddl("");
  for (const auto& [sid, mask] : rights) {
    const bool administrator = sid == "S-1-5-18" || sid == "S-1-5-32-544";
    EXPECT_EQ((mask & SERVICE_USER_DEFINED_CONTROL) != 0, administrator) << sid;
    EXPECT_EQ((mask & kTakesSupdDown) != 0, administrator) << sid;
    EXPECT_EQ((mask & SERVICE_START) != 0, administrator) << sid;
    // Everyone may still ask the SCM for supd's pid: supctl trusts a pipe served by it.
    EXPECT_TRUE(mask & SERVICE_QUERY_STATUS) << sid;
    EXPECT_TRUE(mask & SERVICE_INTERROGATE) << sid;
  }
  EXPECT_EQ(rights.at("S-1-5-32-544") & kChangesSupd, kChangesSupd);
  EXPECT_EQ(rights.at("S-1-5-18") & kChangesSupd, 0u);          // as the SCM's default has it
  for (const char* logon : {"S-1-5-4", "S-1-5-6", "S-1-5-11"})  // IU, SU, AU
    EXPECT_EQ(rights.at(logon) & kChangesSupd, 0u) << logon;
}

TEST(ServiceSecurityTest, OperatorsMayStartAndStopSupdButNotSendItControls) {
  const std::map<std::string, ACCESS_MASK> rights = AllowedRights(ServiceObjectSddl(kOperators));
  ASSERT_EQ(rights.size(), 6u);
  const ACCESS_MASK operators = rights.at(kOperators);
  EXPECT_TRUE(operators & SERVICE_STOP);
  EXPECT_TRUE(operators & SERVICE_START);
  EXPECT_TRUE(operators & SERVICE_QUERY_STATUS);
  // Control 128 applies a staged configuration: `supctl update`, which operators may not run.
  EXPECT_FALSE(operators & SERVICE_USER_DEFINED_CONTROL);
  EXPECT_EQ(operators & kChangesSupd, 0u);
}

struct RecordedCall {
  int calls = 0;
  SECURITY_INFORMATION what = 0;
  std::string sddl;
};
RecordedCall recorded;

BOOL WINAPI RecordSetServiceObjectSecurity(SC_HANDLE, SECURITY_INFORMATION what,
                                           PSECURITY_DESCRIPTOR descriptor) {
  ++recorded.calls;
  recorded.what = what;
  LPWSTR text = nullptr;
  if (::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
    const sup::win::UniqueLocalMemory owned{text};
    recorded.sddl = sup::win::Narrow(text);
  }
  return TRUE;
}

TEST(ServiceSecurityTest, TheDaclIsHandedToTheScmAsBuilt) {
  recorded = {};
  const std::string sddl = ServiceObjectSddl(kOperators);
  ASSERT_TRUE(SetServiceDacl(nullptr, "supd", sddl, &RecordSetServiceObjectSecurity).ok());
  EXPECT_EQ(recorded.calls, 1);
  EXPECT_EQ(recorded.what, static_cast<SECURITY_INFORMATION>(DACL_SECURITY_INFORMATION));
  EXPECT_EQ(AllowedRights(recorded.sddl), AllowedRights(sddl)) << recorded.sddl;
}

TEST(ServiceSecurityTest, AFailedCallIsAnErrorNamingTheService) {
  const auto refuse = [](SC_HANDLE, SECURITY_INFORMATION, PSECURITY_DESCRIPTOR) -> BOOL {
    ::SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
  };
  Result<void> set = SetServiceDacl(nullptr, "supd", ServiceObjectSddl(""), refuse);
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message().find("setting who may control the service supd"),
            std::string::npos)
      << set.error().message();
}

// Against the SCM this runs on: the call is made on a real service and accepted.
TEST(ServiceSecurityTest, TheScmAcceptsTheDacl) {
  Result<testing::ThrowawayService> service =
      testing::ThrowawayService::Create("sup-security-test");
  ASSERT_TRUE(service.ok()) << service.error().message();
  Result<void> set = SetServiceDacl(service->handle(), service->name(), ServiceObjectSddl(""));
  EXPECT_TRUE(set.ok()) << set.error().message();
}

}  // namespace
}  // namespace sup::client::win
