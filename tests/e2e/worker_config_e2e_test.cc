// `supctl worker ...` end to end: the registry edited through the schema, every refusal leaving
// it untouched, and --apply bringing a running supd along.
#include <windows.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config/win/key_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/worker_sid.h"
#include "dacl.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using testing::ProcessOutput;
using testing::SupdService;

using testing::Contains;

TEST(WorkerConfigE2eTest, AddSetUnsetRemoveRoundTripAndEveryRefusal) {
  SupdService supd("workers");  // only its configuration key: the service is never started here
  auto worker = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"worker", "--config-key", supd.config_key()});
    return supd.Supctl(arguments);
  };

  const ProcessOutput added =
      worker({"add", "api", "--command", "api.exe --port 80", "--set", "StopTimeoutMs=2000",
              "--set", "StopSteps=event,terminate", "--set", "Probes\\Liveness\\Type=tcp", "--set",
              "Probes\\Liveness\\Target=127.0.0.1:80"});
  ASSERT_EQ(added.exit_code, 0u) << added.err;
  {
    // The key did not exist: supctl made it for administrators, as `service install` would, not
    // with SOFTWARE's defaults (every user may read those).
    HKEY raw = nullptr;
    const std::wstring key = Widen(supd.config_key().substr(5));
    ASSERT_EQ(::RegOpenKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, READ_CONTROL, &raw),
              ERROR_SUCCESS);
    const UniqueRegistryKey opened{raw};
    std::vector<BYTE> descriptor(4096);
    DWORD size = static_cast<DWORD>(descriptor.size());
    ASSERT_EQ(
        ::RegGetKeySecurity(opened.get(), OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                            descriptor.data(), &size),
        ERROR_SUCCESS);
    EXPECT_EQ(win::ForeignKeyWriters(descriptor.data(), {}), std::vector<std::string>{});
    EXPECT_EQ(
        testing::DaclEntries(descriptor.data()),
        (testing::AccessEntries{{"S-1-5-18", KEY_ALL_ACCESS}, {"S-1-5-32-544", KEY_ALL_ACCESS}}));
  }
  EXPECT_EQ(worker({"list"}).out, "api  api.exe --port 80\n");
  EXPECT_EQ(
      worker({"show", "api"}).out,
      "api\n  worker SID " + WorkerSid("api") +
          " (grant it a folder: icacls <folder> /grant *SID:M)\n"
          "  Command = api.exe --port 80 (REG_SZ)\n  StopSteps = event,terminate (REG_MULTI_SZ)\n"
          "  StopTimeoutMs = 2000 (REG_DWORD)\n  Probes\\Liveness\\Target = 127.0.0.1:80 (REG_SZ)\n"
          "  Probes\\Liveness\\Type = tcp (REG_SZ)\n");
  const std::string shown = worker({"show", "api"}).out;

  // Every refusal: a clear message, the right exit code, the registry unchanged.
  struct Refusal {
    std::vector<std::string> arguments;
    unsigned exit_code;
    std::string says;
  };
  const std::vector<Refusal> refusals = {
      {{"set", "api", "StopTimeout", "5"}, 2, "unknown worker value \"StopTimeout\""},
      {{"set", "api", "StopTimeoutMs", "ten"},
       2,
       "StopTimeoutMs: expected a whole number, found \"ten\""},
      {{"set", "api", "LogBackups", "5000"}, 2, "0 to 1000"},
      {{"set", "api", "Restart", "sometimes"}, 2, "found \"sometimes\""},
      {{"set", "api", "DependsOn", "nosuch"}, 2, "unknown worker \"nosuch\""},
      {{"unset", "api", "Command"}, 2, "Command: expected a value (required)"},
      {{"set", "nosuch", "Enabled", "0"}, 4, "no worker nosuch"},
      {{"add", "api", "--command", "x.exe"}, 2, "exists already"},
      {{"add", "bad name", "--command", "x.exe"}, 2, "worker name \"bad name\""},
      {{"add", "web", "--command", "web.exe", "--set", "Colour=blue"},
       2,
       "unknown worker value \"Colour\""},
      {{"add", "web", "--command", "web.exe", "--set", "nonsense"}, 2, "is not KEY=VALUE"},
      {{"remove", "nosuch"}, 4, "no worker nosuch"},
  };
  for (const Refusal& refusal : refusals) {
    const ProcessOutput refused = worker(refusal.arguments);
    EXPECT_EQ(refused.exit_code, refusal.exit_code)
        << refusal.arguments[0] << " " << refusal.arguments[1];
    EXPECT_TRUE(Contains(refused.err, refusal.says)) << refused.err;
  }
  EXPECT_EQ(worker({"show", "api"}).out, shown);
  EXPECT_EQ(worker({"list"}).out, "api  api.exe --port 80\n");

  ASSERT_EQ(worker({"set", "api", "MaxFailures", "9"}).exit_code, 0u);
  EXPECT_TRUE(Contains(worker({"show", "api"}).out, "MaxFailures = 9 (REG_DWORD)"));
  ASSERT_EQ(worker({"unset", "api", "MaxFailures"}).exit_code, 0u);
  ASSERT_EQ(worker({"unset", "api", "Probes\\Liveness\\Target"}).exit_code,
            2u);  // the probe needs its target
  EXPECT_EQ(worker({"show", "api"}).out, shown);
  EXPECT_TRUE(Contains(
      supd.Supctl({"-o", "json", "worker", "--config-key", supd.config_key(), "show", "api"}).out,
      "{\"key\":\"StopTimeoutMs\",\"type\":\"REG_DWORD\",\"value\":\"2000\"}"));
  ASSERT_EQ(worker({"remove", "api"}).exit_code, 0u);
  EXPECT_EQ(worker({"list"}).out, "no workers configured\n");
}

