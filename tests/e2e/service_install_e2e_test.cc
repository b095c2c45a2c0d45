// `supctl service ...` end to end: supd registered, changed, started, stopped and removed through
// supctl in the session's Wine prefix, and read back with the SCM API and the registry.
//
// What only real Windows can show: Wine accepts failure actions and dependencies but drops them,
// and refuses the failure-actions flag, delayed auto-start and the service SID (error 124), so
// supctl reports those as warnings here; win/service_config2_test checks the structures that
// Windows receives. Logon rights for a user account (LsaAddAccountRights) are Windows only too.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/config/win/key_security.h"
#include "common/protocol.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "dacl.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using testing::ProcessOutput;

using testing::Contains;

ProcessOutput Supctl(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), testing::ExecutableDirectory() + "\\supctl.exe");
  Result<ProcessOutput> output = testing::RunProcess(arguments, 120s);
  if (!output) {
    ADD_FAILURE() << output.error().message();
    return {};
  }
  return *output;
}

std::string Supd() { return testing::ExecutableDirectory() + "\\supd.exe"; }

// A service name, pipe prefix and configuration key for one test, removed afterwards whatever
// happened.
class ServiceUnderTest {
 public:
  explicit ServiceUnderTest(const std::string& test)
      : name_("sup-e2e-svc-" + test + "-" + std::to_string(::GetCurrentProcessId())),
        config_key_("SOFTWARE\\SupE2E\\" + name_) {}
  ~ServiceUnderTest() {
    Supctl({"service", "uninstall", "--name", name_, "--purge"});
    ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, Widen(config_key_).c_str());
  }
  const std::string& name() const { return name_; }
  std::string arguments(const std::string& extra = "") const {
    return "--pipe-prefix " + name_ + " --config-key HKLM\\" + config_key_ +
           (extra.empty() ? "" : " " + extra);
  }
  std::wstring config_key() const { return Widen(config_key_); }
  // Its event log source, named after its pipe prefix.
  std::wstring event_source_key() const {
    return L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\supd-" + Widen(name_);
  }

  std::optional<QUERY_SERVICE_CONFIGW*> Config(std::vector<BYTE>& buffer) const {
    UniqueServiceHandle scm{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT)};
    UniqueServiceHandle service{
        ::OpenServiceW(scm.get(), Widen(name_).c_str(), SERVICE_QUERY_CONFIG)};
    if (!service) return std::nullopt;
    DWORD needed = 0;
    ::QueryServiceConfigW(service.get(), nullptr, 0, &needed);
    buffer.assign(needed, 0);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (!::QueryServiceConfigW(service.get(), config, needed, &needed)) return std::nullopt;
    return config;
  }

  std::string ImagePath() const {
    std::vector<BYTE> buffer;
    std::optional<QUERY_SERVICE_CONFIGW*> config = Config(buffer);
    return config ? Narrow((*config)->lpBinaryPathName) : "";
  }

  DWORD Pid() const {
    UniqueServiceHandle scm{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT)};
    UniqueServiceHandle service{
        ::OpenServiceW(scm.get(), Widen(name_).c_str(), SERVICE_QUERY_STATUS)};
    std::optional<SERVICE_STATUS_PROCESS> status = testing::QueryServiceState(service.get());
    return status && status->dwCurrentState == SERVICE_RUNNING ? status->dwProcessId : 0;
  }

  bool Installed() const {
    std::vector<BYTE> buffer;
    return Config(buffer).has_value();
  }

 private:
  std::string name_;
  std::string config_key_;
};

std::string RegistryString(const std::wstring& key, const wchar_t* value) {
  wchar_t data[1024] = {};
  DWORD size = sizeof(data);
  if (::RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), value,
                     RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, nullptr, data,
                     &size) != ERROR_SUCCESS) {
    return "";
  }
  return Narrow(data);
}

