// Worker identity under Wine: the reduced token supd builds, the token and descriptors its workers
// get, and what a worker may then do to supd. Wine 8.0 shows the token's privileges, deny-only
// groups and default DACL, the descriptors of processes, and enforces process DACLs (OpenProcess
// is checked against them, SeDebugPrivilege is not honoured); it cannot read back or enforce the
// restricting SIDs (TokenRestrictedSids fails), so for those the request is what is checked, and
// only Windows shows the write restriction itself.
#include "daemon/engine/win/worker_token.h"
#include "daemon/engine/win/worker_desktop.h"
#include "daemon/engine/win/worker_temp.h"
#include "daemon/engine/win/worker_logon.h"
#include "common/worker_account.h"
#include "common/win/own_folder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sddl.h>

#include <algorithm>
#include <map>

#include "common/win/object_security.h"
#include "common/win/token_info.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/worker_sid.h"
#include "common/worker_token_plan.h"
#include "job_launcher_fixture.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAreArray;
using ::testing::Not;

// SDDL as Windows writes it back ("SY" for S-1-5-18, "0x1fffff" as "0x1fffff"), so a descriptor
// read back compares with the one built.
std::string Canonical(const std::string& sddl) {
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return "invalid SDDL " + sddl;
  wchar_t* text = nullptr;
  ::ConvertSecurityDescriptorToStringSecurityDescriptorW(security->descriptor(), SDDL_REVISION_1,
                                                         DACL_SECURITY_INFORMATION, &text, nullptr);
  const UniqueLocalMemory owned{text};
  return text ? Narrow(text) : "";
}

std::string DaclOf(HANDLE object) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  PACL dacl = nullptr;
  if (::GetSecurityInfo(object, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                        &dacl, nullptr, &descriptor) != ERROR_SUCCESS) {
    return "unreadable";
  }
  const UniqueLocalMemory owned{descriptor};
  wchar_t* text = nullptr;
  ::ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor, SDDL_REVISION_1,
                                                         DACL_SECURITY_INFORMATION, &text, nullptr);
  const UniqueLocalMemory owned_text{text};
  return text ? Narrow(text) : "";
}

std::vector<std::string> DenyOnlyGroups(HANDLE token) {
  Result<std::vector<TokenGroup>> groups = TokenGroupsOf(token);
  std::vector<std::string> sids;
  if (!groups) return {"unreadable: " + groups.error().message()};
  for (const TokenGroup& group : *groups) {
    if (group.deny_only()) sids.push_back(group.sid);
  }
  return sids;
}

bool HasEnabledAdministrators(HANDLE token) {
  Result<std::vector<TokenGroup>> groups = TokenGroupsOf(token);
  return groups && std::any_of(groups->begin(), groups->end(), [](const TokenGroup& group) {
           return group.sid == kAdministratorsSid && !group.deny_only() &&
                  (group.attributes & SE_GROUP_ENABLED);
         });
}

std::vector<std::string> Harmless(std::vector<std::string> more = {}) {
  std::vector<std::string> names(std::begin(kHarmlessPrivileges), std::end(kHarmlessPrivileges));
  names.insert(names.end(), more.begin(), more.end());
  return names;
}

