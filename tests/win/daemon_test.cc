// The whole daemon in this process: single-instance guard, control pipe, stop.
#include "daemon/win/daemon.h"

#include <aclapi.h>
#include <sddl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;

// Its own pipes and its own (empty) configuration key per test.
DaemonOptions TestOptions(std::string_view test) {
  const std::string name =
      "sup-test-" + std::string(test) + "-" + std::to_string(::GetCurrentProcessId());
  DaemonOptions options;
  options.pipe_prefix = name;
  options.config_key = "HKCU\\Software\\SupTest\\" + name;
  return options;
}

std::shared_ptr<spdlog::logger> NullLogger() { return std::make_shared<spdlog::logger>("test"); }

// Runs the daemon on its own io thread; stops it and joins the thread however the test leaves,
// so a failed ASSERT is a reported failure and never a joinable thread's std::terminate.
class RunningDaemon {
 public:
  explicit RunningDaemon(Daemon& daemon) : daemon_(daemon), io_thread_([this] { daemon_.Run(); }) {}
  ~RunningDaemon() { Stop(); }
  // Returns once the stop completed (Run returned).
  void Stop() {
    if (!io_thread_.joinable()) return;
    daemon_.RequestStop();
    io_thread_.join();
  }

 private:
  Daemon& daemon_;
  std::thread io_thread_;
};

TEST(DaemonTest, AnswersStatusWithItsOwnPidAndStopsOnRequest) {
  const DaemonOptions options = TestOptions("status");
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  RunningDaemon running(**daemon);

  Result<PipeClient> pipe = PipeClient::Connect(ControlPipeName(*options.pipe_prefix), 5s);
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_status();
  Result<sup::v1::Response> response = client.Call(request);
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->status().daemon().pid(), ::GetCurrentProcessId());
  EXPECT_EQ(response->status().daemon().version(), kSupVersion);
  EXPECT_EQ(response->status().workers_size(), 0);

  running.Stop();  // returns once the stop completed
}

// The service turns each phase into a START_PENDING checkpoint; it only says RUNNING after the
// last one, when clients can connect.
TEST(DaemonTest, ReportsEachPhaseOfItsStartInOrder) {
  const DaemonOptions options = TestOptions("phases");
  std::vector<std::string> phases;
  Result<std::unique_ptr<Daemon>> daemon =
      Daemon::Create(options, NullLogger(), [&](const char* phase) { phases.emplace_back(phase); });
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  EXPECT_EQ(phases, (std::vector<std::string>{"configuration loaded", "control pipe listening",
                                              "workers started"}));
  EXPECT_TRUE(PipeClient::Connect(ControlPipeName(*options.pipe_prefix), 5s).ok());
}

TEST(DaemonTest, SecondDaemonWithTheSamePipesIsRefused) {
  const DaemonOptions options = TestOptions("single");
  Result<std::unique_ptr<Daemon>> first = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(first.ok()) << first.error().message();
  Result<std::unique_ptr<Daemon>> second = Daemon::Create(options, NullLogger());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::kFailedPrecondition);
  EXPECT_NE(second.error().message().find("already running"), std::string::npos);

  // Another prefix is another instance and may run beside it.
  EXPECT_TRUE(Daemon::Create(TestOptions("single-other"), NullLogger()).ok());
}

using AccessEntries = std::vector<std::pair<std::string, ACCESS_MASK>>;

// Each ACE of `descriptor`'s DACL as (SID, access mask with generic rights mapped to the pipe's
// specific ones): Windows maps generic rights when the pipe is created, Wine keeps them as given.
AccessEntries DaclEntries(PSECURITY_DESCRIPTOR descriptor) {
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  AccessEntries entries;
  if (!::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) || !present || !dacl)
    return entries;
  GENERIC_MAPPING mapping{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                          FILE_ALL_ACCESS};
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) continue;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    LPWSTR sid = nullptr;
    ::ConvertSidToStringSidW(reinterpret_cast<PSID>(&allowed->SidStart), &sid);
    UniqueLocalMemory owned_sid{sid};
    ACCESS_MASK mask = allowed->Mask;
    ::MapGenericMask(&mask, &mapping);
    entries.emplace_back(sid ? Narrow(sid) : "?", mask);
  }
  return entries;
}

// The DACL a client reads from a pipe with GetSecurityInfo.
AccessEntries PipeDacl(const std::string& pipe_name) {
  UniqueFileHandle pipe{::CreateFileW(PipePath(pipe_name).c_str(), READ_CONTROL, 0, nullptr,
                                      OPEN_EXISTING, 0, nullptr)};
  if (!pipe) return {{"cannot open the pipe", ::GetLastError()}};
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetSecurityInfo(pipe.get(), SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr,
                        nullptr, nullptr, &descriptor) != ERROR_SUCCESS) {
    return {{"GetSecurityInfo failed", 0}};
  }
  UniqueLocalMemory owned{descriptor};
  return DaclEntries(descriptor);
}

AccessEntries SddlDacl(const std::string& sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(Widen(sddl).c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return {};
  }
  UniqueLocalMemory owned{descriptor};
  return DaclEntries(descriptor);
}

// Wine keeps a pipe's security descriptor and returns it, but enforces none of it: that a
// non-administrator is actually kept out only real Windows can show.
TEST(DaemonTest, EachPipeCarriesItsIntendedDacl) {
  const DaemonOptions options = TestOptions("dacl");
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(options, NullLogger());
  ASSERT_TRUE(daemon.ok()) << daemon.error().message();
  const AccessEntries control = PipeDacl(ControlPipeName(*options.pipe_prefix));
  EXPECT_EQ(control, SddlDacl("D:P(A;;GA;;;SY)(A;;GA;;;BA)"));
  EXPECT_EQ(control,
            (AccessEntries{{"S-1-5-18", FILE_ALL_ACCESS}, {"S-1-5-32-544", FILE_ALL_ACCESS}}));
  EXPECT_EQ(PipeDacl(HealthPipeName(*options.pipe_prefix)),
            (AccessEntries{{"S-1-5-18", FILE_ALL_ACCESS},
                           {"S-1-5-32-544", FILE_ALL_ACCESS},
                           {"S-1-5-11", FILE_GENERIC_READ | FILE_GENERIC_WRITE}}));
}

}  // namespace
}  // namespace sup::win