// Writing a user Account (or its LogonType) grants the account the right supd will log it on
// with, as services.msc does for a service's account; one that does not exist is a warning (the
// edit stands: supd names the logon's failure too). Wine's LSA accepts the grant; that Windows
// then lets the account log on only Windows shows.
TEST(WorkerConfigE2eTest, AUserAccountWrittenIsGrantedItsLogonRight) {
  SupdService supd("workers-accounts");  // only its configuration key
  auto worker = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"worker", "--config-key", supd.config_key()});
    return supd.Supctl(arguments);
  };
  wchar_t user[256];
  DWORD size = 256;
  ASSERT_TRUE(::GetUserNameW(user, &size));
  const std::string account = ".\\" + Narrow(user);
  const ProcessOutput added =
      worker({"add", "web", "--command", "web.exe", "--set", "Account=" + account});
  ASSERT_EQ(added.exit_code, 0u) << added.err;
  EXPECT_TRUE(Contains(added.out, "web: " + account + " may log on as a service\n")) << added.out;
  const ProcessOutput s4u = worker({"set", "web", "LogonType", "s4u"});
  ASSERT_EQ(s4u.exit_code, 0u) << s4u.err;
  EXPECT_TRUE(Contains(s4u.out, "web: " + account + " may log on as a batch job\n")) << s4u.out;

  ASSERT_EQ(worker({"unset", "web", "LogonType"}).exit_code, 0u);
  const ProcessOutput unknown = worker({"set", "web", "Account", ".\\sup-no-such-user"});
  EXPECT_EQ(unknown.exit_code, 0u) << unknown.err;
  EXPECT_TRUE(
      Contains(unknown.err, "supctl: warning: the account .\\sup-no-such-user does not exist here"))
      << unknown.err;
  // Built-in accounts hold their rights: nothing is granted or said.
  const ProcessOutput builtin = worker({"set", "web", "Account", "LocalService"});
  EXPECT_FALSE(Contains(builtin.out, "may log on")) << builtin.out;
  EXPECT_TRUE(builtin.err.empty()) << builtin.err;
}