TEST(WorkerTokenTest, TheRequestDeletesTheDangerousPrivilegesAndRestrictsWrites) {
  Result<UniqueHandle> own = OpenOwnToken();
  ASSERT_TRUE(own) << own.error().message();
  ASSERT_TRUE(HasEnabledAdministrators(own->get())) << "Wine runs tests as an administrator";
  WorkerIdentity identity;
  identity.keep_privileges = {"SeImpersonatePrivilege", "SeLockMemoryPrivilege"};
  Result<ReducedTokenRequest> request = ReducedTokenRequestFor(own->get(), "api", identity);
  ASSERT_TRUE(request) << request.error().message();
  EXPECT_EQ(request->flags, static_cast<DWORD>(WRITE_RESTRICTED));
  EXPECT_THAT(request->deny_only, Contains(std::string(kAdministratorsSid)));
  EXPECT_THAT(request->deleted_privileges, Contains("SeDebugPrivilege"));
  EXPECT_THAT(request->deleted_privileges, Contains("SeTcbPrivilege"));
  EXPECT_THAT(request->deleted_privileges, Contains("SeLoadDriverPrivilege"));
  EXPECT_THAT(request->deleted_privileges, Not(Contains("SeChangeNotifyPrivilege")));
  EXPECT_THAT(request->deleted_privileges, Not(Contains("SeImpersonatePrivilege")));
  // Wine's token, as most service tokens, does not hold SeLockMemoryPrivilege: a warning says so.
  EXPECT_THAT(request->kept_but_not_held, ElementsAreArray({"SeLockMemoryPrivilege"}));
  EXPECT_THAT(request->restricting_sids, ElementsAreArray(RestrictingSids("api", identity)));
  EXPECT_EQ(request->default_dacl, WorkerDefaultDaclSddl("api", OwnUserSid()));
}

TEST(WorkerTokenTest, TheTokenMadeReadsBackAsAsked) {
  Result<UniqueHandle> own = OpenOwnToken();
  ASSERT_TRUE(own) << own.error().message();
  Result<ReducedTokenRequest> request = ReducedTokenRequestFor(own->get(), "api", {});
  ASSERT_TRUE(request) << request.error().message();
  Result<UniqueHandle> token = MakeReducedToken(own->get(), *request);
  ASSERT_TRUE(token) << token.error().message();
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(token->get());
  ASSERT_TRUE(privileges) << privileges.error().message();
  const std::vector<std::string> kept = *privileges;
  const std::vector<std::string> harmless = Harmless();
  for (const std::string& privilege : kept)
    EXPECT_THAT(harmless, Contains(privilege)) << privilege << " was not deleted";
  EXPECT_THAT(DenyOnlyGroups(token->get()), Contains(std::string(kAdministratorsSid)));
  EXPECT_FALSE(HasEnabledAdministrators(token->get()));
  Result<std::string> dacl = TokenDefaultDaclSddl(token->get());
  ASSERT_TRUE(dacl) << dacl.error().message();
  EXPECT_EQ(*dacl, Canonical(WorkerDefaultDaclSddl("api", OwnUserSid())));
}

class WorkerIdentityTest : public JobLauncherTest {
 protected:
  // The token of the worker's running process, opened through its pid.
  static UniqueHandle TokenOfProcess(DWORD pid) {
    const UniqueHandle process{::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid)};
    HANDLE token = nullptr;
    if (!process || !::OpenProcessToken(process.get(), TOKEN_QUERY, &token)) return UniqueHandle{};
    return UniqueHandle{token};
  }
  // A testworker whose stdout is captured (to a file of its own).
  static LaunchConfig Captured(const std::string& worker, std::vector<std::string> arguments) {
    LaunchConfig launch = Worker(std::move(arguments));
    launch.stdout_log = sup::testing::TempPath(worker + ".identity.out.log");
    return launch;
  }
  // The first line `worker` printed, waiting for it.
  std::string FirstLine(const std::string& worker) {
    std::string line;
    sup::testing::WaitUntil(
        [&] {
          return OnIo([&] {
            const OutputCapture* out = launcher_->output().CaptureOf(worker, false);
            const std::vector<std::string> tail =
                out ? out->writer().Tail(1000) : std::vector<std::string>{};
            if (!tail.empty()) line = tail.front();
            return !tail.empty();
          });
        },
        10s);
    return line;
  }
};

