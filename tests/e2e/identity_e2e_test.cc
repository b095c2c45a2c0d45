// Worker identity end to end: supd.exe as a service protects its process before any worker runs,
// and a worker is never an administrator of supd, whatever its token says. Wine enforces process
// DACLs (OpenProcess), so what a worker may do to supd is shown here; a reduced worker's token is
// SYSTEM on Windows and Wine's one user here, and either way only the job rule keeps a
// Restricted=0 worker (an administrator by its token) from acting as one.
#include <windows.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/command_line.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::Contains;
using testing::SupdService;

std::string FileText(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Whether the file at `path` comes to hold `part`: supd writes the workers' logs on a thread of its
// own, so a line may reach the file a moment after the worker has gone.
bool FileComesToHold(const std::string& path, const std::string& part) {
  return testing::WaitUntil([&] { return Contains(FileText(path), part); }, 10s);
}

// A worker that runs once, its output in files of its own.
void AddOneShot(SupdService& supd, const std::string& worker, const std::string& command) {
  supd.SetString(worker, "Command", command);
  supd.SetString(worker, "Restart", "never");
  supd.SetDword(worker, "StartSeconds", 0);
  supd.SetString(worker, "StdoutLog", testing::TempPath(supd.name() + "-" + worker + ".out.log"));
  supd.SetString(worker, "StderrLog", testing::TempPath(supd.name() + "-" + worker + ".err.log"));
}

bool Exited(const WorkerStatus& w) {
  return w.state() != WorkerStatus::RUNNING && w.state() != WorkerStatus::STARTING &&
         w.restarts() == 0 && w.pid() == 0 && w.last_exit_code() != 0;
}

TEST(IdentityE2eTest, AWorkerIsNeverAnAdministratorOfSupd) {
  SupdService supd("identity-role");
  const std::string update = JoinWindowsCommandLine(
      {testing::ExecutableDirectory() + "\\supctl.exe", "--pipe", supd.control_pipe(), "update"});
  AddOneShot(supd, "reduced", update);
  AddOneShot(supd, "full", update);
  supd.SetDword("full", "Restricted", 0);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  for (const std::string worker : {"reduced", "full"}) {
    std::optional<WorkerStatus> ended = supd.WaitForWorker(worker, Exited);
    ASSERT_TRUE(ended) << worker;
    EXPECT_EQ(ended->last_exit_code(), 1) << worker;
    const std::string err = testing::TempPath(supd.name() + "-" + worker + ".err.log");
    EXPECT_TRUE(FileComesToHold(err, "update is not allowed for"))
        << worker << ": " << FileText(err);
    EXPECT_TRUE(FileComesToHold(err, "in a worker's job")) << worker << ": " << FileText(err);
  }
  // The same command from outside any worker's job (this test, an administrator) is obeyed.
  EXPECT_EQ(supd.Supctl({"update"}).exit_code, 0u);
  EXPECT_TRUE(supd.WaitForLog("worker runs with supd's full token name=full"));
}

TEST(IdentityE2eTest, NoReducedWorkerMayTerminateOrReadSupd) {
  SupdService supd("identity-supd");
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const std::string supd_pid = std::to_string(supd.ServicePid());
  AddOneShot(supd, "reduced",
             testing::TestWorkerCommand(
                 {"--try-open", supd_pid, "--exit-after", "0", "--exit-code", "7"}));
  AddOneShot(supd, "full",
             testing::TestWorkerCommand(
                 {"--try-open", supd_pid, "--exit-after", "0", "--exit-code", "7"}));
  supd.SetDword("full", "Restricted", 0);
  ASSERT_EQ(supd.Supctl({"update"}).exit_code, 0u);
  ASSERT_TRUE(supd.WaitForWorker("reduced", Exited));
  ASSERT_TRUE(supd.WaitForWorker("full", Exited));
  EXPECT_TRUE(FileComesToHold(
      testing::TempPath(supd.name() + "-reduced.out.log"),
      "open " + supd_pid + " terminate=denied vm-read=denied create-process=denied"));
  // Restricted=0 holds Administrators, which may end supd as Task Manager may; read it, no.
  EXPECT_TRUE(FileComesToHold(
      testing::TempPath(supd.name() + "-full.out.log"),
      "open " + supd_pid + " terminate=granted vm-read=denied create-process=denied"));
}

// Account=LocalService: supd logs the account on with LogonUserExExW, which Wine lacks. What Wine
// shows is the refusal reaching the operator, in the worker's words, while supd serves on (the
// logon itself: WorkerIdentityTest.AnAccountIsLoggedOnWithTheWorkerSidAndReducedToo; only Windows
// runs the worker as LocalService).
TEST(IdentityE2eTest, AnAccountWorkerThatCannotBeLoggedOnSaysWhy) {
  SupdService supd("identity-account");
  supd.AddWorker("svc", {});
  supd.SetString("svc", "Account", "NT AUTHORITY\\LocalService");
  supd.SetDword("svc", "MaxFailures", 2);
  supd.AddWorker("other", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("other", testing::IsRunning));
  ASSERT_TRUE(
      supd.WaitForLog("worker start failed name=svc error=\"worker svc runs as NT "
                      "AUTHORITY\\LocalService: finding LogonUserExExW in advapi32.dll"));
  ASSERT_TRUE(supd.WaitForWorker(
      "svc", [](const WorkerStatus& w) { return w.state() == WorkerStatus::FAILED; }));
  const testing::ProcessOutput describe = supd.Supctl({"describe", "svc"});
  EXPECT_TRUE(Contains(describe.out, "runs as NT AUTHORITY\\LocalService with a reduced token"))
      << describe.out;
  EXPECT_TRUE(Contains(describe.out,
                       "worker svc runs as NT AUTHORITY\\LocalService: finding "
                       "LogonUserExExW in advapi32.dll"))
      << describe.out;
  EXPECT_EQ(supd.Supctl({"status", "other"}).exit_code, 0u);
  const testing::ProcessOutput json = supd.Supctl({"status", "-o", "json"});
  EXPECT_TRUE(Contains(json.out, R"("name":"svc")")) << json.out;
  EXPECT_TRUE(Contains(json.out, R"("account":"NT AUTHORITY\\LocalService")")) << json.out;
  EXPECT_TRUE(Contains(json.out, R"("account":"LocalSystem")")) << json.out;
}

// Whether `bytes` hold `text` in UTF-8 or UTF-16LE (regedit's .reg files are UTF-16).
bool HoldsText(const std::string& bytes, const std::string& text) {
  const std::wstring wide = Widen(text);
  const std::string utf16(reinterpret_cast<const char*>(wide.data()),
                          wide.size() * sizeof(wchar_t));
  return Contains(bytes, text) || Contains(bytes, utf16);
}

// Whether any value at or below HKLM\<subkey> (names and data) holds `needle`'s bytes.
bool RegistryHolds(const std::wstring& subkey, const std::string& needle) {
  HKEY raw = nullptr;
  if (::RegOpenKeyExW(HKEY_LOCAL_MACHINE, subkey.c_str(), 0, KEY_READ, &raw) != ERROR_SUCCESS)
    return false;
  const UniqueRegistryKey key{raw};
  for (DWORD index = 0;; ++index) {
    wchar_t name[16384];
    DWORD name_size = 16384;
    std::vector<BYTE> data(64 * 1024);
    DWORD data_size = static_cast<DWORD>(data.size());
    if (::RegEnumValueW(key.get(), index, name, &name_size, nullptr, nullptr, data.data(),
                        &data_size) != ERROR_SUCCESS) {
      break;
    }
    const std::string bytes(reinterpret_cast<const char*>(data.data()), data_size);
    if (HoldsText(bytes, needle) || Contains(Narrow(std::wstring(name, name_size)), needle))
      return true;
  }
  for (DWORD index = 0;; ++index) {
    wchar_t name[256];
    DWORD name_size = 256;
    if (::RegEnumKeyExW(key.get(), index, name, &name_size, nullptr, nullptr, nullptr, nullptr) !=
        ERROR_SUCCESS) {
      break;
    }
    if (RegistryHolds(subkey + L"\\" + std::wstring(name, name_size), needle)) return true;
  }
  return false;
}

// Account=.\svc-web with its password: supctl hands it to supd (--stdin here; at a console it
// asks twice without echo), and supd keeps it encrypted under <key>\Secrets: neither the
// registry (every value read back) nor `config export` holds it, describe says only that one is
// kept, and the next start goes on to log the account on with it. (Under Wine that logon stops at
// the missing LogonUserExExW; only Windows runs the worker as the account.)
TEST(IdentityE2eTest, AUserAccountsPasswordIsKeptEncryptedAndNowhereInClear) {
  SupdService supd("identity-password");
  supd.AddWorker("web", {});
  supd.SetString("web", "Account", ".\\svc-web");
  supd.SetDword("web", "BackoffInitialMs", 200);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(
      supd.WaitForLog("worker web runs as .\\svc-web: supd keeps no password of web "
                      "(supctl worker set-password web, or LogonType=s4u)"));
  EXPECT_TRUE(Contains(supd.Supctl({"describe", "web"}).out,
                       "no password is kept (supctl worker set-password web)"));

  const std::string password = "Tr0ub4dor&3-sup";
  const testing::ProcessOutput kept = supd.SupctlWithInput(
      {"worker", "--config-key", supd.config_key(), "set-password", "web", "--stdin"},
      password + "\r\n");
  ASSERT_EQ(kept.exit_code, 0u) << kept.err;
  EXPECT_EQ(kept.out, "password of web kept (encrypted for SYSTEM); used from web's next start\n");
  // Wine knows no .\svc-web to grant the logon right to: a warning, as for service install.
  EXPECT_TRUE(Contains(kept.err, "warning: the account .\\svc-web does not exist here"))
      << kept.err;

  EXPECT_TRUE(Contains(supd.Supctl({"describe", "web"}).out, "; its password is kept"));
  EXPECT_TRUE(Contains(supd.Supctl({"describe", "web", "-o", "json"}).out, R"("password":"kept")"));
  ASSERT_TRUE(supd.WaitForLog("worker web runs as .\\svc-web: finding LogonUserExExW"));

  // Nowhere in clear: not in any value under the key (UTF-8 or UTF-16), not in the export, not
  // in supd's log.
  const std::wstring subkey = Widen(supd.config_key().substr(5));
  EXPECT_TRUE(RegistryHolds(subkey, "svc-web")) << "the scan reads the key";
  EXPECT_FALSE(RegistryHolds(subkey, password));
  for (const char* format : {"reg", "json"}) {
    const testing::ProcessOutput exported =
        supd.Supctl({"config", "--config-key", supd.config_key(), "export", "--format", format});
    ASSERT_EQ(exported.exit_code, 0u) << exported.err;
    EXPECT_TRUE(HoldsText(exported.out, "svc-web")) << "the export is of this key";
    EXPECT_FALSE(HoldsText(exported.out, password));
    EXPECT_FALSE(HoldsText(exported.out, "Secrets"));
  }
  EXPECT_FALSE(Contains(supd.Log(), password));

  const testing::ProcessOutput forgotten =
      supd.Supctl({"worker", "--config-key", supd.config_key(), "set-password", "web", "--forget"});
  EXPECT_EQ(forgotten.out, "password of web forgotten\n") << forgotten.err;
  EXPECT_TRUE(Contains(supd.Supctl({"describe", "web"}).out, "no password is kept"));

  // Input from a pipe and no --stdin: there is nobody to ask.
  const testing::ProcessOutput unasked = supd.SupctlWithInput(
      {"worker", "--config-key", supd.config_key(), "set-password", "web"}, "");
  EXPECT_EQ(unasked.exit_code, 2u);
  EXPECT_TRUE(Contains(unasked.err, "no console to ask the password on: pipe it in with --stdin"))
      << unasked.err;
}

}  // namespace
}  // namespace sup::win
