// What supd's configuration watch sees: every change an admin makes (daemon values, workers, a
// re-created Workers key), and never supd's own writes of operator intent under State; and how
// far the registry reader reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/win/unique_handle.h"
#include "common/config/win/registry_config.h"

namespace sup::win {
namespace {

class ConfigWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = "HKCU\\Software\\SupTest\\watch-" +
                             std::to_string(::GetCurrentProcessId()) + "-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    Result<win::RegistryPath> path = win::ParseRegistryPath(name);
    ASSERT_TRUE(path.ok());
    path_ = *path;
    ASSERT_TRUE(win::RegistryStateStore(path_).Prepare().ok());
    Result<std::vector<win::RegistryWatch>> watches = win::ConfigWatches(path_);
    ASSERT_TRUE(watches.ok()) << watches.error().message();
    watches_ = std::move(*watches);
    for (win::RegistryWatch& watch : watches_) ASSERT_TRUE(watch.Arm().ok());
  }
  void TearDown() override { ::RegDeleteTreeW(path_.root, path_.subkey.c_str()); }

  void SetString(const std::wstring& subkey, const wchar_t* name, const std::wstring& value) {
    const std::wstring key = path_.subkey + subkey;
    ASSERT_EQ(::RegSetKeyValueW(path_.root, key.c_str(), name, REG_SZ, value.c_str(),
                                static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))),
              ERROR_SUCCESS);
  }
  // Whether any watch fired, waiting at most `ms` for one.
  bool Signalled(DWORD ms) {
    std::vector<HANDLE> events;
    for (const win::RegistryWatch& watch : watches_) events.push_back(watch.event());
    const DWORD waited =
        ::WaitForMultipleObjects(static_cast<DWORD>(events.size()), events.data(), FALSE, ms);
    if (waited >= WAIT_OBJECT_0 + events.size()) return false;
    for (win::RegistryWatch& watch : watches_) EXPECT_TRUE(watch.Arm().ok());
    return true;
  }
  bool RootSignalled() { return ::WaitForSingleObject(watches_[0].event(), 0) == WAIT_OBJECT_0; }

  win::RegistryPath path_;
  std::vector<win::RegistryWatch> watches_;
};

TEST_F(ConfigWatchTest, WorkerAndDaemonValuesAreSeen) {
  SetString(L"\\Workers\\api", L"Command", L"api.exe");
  EXPECT_TRUE(Signalled(5000));
  SetString(L"", L"LogLevel", L"debug");
  EXPECT_TRUE(Signalled(5000));
  SetString(L"\\Workers\\api\\Probes\\Liveness", L"Type", L"tcp");
  EXPECT_TRUE(Signalled(5000));
}

// What supd reads before its log exists, and supctl at every start, is the root key's values
// alone: the workers are not read (a key of 200 workers costs supctl nothing).
TEST_F(ConfigWatchTest, TheDaemonValuesAloneAreReadWithoutTheWorkers) {
  SetString(L"", L"ControlPipe", L"elsewhere-control");
  SetString(L"\\Workers\\api", L"Command", L"api.exe");
  Result<config::RawConfig> everything = RegistryConfigSource(path_).Read();
  ASSERT_TRUE(everything.ok()) << everything.error().message();
  EXPECT_TRUE(everything->workers.contains("api"));
  Result<config::RawConfig> daemon_only =
      RegistryConfigSource(path_, RegistryConfigSource::Strings::kExpanded,
                           RegistryConfigSource::Reach::kDaemonValues)
          .Read();
  ASSERT_TRUE(daemon_only.ok()) << daemon_only.error().message();
  EXPECT_TRUE(daemon_only->workers.empty());
  ASSERT_TRUE(daemon_only->daemon.contains("ControlPipe"));
  EXPECT_EQ(daemon_only->daemon.at("ControlPipe").text, "elsewhere-control");
}

TEST_F(ConfigWatchTest, OperatorIntentWrittenBySupdIsNotAConfigurationChange) {
  win::RegistryStateStore store(path_);
  ASSERT_TRUE(store.SetStoppedByOperator("api", true).ok());
  ASSERT_TRUE(store.SetStoppedByOperator("web", true).ok());
  ASSERT_EQ(store.LoadStoppedByOperator(), (std::set<std::string>{"api", "web"}));
  // A worker change after it, seen by the Workers watch, shows the registry has caught up; the
  // root's watch must not have fired for the State writes before it.
  SetString(L"\\Workers\\api", L"Command", L"api.exe");
  ASSERT_EQ(::WaitForSingleObject(watches_[1].event(), 5000), WAIT_OBJECT_0);
  EXPECT_FALSE(RootSignalled());
}

TEST_F(ConfigWatchTest, AWorkersKeyDeletedAndCreatedAgainIsStillWatched) {
  SetString(L"\\Workers\\api", L"Command", L"api.exe");
  ASSERT_TRUE(Signalled(5000));
  const std::wstring workers = path_.subkey + L"\\Workers";
  ASSERT_EQ(::RegDeleteTreeW(path_.root, workers.c_str()), ERROR_SUCCESS);
  ASSERT_TRUE(Signalled(5000));
  ::WaitForSingleObject(watches_[0].event(),
                        0);  // the deletion may have signalled both; start clean
  ::WaitForSingleObject(watches_[1].event(), 0);
  for (win::RegistryWatch& watch : watches_) ASSERT_TRUE(watch.Arm().ok());
  SetString(L"\\Workers\\web", L"Command", L"web.exe");
  EXPECT_TRUE(Signalled(5000));
}

}  // namespace
}  // namespace sup::win