TEST_F(WorkerIdentityTest, AWorkerRunsWithTheReducedTokenAndItsOwnDescriptor) {
  const std::uint32_t pid = Launch("api", {});
  ASSERT_NE(pid, 0u);
  const UniqueHandle token = TokenOfProcess(pid);
  ASSERT_TRUE(token) << Win32ErrorText(::GetLastError());
  // The worker's own token: the groups and the privileges as made (Wine 8.0 shows both).
  EXPECT_THAT(DenyOnlyGroups(token.get()), Contains(std::string(kAdministratorsSid)));
  EXPECT_FALSE(HasEnabledAdministrators(token.get()));
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(token.get());
  ASSERT_TRUE(privileges) << privileges.error().message();
  const std::vector<std::string> kept = *privileges;
  const std::vector<std::string> harmless = Harmless();
  for (const std::string& privilege : kept)
    EXPECT_THAT(harmless, Contains(privilege)) << privilege << " reached the worker";

  const UniqueHandle process{::OpenProcess(READ_CONTROL, FALSE, pid)};
  ASSERT_TRUE(process) << Win32ErrorText(::GetLastError());
  Result<std::string> controller = OnIo([&] { return launcher_->tokens().controller_sid(); });
  ASSERT_TRUE(controller) << controller.error().message();
  EXPECT_EQ(DaclOf(process.get()), Canonical(WorkerProcessSddl(*controller, "api")));
}

TEST_F(WorkerIdentityTest, ATokenIsMadeOncePerDefinitionNotPerLaunch) {
  LaunchConfig launch = Worker({});
  ASSERT_TRUE(Start("api", launch));
  ASSERT_TRUE(Start("api", launch));
  EXPECT_EQ(OnIo([&] { return launcher_->tokens().made(); }), 1u);
  launch.identity.write_access = WriteAccess::kOwn;
  ASSERT_TRUE(Start("api", launch));
  EXPECT_EQ(OnIo([&] { return launcher_->tokens().made(); }), 2u);

  // Restricted=0: supd's own token, made by nobody.
  launch.identity.restricted = false;
  Result<std::uint32_t> full = Start("api", launch);
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ(OnIo([&] { return launcher_->tokens().made(); }), 2u);
  const UniqueHandle token = TokenOfProcess(*full);
  ASSERT_TRUE(token) << Win32ErrorText(::GetLastError());
  EXPECT_TRUE(HasEnabledAdministrators(token.get()));
}

// This test process plays supd: it protects itself as supd does at start, then lets a worker try.
TEST_F(WorkerIdentityTest, AReducedWorkerCannotTerminateReadOrParentSupd) {
  ASSERT_TRUE(ProtectOwnProcess());
  // Wine keeps the entries but not the protected flag ("D:P") of a DACL set on a process.
  std::string protected_dacl = Canonical(SupdProcessSddl());
  ASSERT_EQ(protected_dacl.rfind("D:P", 0), 0u);
  EXPECT_EQ(DaclOf(::GetCurrentProcess()), "D:" + protected_dacl.substr(3));
  const std::string self = std::to_string(::GetCurrentProcessId());
  ASSERT_TRUE(Start("reduced", Captured("reduced", {"--try-open", self})));
  EXPECT_EQ(FirstLine("reduced"),
            "open " + self + " terminate=denied vm-read=denied create-process=denied");

  // The same worker with Restricted=0 is an administrator: it may terminate supd (as Task
  // Manager may), still neither read it nor parent a process on it.
  LaunchConfig full = Captured("full", {"--try-open", self});
  full.identity.restricted = false;
  ASSERT_TRUE(Start("full", full));
  EXPECT_EQ(FirstLine("full"),
            "open " + self + " terminate=granted vm-read=denied create-process=denied");
}