// With AutoReload 0 only --apply brings supd along: an edit without it waits.
TEST(WorkerConfigE2eTest, ApplyBringsARunningSupdAlong) {
  SupdService supd("apply");
  supd.SetDaemonDword("AutoReload", 0);
  supd.AddWorker("first", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const auto running = [](const sup::v1::WorkerStatus& w) {
    return w.state() == sup::v1::WorkerStatus::RUNNING;
  };
  ASSERT_TRUE(supd.WaitForWorker("first", running));
  const auto worker = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"worker", "--config-key", supd.config_key()});
    return supd.Supctl(arguments);
  };

  const ProcessOutput waiting =
      worker({"add", "waiting", "--command", testing::TestWorkerCommand({})});
  ASSERT_EQ(waiting.exit_code, 0u) << waiting.out << waiting.err;
  EXPECT_EQ(waiting.out,
            "waiting: added (AutoReload is 0: supd applies it on supctl update; --apply to apply "
            "it now)\n");
  ASSERT_TRUE(supd.WaitForLog("registry change not applied: AutoReload is 0"));
  EXPECT_FALSE(supd.Worker("waiting").has_value()) << "applied without --apply";

  const ProcessOutput added = worker({"add", "second", "--command", testing::TestWorkerCommand({}),
                                      "--set", "StartSeconds=0", "--apply"});
  EXPECT_EQ(added.exit_code, 0u) << added.out << added.err;
  EXPECT_EQ(added.out, "second: added in the registry\nsecond: added\n");
  EXPECT_TRUE(supd.Worker("second").has_value()) << "--apply returned before supd had the worker";
  EXPECT_FALSE(supd.Worker("waiting").has_value())
      << "--apply applies only its own worker, as update NAME does";
  EXPECT_TRUE(supd.WaitForWorker("second", running));

  const ProcessOutput removed = worker({"remove", "second", "--apply"});
  EXPECT_EQ(removed.exit_code, 0u) << removed.out << removed.err;
  EXPECT_TRUE(testing::WaitUntil([&] { return !supd.Worker("second").has_value(); }, 20s));
  EXPECT_TRUE(supd.Worker("first").has_value());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(std::filesystem::path(Widen(path)), std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// export -> wipe -> import gives back an identical configuration, from .reg (also through Wine's
// own `reg import`, as Group Policy would deliver it) and from JSON; a bad file changes nothing.
TEST(WorkerConfigE2eTest, ExportWipeImportRestoresAnIdenticalConfiguration) {
  SupdService supd("export");
  auto supctl = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin() + 1, {"--config-key", supd.config_key()});
    return supd.Supctl(arguments);
  };
  supd.SetDaemonDword("PipeInstances", 8);
  supd.SetDaemonString("LogLevel", "debug");
  ASSERT_EQ(
      supctl({"worker", "add", "api", "--command", "%SystemRoot%\\api.exe --name \"quoted\" ünï",
              "--set", "StopSteps=event,terminate", "--set", "LogMaxBytes=8589934592", "--set",
              "Probes\\Liveness\\Type=tcp", "--set", "Probes\\Liveness\\Target=127.0.0.1:80"})
          .exit_code,
      0u);
  ASSERT_EQ(supctl({"worker", "add", "web", "--command", "web.exe", "--set", "DependsOn=api",
                    "--set", "Environment=A=1,B=two words"})
                .exit_code,
            0u);
  const std::string reg_file = testing::TempPath("sup-export.reg");
  const std::string json_file = testing::TempPath("sup-export.json");
  const ProcessOutput exported = supctl({"config", "export", reg_file});
  ASSERT_EQ(exported.exit_code, 0u) << exported.err;
  EXPECT_EQ(exported.out, "exported 2 workers to " + reg_file + "\n");
  ASSERT_EQ(supctl({"config", "export", json_file}).exit_code, 0u);
  const std::string original = ReadFile(reg_file);
  EXPECT_TRUE(Contains(ReadFile(json_file), "\"expand\": \"%SystemRoot%\\\\api.exe"))
      << ReadFile(json_file);
  const std::wstring key = Widen(supd.config_key().substr(5));  // below HKLM
  auto export_again = [&] {
    const std::string again = testing::TempPath("sup-again.reg");
    EXPECT_EQ(supctl({"config", "export", again}).exit_code, 0u);
    return ReadFile(again);
  };

  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, key.c_str());
  EXPECT_EQ(supctl({"worker", "list"}).out, "no workers configured\n");
  const ProcessOutput imported = supctl({"config", "import", reg_file});
  ASSERT_EQ(imported.exit_code, 0u) << imported.err;
  EXPECT_EQ(export_again(), original);

  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, key.c_str());
  ASSERT_EQ(supctl({"config", "import", json_file}).exit_code, 0u);
  EXPECT_EQ(export_again(), original);

  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, key.c_str());
  Result<ProcessOutput> reg = testing::RunProcess({"reg", "import", reg_file});
  ASSERT_TRUE(reg.ok()) << reg.error().message();
  EXPECT_EQ(export_again(), original);

  // A file with one bad value: refused whole, nothing written.
  std::ofstream(std::filesystem::path(Widen(json_file)), std::ios::binary)
      << "{\"workers\": {\"new\": {\"Command\": \"new.exe\"}, \"bad\": {\"Command\": \"b.exe\", "
         "\"StopTimeoutMs\": \"ten\"}}}";
  const ProcessOutput refused = supctl({"config", "import", json_file});
  EXPECT_EQ(refused.exit_code, 2u);
  EXPECT_TRUE(Contains(refused.err, "nothing imported")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "Workers\\bad\\StopTimeoutMs")) << refused.err;
  EXPECT_EQ(export_again(), original);

  // A file that cannot be read: named, with the reason; exit code 2 like any bad file.
  const std::string missing = testing::TempPath("sup-missing.reg");
  const ProcessOutput not_found = supctl({"config", "import", missing});
  EXPECT_EQ(not_found.exit_code, 2u);
  EXPECT_TRUE(Contains(not_found.err, "cannot read " + missing + ": ")) << not_found.err;
  EXPECT_TRUE(Contains(not_found.err, "(2)")) << not_found.err;  // ERROR_FILE_NOT_FOUND
  const std::string folder = std::filesystem::path(Widen(missing)).parent_path().string();
  const ProcessOutput a_folder = supctl({"config", "import", folder + "\\"});
  EXPECT_EQ(a_folder.exit_code, 2u);
  EXPECT_TRUE(Contains(a_folder.err, "it is a folder, not a .reg or .json file")) << a_folder.err;
  EXPECT_EQ(export_again(), original);

  // --replace: the file is the whole configuration afterwards.
  std::ofstream(std::filesystem::path(Widen(json_file)), std::ios::binary)
      << "{\"workers\": {\"only\": {\"Command\": \"only.exe\"}}}";
  ASSERT_EQ(supctl({"config", "import", json_file, "--replace"}).exit_code, 0u);
  EXPECT_EQ(supctl({"worker", "list"}).out, "only  only.exe\n");
}

