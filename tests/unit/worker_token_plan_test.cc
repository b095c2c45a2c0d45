// The rules of a worker's token and process descriptors (common/worker_token_plan.h), and the
// schema values that choose them. What Windows makes of them is in tests/win/worker_token_test.cc.
#include "common/worker_token_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/validate.h"
#include "common/worker_account.h"
#include "common/worker_sid.h"

namespace sup {
namespace {

using config::RawConfig;
using config::RawValue;
using config::RawWorker;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(WorkerTokenPlanTest, OnlyTheHarmlessPrivilegesAndTheNamedOnesAreKept) {
  WorkerIdentity identity;
  for (const std::string_view harmless : kHarmlessPrivileges)
    EXPECT_TRUE(ReducedTokenKeeps(identity, harmless)) << harmless;
  for (const char* dangerous :
       {"SeDebugPrivilege", "SeTcbPrivilege", "SeAssignPrimaryTokenPrivilege",
        "SeCreateTokenPrivilege", "SeLoadDriverPrivilege", "SeBackupPrivilege",
        "SeRestorePrivilege", "SeTakeOwnershipPrivilege", "SeImpersonatePrivilege",
        "SeSecurityPrivilege", "SeManageVolumePrivilege", "SeLockMemoryPrivilege"}) {
    EXPECT_FALSE(ReducedTokenKeeps(identity, dangerous)) << dangerous;
  }
  identity.keep_privileges = {"SeLockMemoryPrivilege"};
  EXPECT_TRUE(ReducedTokenKeeps(identity, "selockmemoryprivilege"));
  EXPECT_FALSE(ReducedTokenKeeps(identity, "SeDebugPrivilege"));
}

TEST(WorkerTokenPlanTest, AdministratorsAndServiceSidsBecomeDenyOnly) {
  EXPECT_TRUE(DenyOnlyInReducedToken("S-1-5-32-544"));
  EXPECT_TRUE(DenyOnlyInReducedToken(ServiceNameSid("supd")));
  EXPECT_FALSE(DenyOnlyInReducedToken("S-1-5-18"));
  EXPECT_FALSE(DenyOnlyInReducedToken("S-1-5-32-545"));
  EXPECT_FALSE(DenyOnlyInReducedToken("S-1-1-0"));
}

TEST(WorkerTokenPlanTest, WriteAccessChoosesTheRestrictingSids) {
  WorkerIdentity identity;
  EXPECT_THAT(RestrictingSids("api", identity),
              ElementsAre(WorkerSid("api"), "S-1-5-33", "S-1-5-32-545"));
  identity.write_access = WriteAccess::kOwn;
  EXPECT_THAT(RestrictingSids("api", identity), ElementsAre(WorkerSid("api"), "S-1-5-33"));
}

TEST(WorkerTokenPlanTest, AnotherAccountIsWriteRestrictedOnlyToItsOwn) {
  WorkerIdentity identity;
  identity.account = *ParseWorkerAccount("LocalService");
  EXPECT_TRUE(RestrictingSids("api", identity).empty());  // writes where the account may
  identity.write_access = WriteAccess::kOwn;
  EXPECT_THAT(RestrictingSids("api", identity), ElementsAre(WorkerSid("api"), "S-1-5-33"));
}

TEST(WorkerTokenPlanTest, AnAccountsLogonCarriesTheWorkerSidLocalAndALogonSid) {
  EXPECT_THAT(AccountTokenGroups("api", "S-1-5-5-0-4242"),
              ElementsAre(TokenGroupSpec{WorkerSid("api"), 0x7}, TokenGroupSpec{"S-1-2-0", 0x7},
                          TokenGroupSpec{"S-1-5-5-0-4242", 0xC0000007}));
}

TEST(WorkerTokenPlanTest, WhatAWorkerCreatesIsItsOwn) {
  EXPECT_EQ(WorkerDefaultDaclSddl("api", "S-1-5-18"),
            "D:(A;;GA;;;S-1-5-18)(A;;GA;;;" + WorkerSid("api") + ")");
  // supd under another account (Wine's user, a virtual account): the worker runs as that account.
  EXPECT_EQ(WorkerDefaultDaclSddl("api", "S-1-5-21-1-2-3-1000"),
            "D:(A;;GA;;;S-1-5-18)(A;;GA;;;S-1-5-21-1-2-3-1000)(A;;GA;;;" + WorkerSid("api") + ")");
}

TEST(WorkerTokenPlanTest, SupdGrantsNoWorkerMoreThanQueryAndWait) {
  // 0x101000: SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION; 0x101001 adds PROCESS_TERMINATE.
  EXPECT_EQ(SupdProcessSddl(),
            "D:P(A;;0x101000;;;S-1-5-18)(A;;0x101001;;;S-1-5-32-544)(A;;0x101000;;;OW)");
}

TEST(WorkerTokenPlanTest, AWorkersProcessIsSupdsAndItsOwn) {
  const std::string supd = ServiceNameSid("supd");
  EXPECT_EQ(WorkerProcessSddl(supd, "api"),
            "D:P(A;;0x1fffff;;;" + supd + ")(A;;0x1fffff;;;" + WorkerSid("api") +
                ")(A;;0x101000;;;S-1-5-18)(A;;0x101001;;;S-1-5-32-544)");
  // 0x100800: SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION.
  EXPECT_EQ(WorkerThreadSddl(supd, "api"),
            "D:P(A;;0x1fffff;;;" + supd + ")(A;;0x1fffff;;;" + WorkerSid("api") +
                ")(A;;0x100800;;;S-1-5-18)(A;;0x100800;;;S-1-5-32-544)");
}

TEST(WorkerTokenPlanTest, TheWorkersDesktopLetsReducedTokensWrite) {
  EXPECT_EQ(WorkerDesktopSddl("S-1-5-80-1-2-3-4-5"),
            "D:P(A;;GA;;;S-1-5-18)(A;;GA;;;S-1-5-80-1-2-3-4-5)(A;;GA;;;S-1-5-33)");
}

RawWorker Worker() {
  RawWorker worker;
  worker.values["Command"] = RawValue::String("api.exe");
  return worker;
}

TEST(WorkerIdentitySchemaTest, AWorkerIsRestrictedUnlessToldOtherwise) {
  RawConfig raw;
  raw.workers["api"] = Worker();
  raw.workers["full"] = Worker();
  raw.workers["full"].values["Restricted"] = RawValue::Dword(0);
  raw.workers["own"] = Worker();
  raw.workers["own"].values["WriteAccess"] = RawValue::String("OWN");
  raw.workers["own"].values["KeepPrivileges"] =
      RawValue::MultiString({"selockmemoryprivilege", "SeImpersonatePrivilege"});
  raw.workers["own"].values["ActiveProcessLimit"] = RawValue::Dword(1);
  const ValidatedConfig config = config::ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.empty());
  const WorkerConfig& api = config.workers.at("api");
  EXPECT_TRUE(api.launch.identity.restricted);
  EXPECT_EQ(api.launch.identity.write_access, WriteAccess::kUsers);
  EXPECT_TRUE(api.launch.identity.keep_privileges.empty());
  EXPECT_EQ(api.launch.active_process_limit, 0u);
  EXPECT_FALSE(config.workers.at("full").launch.identity.restricted);
  const WorkerConfig& own = config.workers.at("own");
  EXPECT_EQ(own.launch.identity.write_access, WriteAccess::kOwn);
  // Kept as Windows spells them, whatever the case written.
  EXPECT_THAT(own.launch.identity.keep_privileges,
              ElementsAre("SeLockMemoryPrivilege", "SeImpersonatePrivilege"));
  EXPECT_EQ(own.launch.active_process_limit, 1u);
  // An identity change is a launch change: it restarts the worker.
  EXPECT_NE(own.launch, api.launch);
}

TEST(WorkerIdentitySchemaTest, AccountTakesTheBuiltInAccountsInTheirUsualForms) {
  RawConfig raw;
  raw.workers["system"] = Worker();
  raw.workers["local"] = Worker();
  raw.workers["local"].values["Account"] = RawValue::String("NT AUTHORITY\\Local Service");
  raw.workers["network"] = Worker();
  raw.workers["network"].values["Account"] = RawValue::String("networkservice");
  const ValidatedConfig config = config::ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.empty());
  EXPECT_EQ(config.workers.at("system").launch.identity.account.kind, AccountKind::kLocalSystem);
  EXPECT_EQ(config.workers.at("local").launch.identity.account.kind, AccountKind::kLocalService);
  EXPECT_EQ(config.workers.at("network").launch.identity.account.ToString(),
            "NT AUTHORITY\\NetworkService");
  // describe shows the value in force as supd reads it.
  const auto& settings = config.workers.at("local").settings;
  EXPECT_NE(std::find(settings.begin(), settings.end(),
                      std::pair<std::string, std::string>{"Account", "NT AUTHORITY\\LocalService"}),
            settings.end());
}