TEST(ServiceInstallE2eTest, InstallsWithEveryOptionAndReadsItBack) {
  ServiceUnderTest service("install");
  const ProcessOutput install = Supctl({"service",
                                        "install",
                                        "--name",
                                        service.name(),
                                        "--binary",
                                        Supd(),
                                        "--args",
                                        service.arguments(),
                                        "--display-name",
                                        "sup under test",
                                        "--description",
                                        "installed by the e2e test",
                                        "--start",
                                        "demand",
                                        "--depend",
                                        "RpcSs",
                                        "--account",
                                        "NetworkService",
                                        "--failure-actions",
                                        "restart/1000,restart/2000,none",
                                        "--reset-period",
                                        "3600",
                                        "--preshutdown-timeout",
                                        "20000"});
  ASSERT_EQ(install.exit_code, 0u) << install.out << install.err;
  EXPECT_TRUE(Contains(install.out, service.name() + ": installed")) << install.out;
  // Wine refuses these levels with error 124: reported, not failed.
  EXPECT_TRUE(Contains(install.err, "warning: delayed auto-start: not supported by this system"))
      << install.err;

  std::vector<BYTE> buffer;
  std::optional<QUERY_SERVICE_CONFIGW*> config = service.Config(buffer);
  ASSERT_TRUE(config);
  EXPECT_EQ(Narrow((*config)->lpBinaryPathName), "\"" + Supd() + "\" " + service.arguments());
  EXPECT_EQ(Narrow((*config)->lpDisplayName), "sup under test");
  EXPECT_EQ((*config)->dwStartType, static_cast<DWORD>(SERVICE_DEMAND_START));
  EXPECT_EQ((*config)->dwServiceType, static_cast<DWORD>(SERVICE_WIN32_OWN_PROCESS));
  EXPECT_EQ(Narrow((*config)->lpServiceStartName), "NT AUTHORITY\\NetworkService");
  const std::wstring key = L"SYSTEM\\CurrentControlSet\\Services\\" + Widen(service.name());
  EXPECT_EQ(RegistryString(key, L"Description"), "installed by the e2e test");
  EXPECT_EQ(RegistryString(key, L"ImagePath"), "\"" + Supd() + "\" " + service.arguments());
  EXPECT_EQ(RegistryString(service.event_source_key(), L"EventMessageFile"), Supd());
  {
    UniqueServiceHandle scm{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT)};
    UniqueServiceHandle handle{
        ::OpenServiceW(scm.get(), Widen(service.name()).c_str(), SERVICE_QUERY_CONFIG)};
    BYTE data[4096];
    DWORD needed = 0;
    ASSERT_TRUE(::QueryServiceConfig2W(handle.get(), SERVICE_CONFIG_DESCRIPTION, data, sizeof(data),
                                       &needed));
    EXPECT_EQ(Narrow(reinterpret_cast<SERVICE_DESCRIPTIONW*>(data)->lpDescription),
              "installed by the e2e test");
  }

  // The configuration key: made, owned by Administrators, for SYSTEM, Administrators and the
  // service's account only (Wine keeps a key's descriptor; only Windows enforces it).
  EXPECT_TRUE(Contains(install.out, "configuration HKLM\\" + Narrow(service.config_key()) +
                                        ": only SYSTEM, Administrators and NT "
                                        "AUTHORITY\\NetworkService may change it"))
      << install.out;
  // supd's folder in ProgramData, made (or checked) before supd's first start, for the service's
  // account too (supd as NetworkService creates its lock there): a folder someone else made first
  // is named here (OwnFolderTest and PackageE2eTest show the refusals).
  EXPECT_TRUE(Contains(install.out,
                       "\\Sup: only SYSTEM, Administrators and NT "
                       "AUTHORITY\\NetworkService may change it"))
      << install.out;
  // The service object: controls and stop for administrators only (ServiceSecurityTest).
  EXPECT_TRUE(Contains(install.out, "service " + service.name() +
                                        ": only SYSTEM and Administrators may send it controls"))
      << install.out;
  {
    HKEY raw = nullptr;
    ASSERT_EQ(
        ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, service.config_key().c_str(), 0, READ_CONTROL, &raw),
        ERROR_SUCCESS);
    const UniqueRegistryKey config_key{raw};
    std::vector<BYTE> descriptor(4096);
    DWORD size = static_cast<DWORD>(descriptor.size());
    ASSERT_EQ(::RegGetKeySecurity(config_key.get(),
                                  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                  descriptor.data(), &size),
              ERROR_SUCCESS);
    EXPECT_EQ(sup::win::ForeignKeyWriters(descriptor.data(), {}),
              std::vector<std::string>{"S-1-5-20"});  // NetworkService: the service's own account
    EXPECT_EQ(testing::DaclEntries(descriptor.data()),
              (testing::AccessEntries{{"S-1-5-18", KEY_ALL_ACCESS},
                                      {"S-1-5-32-544", KEY_ALL_ACCESS},
                                      {"S-1-5-20", KEY_ALL_ACCESS}}));
  }

  // What supctl reads back is what it wrote, where Wine keeps it.
  const ProcessOutput status =
      Supctl({"-o", "json", "service", "status", "--name", service.name()});
  EXPECT_TRUE(Contains(status.out, "\"state\":\"STOPPED\"")) << status.out;
  EXPECT_TRUE(Contains(status.out, "\"start\":\"demand\"")) << status.out;
  EXPECT_TRUE(Contains(status.out, "\"account\":\"NT AUTHORITY\\\\NetworkService\"")) << status.out;
  EXPECT_EQ(status.exit_code, 3u);

  const ProcessOutput again =
      Supctl({"service", "install", "--name", service.name(), "--binary", Supd()});
  EXPECT_EQ(again.exit_code, 1u);
  EXPECT_TRUE(Contains(again.err, "already installed")) << again.err;
}