// `config delete --logs` (the MSI's REMOVE_CONFIG=1) does not pull supd's folder from under a
// supd that runs: it waits for it to exit, up to --timeout, then names it and deletes nothing.
// Without --logs the configuration goes at once. (That a supd stopping meanwhile is waited for,
// and the folder then deleted, PackageE2eTest shows: Wine's installer does not wait for the stop.)
TEST(WorkerConfigE2eTest, ConfigDeleteWithLogsWaitsForARunningSupdAndNamesIt) {
  SupdService supd("delete");
  supd.AddWorker("kept", {"--print-every", "1000"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  auto supctl = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin() + 1, {"--config-key", supd.config_key()});
    return supd.Supctl(arguments);
  };
  // (The running supd opens its key again to watch it: the worker's key tells.)
  const std::wstring key = Widen(supd.config_key().substr(5)) + L"\\Workers\\kept";
  auto key_exists = [&] {
    HKEY opened = nullptr;
    if (::RegOpenKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, KEY_READ, &opened) != ERROR_SUCCESS)
      return false;
    ::RegCloseKey(opened);
    return true;
  };

  const auto started = std::chrono::steady_clock::now();
  const ProcessOutput refused =
      supctl({"config", "delete", "--yes", "--logs", "--timeout", "300ms"});
  EXPECT_EQ(refused.exit_code, 1u) << refused.out << refused.err;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_TRUE(Contains(refused.err, "a supd is still running with pipe \\\\.\\pipe\\"))
      << refused.err;
  EXPECT_TRUE(Contains(refused.err, "stop it first (supctl service stop); nothing was deleted"))
      << refused.err;
  EXPECT_TRUE(key_exists());

  const ProcessOutput deleted = supctl({"config", "delete", "--yes"});
  EXPECT_EQ(deleted.exit_code, 0u) << deleted.err;
  EXPECT_EQ(deleted.out, "configuration " + supd.config_key() + " deleted\n");
  EXPECT_FALSE(key_exists());
}

}  // namespace
}  // namespace sup::win