TEST(WorkerIdentitySchemaTest, AccountTakesUsersAndManagedAccountsWithTheirLogonType) {
  RawConfig raw;
  raw.workers["local-user"] = Worker();
  raw.workers["local-user"].values["Account"] = RawValue::String(".\\svc-web");
  raw.workers["domain-s4u"] = Worker();
  raw.workers["domain-s4u"].values["Account"] = RawValue::String("CORP\\svc-batch");
  raw.workers["domain-s4u"].values["LogonType"] = RawValue::String("S4U");
  raw.workers["managed"] = Worker();
  raw.workers["managed"].values["Account"] = RawValue::String("CORP\\gmsa-web$");
  const ValidatedConfig config = config::ValidateConfig(raw);
  ASSERT_TRUE(config.invalid_workers.empty());
  const WorkerIdentity& local = config.workers.at("local-user").launch.identity;
  EXPECT_EQ(local.account.kind, AccountKind::kUser);
  EXPECT_EQ(local.account.ToString(), ".\\svc-web");
  EXPECT_EQ(local.logon_type, LogonType::kService);
  const WorkerIdentity& s4u = config.workers.at("domain-s4u").launch.identity;
  EXPECT_EQ(s4u.account.ToString(), "CORP\\svc-batch");
  EXPECT_EQ(s4u.logon_type, LogonType::kS4u);
  EXPECT_EQ(config.workers.at("managed").launch.identity.account.kind, AccountKind::kGroupManaged);
}