TEST(ServiceInstallE2eTest, RefusesBadOptionsBeforeTouchingTheScm) {
  ServiceUnderTest service("refuse");
  const ProcessOutput missing =
      Supctl({"service", "install", "--name", service.name(), "--binary", "C:\\nowhere\\supd.exe"});
  EXPECT_EQ(missing.exit_code, 2u);
  EXPECT_TRUE(Contains(missing.err, "C:\\nowhere\\supd.exe does not exist")) << missing.err;
  const ProcessOutput start =
      Supctl({"service", "install", "--name", service.name(), "--start", "sometimes"});
  EXPECT_EQ(start.exit_code, 2u);
  EXPECT_TRUE(Contains(start.err, "\"sometimes\"")) << start.err;
  const ProcessOutput actions =
      Supctl({"service", "install", "--name", service.name(), "--failure-actions", "reboot/5"});
  EXPECT_EQ(actions.exit_code, 2u);
  const ProcessOutput user =
      Supctl({"service", "install", "--name", service.name(), "--account", "CONTOSO\\sup"});
  EXPECT_EQ(user.exit_code, 2u);
  EXPECT_TRUE(Contains(user.err, "needs --password")) << user.err;
  // The account is looked up first: a typo refuses the install instead of leaving a dead service.
  const ProcessOutput typo = Supctl({"service", "install", "--name", service.name(), "--account",
                                     ".\\nosuch-user", "--password", "secret"});
  EXPECT_EQ(typo.exit_code, 2u);
  EXPECT_TRUE(Contains(typo.err, "the account .\\nosuch-user does not exist here")) << typo.err;
  EXPECT_FALSE(service.Installed());
  EXPECT_EQ(Supctl({"service", "status", "--name", service.name()}).exit_code, 4u);
}

// sup unpacked from the zip into a folder users may write (Downloads, a share): whoever may
// replace supd.exe there runs as SYSTEM once it is a service. Refused, naming who; --force
// registers it with a warning. (C:\sup-writable is Unix mode 0777: Wine shows Everyone writing.)
TEST(ServiceInstallE2eTest, ABinaryInAFolderUsersMayWriteIsRefusedUnlessForced) {
  ServiceUnderTest service("writable");
  const std::string binary = "C:\\sup-writable\\supd-" + service.name() + ".exe";
  ASSERT_TRUE(::CopyFileW(Widen(Supd()).c_str(), Widen(binary).c_str(), FALSE));
  const ProcessOutput refused =
      Supctl({"service", "install", "--name", service.name(), "--binary", binary});
  EXPECT_EQ(refused.exit_code, 2u);
  EXPECT_TRUE(Contains(refused.err, "refusing " + binary +
                                        ": C:\\sup-writable may be changed by "
                                        "Everyone (S-1-1-0)"))
      << refused.err;
  EXPECT_FALSE(service.Installed());
  const ProcessOutput forced =
      Supctl({"service", "install", "--name", service.name(), "--binary", binary, "--force"});
  EXPECT_EQ(forced.exit_code, 0u) << forced.out << forced.err;
  EXPECT_TRUE(Contains(forced.err, "warning: " + binary + " is registered anyway (--force)"))
      << forced.err;
  EXPECT_TRUE(service.Installed());
  Supctl({"service", "uninstall", "--name", service.name()});
  ::DeleteFileW(Widen(binary).c_str());
}

