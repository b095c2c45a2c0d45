#include "daemon/core/control_dispatcher.h"

#include <gtest/gtest.h>

#include "common/protocol.h"
#include "daemon/core/config_schema.h"
#include "engine_fakes.h"

namespace sup {
namespace {

using std::chrono::milliseconds;

class ControlDispatcherTest : public ::testing::Test {
 protected:
  static sup::v1::Request MakeRequest(std::uint64_t id) {
    sup::v1::Request request;
    request.set_request_id(id);
    request.set_protocol_version(kProtocolVersion);
    return request;
  }

  void Configure(const std::vector<std::string>& workers) {
    core::RawConfig raw;
    for (const std::string& name : workers) raw.workers[name].values["Command"] = core::RawValue::String(name + ".exe");
    supervisor_.ApplyConfig(core::ValidateConfig(raw));
  }

  static sup::v1::Request Command(std::uint64_t id, std::vector<std::string> workers, bool all = false) {
    sup::v1::Request request = MakeRequest(id);
    for (const std::string& worker : workers) request.mutable_stop()->add_workers(worker);
    request.mutable_stop()->set_all(all);
    return request;
  }

  testing::ManualClock clock_;
  testing::ManualTimers timers_{clock_};
  testing::FakeLauncher launcher_;
  testing::FakeProber prober_;
  testing::FakeStateStore store_;
  testing::RecordingEventSink events_;
  testing::FixedRandom random_;
  core::Supervisor supervisor_{core::SupervisorPorts{clock_, timers_, launcher_, prober_, store_, events_, random_}};
  ControlDispatcher dispatcher_{clock_, DaemonIdentity{4242, "9.8.7"}, supervisor_};
};

TEST_F(ControlDispatcherTest, VersionReportsDaemonAndProtocolVersion) {
  sup::v1::Request request = MakeRequest(7);
  request.mutable_version();
  const sup::v1::Response response = dispatcher_.Handle(request);
  EXPECT_EQ(response.request_id(), 7u);
  EXPECT_FALSE(response.has_error());
  EXPECT_EQ(response.version().daemon_version(), "9.8.7");
  EXPECT_EQ(response.version().protocol_version(), kProtocolVersion);
}

TEST_F(ControlDispatcherTest, StatusReportsPidVersionUptimeAndServerTime) {
  clock_.Advance(milliseconds(2500));
  sup::v1::Request request = MakeRequest(1);
  request.mutable_status();
  const sup::v1::Response response = dispatcher_.Handle(request);
  ASSERT_TRUE(response.has_status());
  const sup::v1::DaemonStatus& daemon = response.status().daemon();
  EXPECT_EQ(daemon.pid(), 4242u);
  EXPECT_EQ(daemon.version(), "9.8.7");
  EXPECT_EQ(daemon.uptime_ms(), 2500u);
  EXPECT_EQ(daemon.server_time_unix_ms(), 1'700'000'002'500);
  EXPECT_EQ(response.status().workers_size(), 0);
}

TEST_F(ControlDispatcherTest, StatusListsEveryWorkerOrTheNamedOnes) {
  Configure({"api", "web"});
  timers_.Advance(std::chrono::milliseconds(1000));
  sup::v1::Request request = MakeRequest(5);
  request.mutable_status();
  sup::v1::Response response = dispatcher_.Handle(request);
  ASSERT_EQ(response.status().workers_size(), 2);
  EXPECT_EQ(response.status().workers(0).name(), "api");
  EXPECT_EQ(response.status().workers(0).state(), sup::v1::WorkerStatus::RUNNING);
  EXPECT_EQ(response.status().workers(0).pid(), 1000u);
  EXPECT_EQ(response.status().daemon().config_generation(), 1u);
  request.mutable_status()->add_workers("web");
  response = dispatcher_.Handle(request);
  ASSERT_EQ(response.status().workers_size(), 1);
  EXPECT_EQ(response.status().workers(0).name(), "web");
}

TEST_F(ControlDispatcherTest, CommandsReportOneResultPerWorker) {
  Configure({"api", "web"});
  const sup::v1::Response response = dispatcher_.Handle(Command(6, {"api", "nosuch"}));
  ASSERT_FALSE(response.has_error());
  ASSERT_EQ(response.stop().results_size(), 2);
  EXPECT_EQ(response.stop().results(0).worker(), "api");
  EXPECT_EQ(response.stop().results(0).outcome(), sup::v1::WorkerCommandResult::DONE);
  EXPECT_EQ(response.stop().results(0).message(), "stopping");
  EXPECT_EQ(response.stop().results(1).outcome(), sup::v1::WorkerCommandResult::NOT_FOUND);
  EXPECT_EQ(response.stop().results(1).message(), "no such worker");
  EXPECT_EQ(dispatcher_.Handle(Command(7, {}, /*all=*/true)).stop().results_size(), 2);
}

TEST_F(ControlDispatcherTest, CommandMustNameWorkersOrAllButNotBoth) {
  Configure({"api"});
  for (const sup::v1::Request& request : {Command(8, {}), Command(9, {"api"}, /*all=*/true)}) {
    const sup::v1::Response response = dispatcher_.Handle(request);
    ASSERT_TRUE(response.has_error());
    EXPECT_EQ(response.error().code(), sup::v1::Error::INVALID_ARGUMENT);
  }
  EXPECT_TRUE(launcher_.kills.empty() && launcher_.stop_requests.empty());
}

TEST_F(ControlDispatcherTest, StatusOfUnknownWorkersIsNotFoundNamingThem) {
  sup::v1::Request request = MakeRequest(2);
  request.mutable_status()->add_workers("alpha");
  request.mutable_status()->add_workers("beta");
  const sup::v1::Response response = dispatcher_.Handle(request);
  ASSERT_TRUE(response.has_error());
  EXPECT_EQ(response.error().code(), sup::v1::Error::NOT_FOUND);
  EXPECT_EQ(response.error().message(), "no such worker: alpha, beta");
  EXPECT_EQ(response.request_id(), 2u);
}

TEST_F(ControlDispatcherTest, RefusesMissingAndNewerProtocolVersions) {
  for (std::uint32_t version : {0u, kProtocolVersion + 1}) {
    sup::v1::Request request = MakeRequest(3);
    request.set_protocol_version(version);
    request.mutable_version();
    const sup::v1::Response response = dispatcher_.Handle(request);
    ASSERT_TRUE(response.has_error()) << version;
    EXPECT_EQ(response.error().code(), sup::v1::Error::FAILED_PRECONDITION);
    EXPECT_NE(response.error().message().find("protocol version " + std::to_string(version)), std::string::npos);
  }
}

TEST_F(ControlDispatcherTest, RequestWithoutVerbIsInvalidArgument) {
  const sup::v1::Response response = dispatcher_.Handle(MakeRequest(4));
  ASSERT_TRUE(response.has_error());
  EXPECT_EQ(response.error().code(), sup::v1::Error::INVALID_ARGUMENT);
}

TEST_F(ControlDispatcherTest, HandleFrameAnswersAValidRequest) {
  sup::v1::Request request = MakeRequest(9);
  request.mutable_version();
  Result<std::string> reply = dispatcher_.HandleFrame(request.SerializeAsString());
  ASSERT_TRUE(reply.ok());
  sup::v1::Response response;
  ASSERT_TRUE(response.ParseFromString(*reply));
  EXPECT_EQ(response.request_id(), 9u);
  EXPECT_TRUE(response.has_version());
}

TEST_F(ControlDispatcherTest, HandleFrameRejectsBytesThatAreNotARequest) {
  // Field 1 as a length-delimited string claiming 100 bytes that are not there.
  Result<std::string> reply = dispatcher_.HandleFrame(std::string("\x0a\x64garbage", 9));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().kind(), ErrorKind::kInvalidArgument);
}

TEST_F(ControlDispatcherTest, EmptyFrameIsARequestWithoutVersion) {
  Result<std::string> reply = dispatcher_.HandleFrame("");
  ASSERT_TRUE(reply.ok());
  sup::v1::Response response;
  ASSERT_TRUE(response.ParseFromString(*reply));
  EXPECT_EQ(response.error().code(), sup::v1::Error::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace sup