TEST(WorkerIdentitySchemaTest, EachBadValueIsNamed) {
  const auto error_of = [](const char* name, RawValue value) {
    RawConfig raw;
    raw.workers["api"] = Worker();
    raw.workers["api"].values[name] = std::move(value);
    const ValidatedConfig config = config::ValidateConfig(raw);
    return config.invalid_workers.count("api") ? config.invalid_workers.at("api")[0].ToString()
                                               : std::string("no error");
  };
  EXPECT_THAT(error_of("KeepPrivileges", RawValue::MultiString({"SeDebugPrivilege", "SeGod"})),
              HasSubstr("Workers\\api\\KeepPrivileges: expected a REG_MULTI_SZ of "
                        "SeAssignPrimaryTokenPrivilege, SeAuditPrivilege"));
  EXPECT_THAT(error_of("KeepPrivileges", RawValue::MultiString({"SeDebugPrivilege", "SeGod"})),
              HasSubstr("each at most once (\"SeGod\" is not one), found REG_MULTI_SZ"));
  EXPECT_THAT(
      error_of("KeepPrivileges", RawValue::MultiString({"SeDebugPrivilege", "sedebugprivilege"})),
      HasSubstr("(\"sedebugprivilege\" is there twice)"));
  const std::string accounts =
      "Workers\\api\\Account: expected a REG_SZ: LocalSystem, LocalService, NetworkService, "
      ".\\name, DOMAIN\\name, name@domain or DOMAIN\\name$";
  EXPECT_EQ(error_of("Account", RawValue::Dword(1)), accounts + ", found REG_DWORD 1");
  EXPECT_THAT(error_of("Account", RawValue::String("svc-web")),
              HasSubstr("Workers\\api\\Account: expected a REG_SZ account: \"svc-web\" names no "
                        "domain: an Account is LocalSystem"));
  EXPECT_EQ(error_of("LogonType", RawValue::String("batch")),
            "Workers\\api\\LogonType: expected a REG_SZ, one of service, s4u, found REG_SZ "
            "\"batch\"");
  // s4u logs on a user account: with any other Account it is a mistake, named.
  EXPECT_EQ(error_of("LogonType", RawValue::String("s4u")),
            "Workers\\api\\LogonType: expected service for Account LocalSystem (s4u logs on a "
            "user account: .\\name, DOMAIN\\name, name@domain), found s4u");
  EXPECT_EQ(error_of("WriteAccess", RawValue::String("everyone")),
            "Workers\\api\\WriteAccess: expected a REG_SZ, one of users, own, found REG_SZ "
            "\"everyone\"");
  EXPECT_EQ(error_of("Restricted", RawValue::Dword(2)),
            "Workers\\api\\Restricted: expected a REG_DWORD 0 or 1, found REG_DWORD 2");
  EXPECT_EQ(error_of("ActiveProcessLimit", RawValue::Dword(100001)),
            "Workers\\api\\ActiveProcessLimit: expected a REG_DWORD or REG_QWORD from 0 to "
            "100000, found REG_DWORD 100001");
}

}  // namespace
}  // namespace sup