// A user account that exists: looked up, granted the right to log on as a service (Wine's LSA
// accepts the call; only Windows enforces the right), stored as the service's account.
TEST(ServiceInstallE2eTest, InstallsAsAUserAccountWithItsLogonRight) {
  ServiceUnderTest service("user");
  wchar_t user[256];
  DWORD size = 256;
  ASSERT_TRUE(::GetUserNameW(user, &size));
  const std::string account = ".\\" + Narrow(user);
  const ProcessOutput install =
      Supctl({"service", "install", "--name", service.name(), "--binary", Supd(), "--start",
              "demand", "--account", account, "--password", "secret"});
  ASSERT_EQ(install.exit_code, 0u) << install.err;
  EXPECT_FALSE(Contains(install.err, "log on as a service")) << install.err;
  std::vector<BYTE> buffer;
  std::optional<QUERY_SERVICE_CONFIGW*> config = service.Config(buffer);
  ASSERT_TRUE(config);
  EXPECT_EQ(Narrow((*config)->lpServiceStartName), account);
}

// supd as its own virtual account (NT SERVICE\<name>) or a group managed service account: no
// password asked or kept; the folder and key grant the virtual account's SID, which follows from
// the service's name. (Whether Windows then runs supd as that account only Windows shows: Wine's
// SCM stores the name.)
TEST(ServiceInstallE2eTest, InstallsAsItsVirtualAccountWithoutAPassword) {
  ServiceUnderTest service("virtual");
  const std::string account = "NT SERVICE\\" + service.name();
  const ProcessOutput install = Supctl({"service", "install", "--name", service.name(), "--binary",
                                        Supd(), "--start", "demand", "--account", account});
  ASSERT_EQ(install.exit_code, 0u) << install.err;
  EXPECT_TRUE(Contains(install.out, account)) << install.out;
  std::vector<BYTE> buffer;
  std::optional<QUERY_SERVICE_CONFIGW*> config = service.Config(buffer);
  ASSERT_TRUE(config);
  EXPECT_EQ(Narrow((*config)->lpServiceStartName), account);

  // A plain user account still needs one, and the refusal says which accounts do not.
  const ProcessOutput refused = Supctl({"service", "install", "--name", service.name() + "-user",
                                        "--binary", Supd(), "--account", "CONTOSO\\svc-sup"});
  EXPECT_EQ(refused.exit_code, 2u);
  EXPECT_TRUE(Contains(refused.err, "needs --password (a virtual account, NT SERVICE\\"))
      << refused.err;
}