// The workers' window station and desktop. Their descriptor (WorkerDesktopSddl, unit-tested)
// only Windows keeps and enforces: a reduced worker that could not open its desktop for writing
// would die at start with 0xC0000142. Wine shows the worker on it, and the close step reaching its
// windows there (JobLauncherTest.CloseStepClosesAMessageLoopWorker).
TEST_F(WorkerIdentityTest, WorkersRunOnTheirOwnDesktop) {
  ASSERT_TRUE(Start("api", Captured("api", {"--print-desktop"})));
  const WorkerDesktop* desktop = OnIo([&] { return launcher_->desktop(); });
  ASSERT_NE(desktop, nullptr);
  EXPECT_EQ(Narrow(desktop->name()).rfind("sup-", 0), 0u);
  EXPECT_EQ(FirstLine("api"), "desktop " + Narrow(desktop->name()));
}

// Its own TEMP: made by supd in its data folder, for the worker's SID to write (a reduced worker
// could not write into the files it makes in C:\Windows\Temp); Wine keeps no DACL on files,
// so the one asked for is checked as text.
TEST_F(WorkerIdentityTest, EachWorkerHasATempFolderOfItsOwn) {
  ASSERT_TRUE(Start("api", Captured("api", {"--print-env", "TEMP"})));
  Result<std::string> data = SupDataFolder();
  ASSERT_TRUE(data) << data.error().message();
  const std::string temp = *data + "\\temp\\api";
  EXPECT_EQ(FirstLine("api"), "env TEMP=" + temp);
  EXPECT_NE(::GetFileAttributesW(Widen(temp).c_str()), INVALID_FILE_ATTRIBUTES);
  EXPECT_EQ(WorkerTempSddl("api", "S-1-5-18"),
            "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;" + WorkerSid("api") + ")");

  // The worker's own Environment decides over supd's choice.
  LaunchConfig own = Captured("own", {"--print-env", "TMP"});
  own.environment = {"TMP=D:\\scratch"};
  ASSERT_TRUE(Start("own", own));
  EXPECT_EQ(FirstLine("own"), "env TMP=D:\\scratch");
}

// A working directory the worker's token cannot open is named as such, before
// CreateProcessAsUserW could say only "The directory name is invalid". Wine enforces no file
// DACL, so a missing folder stands here for one the account may not open (only Windows shows a
// refusal by its DACL); the check runs impersonating the worker's own token.
TEST_F(WorkerIdentityTest, AWorkingDirectoryItsTokenCannotOpenIsNamed) {
  LaunchConfig missing = Worker({});
  missing.working_directory = "C:\\sup-no-such-folder";
  Result<std::uint32_t> pid = Start("api", missing);
  ASSERT_FALSE(pid);
  EXPECT_EQ(
      pid.error().message().rfind(
          "worker api (as LocalSystem): opening its WorkingDirectory C:\\sup-no-such-folder: ", 0),
      0u)
      << pid.error().message();

  wchar_t temp[MAX_PATH];
  ASSERT_NE(::GetTempPathW(MAX_PATH, temp), 0u);
  LaunchConfig there = Worker({});
  there.working_directory = Narrow(temp);
  Result<std::uint32_t> started = Start("there", there);
  EXPECT_TRUE(started) << started.error().message();
}

// An AccountLogon that records what it is asked and "logs on" with a copy of this process's own
// token: under Wine, which has no LogonUserExExW, the rest of an account worker's start (its
// reduced token, environment, profile, stop event, launch) runs on a real token.
class RecordingLogon final : public AccountLogon {
 public:
  explicit RecordingLogon(std::shared_ptr<std::vector<LogonRequest>> requests,
                          std::optional<Error> refusal = std::nullopt)
      : requests_(std::move(requests)), refusal_(std::move(refusal)) {}
  Result<UniqueHandle> LogOn(const LogonRequest& request) override {
    requests_->push_back(request);
    if (refusal_) return *refusal_;
    HANDLE own = nullptr, copy = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_ALL_ACCESS, &own))
      return Win32Error("OpenProcessToken");
    const UniqueHandle owned{own};
    if (!::DuplicateTokenEx(own, TOKEN_ALL_ACCESS, nullptr, SecurityImpersonation, TokenPrimary,
                            &copy)) {
      return Win32Error("DuplicateTokenEx");
    }
    return UniqueHandle{copy};
  }

 private:
  std::shared_ptr<std::vector<LogonRequest>> requests_;
  std::optional<Error> refusal_;
};