// One service through its life: started, changed in place, a change rolled back, stopped, removed.
TEST(ServiceInstallE2eTest, ChangesARunningServiceInPlaceAndRollsBackABadBinary) {
  ServiceUnderTest service("set");
  const std::wstring worker = service.config_key() + L"\\Workers\\ticker";
  const std::wstring command = Widen(testing::TestWorkerCommand({}));
  ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, worker.c_str(), L"Command", REG_SZ, command.c_str(),
                    static_cast<DWORD>((command.size() + 1) * sizeof(wchar_t)));
  const DWORD no_start_wait = 0;
  ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, worker.c_str(), L"StartSeconds", REG_DWORD, &no_start_wait,
                    sizeof(DWORD));
  auto serving = [&] {
    return Supctl({"--pipe", service.name() + "-control", "health"}).exit_code == 0;
  };
  ASSERT_EQ(Supctl({"service", "install", "--name", service.name(), "--binary", Supd(), "--args",
                    service.arguments(), "--start", "demand"})
                .exit_code,
            0u);
  const ProcessOutput started = Supctl({"service", "start", "--name", service.name()});
  ASSERT_EQ(started.exit_code, 0u) << started.err;
  const DWORD first_pid = service.Pid();
  ASSERT_NE(first_pid, 0u);
  ASSERT_TRUE(testing::WaitUntil(serving, 20s));
  const ProcessOutput status = Supctl({"service", "status", "--name", service.name()});
  EXPECT_EQ(status.exit_code, 0u) << status.out << status.err;
  EXPECT_TRUE(
      Contains(status.out, "RUNNING (pid " + std::to_string(first_pid) + "), health SERVING"))
      << status.out;

  // A description: no restart.
  const ProcessOutput described =
      Supctl({"service", "set", "--name", service.name(), "--description", "changed"});
  EXPECT_EQ(described.exit_code, 0u) << described.err;
  EXPECT_TRUE(Contains(described.out, "description: ")) << described.out;
  EXPECT_EQ(service.Pid(), first_pid);

  // --what-if changes nothing.
  const std::string new_arguments = service.arguments("--log-level debug");
  const ProcessOutput what_if =
      Supctl({"service", "set", "--name", service.name(), "--args", new_arguments, "--what-if"});
  EXPECT_EQ(what_if.exit_code, 0u);
  EXPECT_TRUE(Contains(what_if.out, "would change (and restart it if running)")) << what_if.out;
  EXPECT_FALSE(Contains(service.ImagePath(), "--log-level"));

  // New arguments: restarted, running, answering, new ImagePath.
  const ProcessOutput reargued =
      Supctl({"service", "set", "--name", service.name(), "--args", new_arguments});
  EXPECT_EQ(reargued.exit_code, 0u) << reargued.err;
  EXPECT_TRUE(Contains(reargued.out, "restarted and answering")) << reargued.out;
  const DWORD second_pid = service.Pid();
  EXPECT_NE(second_pid, 0u);
  EXPECT_NE(second_pid, first_pid);
  EXPECT_TRUE(Contains(service.ImagePath(), "--log-level debug")) << service.ImagePath();

  // A binary that does not exist: rolled back, the previous configuration running again.
  const ProcessOutput broken =
      Supctl({"service", "set", "--name", service.name(), "--binary", "C:\\nowhere\\supd.exe"});
  EXPECT_EQ(broken.exit_code, 1u) << broken.out;
  EXPECT_TRUE(Contains(broken.err, "rolled back to the previous configuration, which runs again"))
      << broken.err;
  EXPECT_TRUE(Contains(service.ImagePath(), Supd())) << service.ImagePath();
  EXPECT_NE(service.Pid(), 0u);
  EXPECT_TRUE(testing::WaitUntil(serving, 20s));

  ASSERT_EQ(Supctl({"service", "stop", "--name", service.name()}).exit_code, 0u);
  EXPECT_EQ(service.Pid(), 0u);
  EXPECT_EQ(Supctl({"service", "status", "--name", service.name()}).exit_code, 3u);

  // Another instance's event source (the default one, "supd") is not this uninstall's to remove.
  const std::wstring other_source =
      L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\supd";
  const std::wstring other_file = L"C:\\other\\supd.exe";
  ASSERT_EQ(::RegSetKeyValueW(HKEY_LOCAL_MACHINE, other_source.c_str(), L"EventMessageFile", REG_SZ,
                              other_file.c_str(),
                              static_cast<DWORD>((other_file.size() + 1) * sizeof(wchar_t))),
            ERROR_SUCCESS);
  EXPECT_EQ(RegistryString(service.event_source_key(), L"EventMessageFile"), Supd());
  const ProcessOutput removed = Supctl({"service", "uninstall", "--name", service.name()});
  EXPECT_EQ(removed.exit_code, 0u) << removed.err;
  EXPECT_TRUE(Contains(removed.out, "worker configuration kept")) << removed.out;
  EXPECT_FALSE(service.Installed());
  EXPECT_EQ(RegistryString(worker, L"Command"), Narrow(command));  // the workers stay configured
  EXPECT_EQ(RegistryString(service.event_source_key(), L"EventMessageFile"), "");
  EXPECT_EQ(RegistryString(other_source, L"EventMessageFile"), "C:\\other\\supd.exe");
  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, other_source.c_str());

  // --purge: the worker configuration goes too.
  ASSERT_EQ(Supctl({"service", "install", "--name", service.name(), "--binary", Supd(), "--args",
                    service.arguments(), "--start", "demand"})
                .exit_code,
            0u);
  const ProcessOutput purged =
      Supctl({"service", "uninstall", "--name", service.name(), "--purge"});
  EXPECT_EQ(purged.exit_code, 0u) << purged.err;
  EXPECT_TRUE(Contains(purged.out, "worker configuration deleted")) << purged.out;
  EXPECT_EQ(RegistryString(worker, L"Command"), "");
  EXPECT_FALSE(service.Installed());
}

}  // namespace
}  // namespace sup::win