LaunchConfig AsLocalService(LaunchConfig launch) {
  launch.identity.account = *ParseWorkerAccount("LocalService");
  return launch;
}

TEST_F(WorkerIdentityTest, AnAccountIsLoggedOnWithTheWorkerSidAndReducedToo) {
  auto requests = std::make_shared<std::vector<LogonRequest>>();
  OnIo([&] { launcher_->tokens().SetLogon(std::make_unique<RecordingLogon>(requests)); });
  const LaunchConfig launch = AsLocalService(Captured("svc", {"--stop-event-code", "5"}));
  Result<std::uint32_t> pid = Start("svc", launch);
  ASSERT_TRUE(pid) << pid.error().message();
  ASSERT_EQ(requests->size(), 1u);
  const LogonRequest& request = requests->front();
  EXPECT_EQ(request.user, "LocalService");
  EXPECT_EQ(request.domain, "NT AUTHORITY");
  EXPECT_EQ(request.logon_type, static_cast<DWORD>(LOGON32_LOGON_SERVICE));
  ASSERT_EQ(request.groups.size(), 3u);
  const std::string logon_sid = request.groups[2].sid;
  EXPECT_EQ(logon_sid.rfind("S-1-5-5-", 0), 0u) << logon_sid;
  EXPECT_EQ(request.groups, AccountTokenGroups("svc", logon_sid));

  // The token made from the logon's: privileges deleted, Administrators deny-only, not
  // write-restricted (WriteAccess=users: where the account may), what it makes its own.
  const WorkerToken made = OnIo([&] { return launcher_->tokens().Current("svc"); });
  ASSERT_TRUE(made.token);
  ASSERT_TRUE(made.environment);
  Result<std::vector<std::string>> privileges = TokenPrivilegeNames(made.token->get());
  ASSERT_TRUE(privileges) << privileges.error().message();
  const std::vector<std::string> kept = *privileges;
  const std::vector<std::string> harmless = Harmless();
  for (const std::string& privilege : kept)
    EXPECT_THAT(harmless, Contains(privilege)) << privilege << " was not deleted";
  EXPECT_FALSE(HasEnabledAdministrators(made.token->get()));
  Result<std::string> dacl = TokenDefaultDaclSddl(made.token->get());
  ASSERT_TRUE(dacl) << dacl.error().message();
  EXPECT_EQ(*dacl, Canonical(WorkerDefaultDaclSddl("svc", "S-1-5-18")));
  // Its exec probes run with the same token, in the account's environment.
  const JobLauncher::RunAs probes = OnIo([&] { return launcher_->RunAsOf("svc"); });
  EXPECT_EQ(probes.token, made.token);
  EXPECT_EQ(probes.environment, made.environment);

  // Its stop event (which its worker SID may wait on) reaches it.
  OnIo([&] { launcher_->RequestStop("svc", StopStep::kEvent); });
  EXPECT_EQ(WaitForExit(*pid), 5);
  // Started again with the same definition: no second logon.
  ASSERT_TRUE(Start("svc", launch));
  EXPECT_EQ(requests->size(), 1u);
}

TEST_F(WorkerIdentityTest, ALogonThatFailsIsASpawnErrorNamingTheAccount) {
  auto requests = std::make_shared<std::vector<LogonRequest>>();
  OnIo([&] {
    launcher_->tokens().SetLogon(std::make_unique<RecordingLogon>(
        requests, Error(ErrorKind::kPermissionDenied,
                        "logging on NT AUTHORITY\\LocalService: Logon failure: the user has not "
                        "been granted the requested logon type at this computer.")));
  });
  Result<std::uint32_t> pid = Start("svc", AsLocalService(Worker({})));
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().message(),
            "worker svc runs as NT AUTHORITY\\LocalService: logging on NT "
            "AUTHORITY\\LocalService: Logon failure: the user has not been granted the requested "
            "logon type at this computer.");
}

// A user account: logged on with the password supd keeps, once per definition, and again after
// the password changes (the vault's change makes the launcher forget the token). LogonType=s4u
// asks for none, nor does a gMSA; a missing password is named with what to do.
TEST_F(WorkerIdentityTest, AUserAccountIsLoggedOnWithItsKeptPasswordAgainOnceItChanges) {
  auto requests = std::make_shared<std::vector<LogonRequest>>();
  auto passwords = std::make_shared<std::map<std::string, std::wstring>>();
  (*passwords)["web"] = L"first secret";
  OnIo([&] {
    launcher_->tokens().SetLogon(std::make_unique<RecordingLogon>(requests));
    launcher_->SetPasswords([passwords](const std::string& worker) -> Result<SecretText> {
      const auto found = passwords->find(worker);
      if (found == passwords->end())
        return Error(ErrorKind::kNotFound, "supd keeps no password of " + worker);
      return SecretText{found->second};
    });
  });
  WorkerIdentity user;
  user.account = *ParseWorkerAccount(".\\svc-web");
  const auto token_for = [&](const std::string& worker, const WorkerIdentity& identity) {
    return OnIo([&] { return launcher_->tokens().For(worker, identity); });
  };
  Result<WorkerToken> first = token_for("web", user);
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ(requests->back().user, "svc-web");
  EXPECT_EQ(requests->back().domain, ".");
  EXPECT_EQ(requests->back().logon_type, static_cast<DWORD>(LOGON32_LOGON_SERVICE));
  EXPECT_FALSE(requests->back().s4u);
  EXPECT_EQ(requests->back().password.text(), L"first secret");
  ASSERT_TRUE(token_for("web", user));
  EXPECT_EQ(requests->size(), 1u) << "one logon per definition, not per launch";

  (*passwords)["web"] = L"second secret";
  OnIo([&] { launcher_->ForgetToken("web"); });
  ASSERT_TRUE(token_for("web", user));
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ(requests->back().password.text(), L"second secret");

  WorkerIdentity s4u = user;
  s4u.account = *ParseWorkerAccount("CORP\\svc-batch");
  s4u.logon_type = LogonType::kS4u;
  ASSERT_TRUE(token_for("batch", s4u));
  EXPECT_TRUE(requests->back().s4u);
  EXPECT_TRUE(requests->back().password.empty());
  EXPECT_EQ(requests->back().domain, "CORP");

  WorkerIdentity managed;
  managed.account = *ParseWorkerAccount("CORP\\gmsa-web$");
  ASSERT_TRUE(token_for("managed", managed));
  EXPECT_FALSE(requests->back().s4u);
  EXPECT_TRUE(requests->back().password.empty());
  EXPECT_EQ(requests->back().user, "gmsa-web$");

  Result<WorkerToken> missing = token_for("nopass", user);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "worker nopass runs as .\\svc-web: supd keeps no password of nopass (supctl worker "
            "set-password nopass, or LogonType=s4u)");
  EXPECT_EQ(requests->size(), 4u) << "no logon is tried without its password";
}

// Wine has no LogonUserExExW: the real logon says so, and supd goes on.
TEST_F(WorkerIdentityTest, WithoutLogonUserExExWAnAccountWorkerDoesNotStart) {
  Result<std::uint32_t> pid = Start("svc", AsLocalService(Worker({})));
  ASSERT_FALSE(pid);
  EXPECT_NE(pid.error().message().find("worker svc runs as NT AUTHORITY\\LocalService: finding "
                                       "LogonUserExExW in advapi32.dll"),
            std::string::npos)
      << pid.error().message();
}

}  // namespace
}  // namespace sup::win
