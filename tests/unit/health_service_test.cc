#include "daemon/control/health_service.h"

#include <gtest/gtest.h>

#include "common/protocol.h"
#include "tests/fakes/control_fakes.h"
#include "common/config/config_schema.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
namespace {

using std::chrono::milliseconds;
using Check = sup::v1::HealthCheckResponse;

class HealthServiceTest : public ::testing::Test {
 protected:
  void Configure(const std::map<std::string, config::RawValues>& workers) {
    config::RawConfig raw;
    for (const auto& [name, values] : workers) {
      raw.workers[name].values = values;
      raw.workers[name].values["Command"] = config::RawValue::String(name + ".exe");
    }
    engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
  }

  static std::string CheckRequest(const std::string& service, bool watch = false) {
    sup::v1::HealthRequest request;
    request.set_request_id(11);
    request.set_protocol_version(kProtocolVersion);
    (watch ? request.mutable_watch() : request.mutable_check())->set_service(service);
    return request.SerializeAsString();
  }

  Check::ServingStatus Ask(const std::string& service) {
    testing::RecordingSink sink;
    std::unique_ptr<Session> session = health_.Open(sink, {});
    EXPECT_TRUE(session->OnFrame(CheckRequest(service)).ok());
    return sink.Last<sup::v1::HealthResponse>().check().status();
  }

  testing::FakeEngine engine_;
  HealthService health_{engine_.supervisor, engine_.events, 2};
};

TEST_F(HealthServiceTest, TheDaemonServesWhenEveryWorkerIsRunningAndReadyOrDone) {
  Configure({{"a", {}}, {"job", {{"Restart", config::RawValue::String("never")}}}});
  EXPECT_EQ(Ask(""), Check::NOT_SERVING);  // STARTING
  EXPECT_EQ(Ask("a"), Check::NOT_SERVING);
  engine_.timers.Advance(milliseconds(1000));
  EXPECT_EQ(Ask(""), Check::SERVING);
  EXPECT_EQ(Ask("a"), Check::SERVING);
  engine_.supervisor.OnExit("job", engine_.supervisor.Snapshot("job")->pid,
                            0);  // a run-once job that is done
  EXPECT_EQ(Ask("job"), Check::SERVING);
  EXPECT_EQ(Ask(""), Check::SERVING);
  engine_.supervisor.Stop(
      {"a"});  // an operator's stop is not where the worker should be, as for `supctl status`
  EXPECT_EQ(Ask("a"), Check::NOT_SERVING);
  EXPECT_EQ(Ask(""), Check::NOT_SERVING);
}

TEST_F(HealthServiceTest, AFailedRunOnceJobOrADisabledWorkerIsNotServing) {
  Configure({{"job", {{"Restart", config::RawValue::String("never")}}},
             {"off", {{"Enabled", config::RawValue::Dword(0)}}}});
  engine_.timers.Advance(milliseconds(1000));
  engine_.supervisor.OnExit("job", engine_.supervisor.Snapshot("job")->pid, 1);
  EXPECT_EQ(engine_.supervisor.Snapshot("job")->state, WorkerState::kExited);
  EXPECT_EQ(Ask("job"), Check::NOT_SERVING);
  EXPECT_EQ(Ask("off"), Check::NOT_SERVING);
  EXPECT_EQ(Ask(""), Check::NOT_SERVING);
}

TEST_F(HealthServiceTest, AnUnknownNameIsNotFound) {
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  ASSERT_TRUE(session->OnFrame(CheckRequest("nosuch")).ok());
  const auto response = sink.Last<sup::v1::HealthResponse>();
  EXPECT_EQ(response.error().code(), sup::v1::Error::NOT_FOUND);
  EXPECT_EQ(response.request_id(), 11u);
}

TEST_F(HealthServiceTest, WatchSendsTheStatusAtOnceThenEachChangeAndEndsWhenSupdStops) {
  Configure({{"a", {}}});
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  ASSERT_TRUE(session->OnFrame(CheckRequest("a", /*watch=*/true)).ok());
  EXPECT_TRUE(session->streaming());
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.Last<sup::v1::HealthResponse>().watch().status(), Check::NOT_SERVING);
  engine_.timers.Advance(milliseconds(1000));
  ASSERT_EQ(sink.frames.size(), 2u);  // only the change, not every event
  EXPECT_EQ(sink.Last<sup::v1::HealthResponse>().watch().status(), Check::SERVING);

  health_.Stop();
  const auto last = sink.Last<sup::v1::HealthResponse>();
  EXPECT_EQ(last.watch().status(), Check::NOT_SERVING);
  EXPECT_TRUE(last.watch().end_of_stream());
  EXPECT_TRUE(sink.ended);
  engine_.timers.Advance(
      milliseconds(1000));  // anything that changes now must not reach the ended watch
  engine_.supervisor.Stop({"a"});
  EXPECT_EQ(sink.sent_after_end, 0u);
  EXPECT_EQ(Ask(""), Check::NOT_SERVING);
  EXPECT_EQ(Ask("a"), Check::NOT_SERVING);
}

TEST_F(HealthServiceTest, WatchesBeyondTheLimitAreRefused) {
  Configure({{"a", {}}});
  std::vector<testing::RecordingSink> sinks(3);
  std::vector<std::unique_ptr<Session>> sessions;
  for (testing::RecordingSink& sink : sinks) {
    sessions.push_back(health_.Open(sink, {}));
    ASSERT_TRUE(sessions.back()->OnFrame(CheckRequest("", true)).ok());
  }
  EXPECT_EQ(health_.open_watches(), 2u);
  EXPECT_EQ(sinks[2].Last<sup::v1::HealthResponse>().error().code(), sup::v1::Error::UNAVAILABLE);
  sessions.clear();
  EXPECT_EQ(health_.open_watches(), 0u);
}

TEST_F(HealthServiceTest, ListShowsTheDaemonFirstThenEveryWorker) {
  Configure({{"b", {}}, {"a", {}}});
  engine_.timers.Advance(milliseconds(1000));
  engine_.supervisor.Stop({"b"});
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  sup::v1::HealthRequest request;
  request.set_protocol_version(kProtocolVersion);
  request.mutable_list();
  ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  const sup::v1::HealthListResponse list = sink.Last<sup::v1::HealthResponse>().list();
  ASSERT_EQ(list.services_size(), 3);
  EXPECT_EQ(list.services(0).service(), "");
  EXPECT_EQ(list.services(0).status(), Check::NOT_SERVING);  // b is not where it should be
  EXPECT_EQ(list.services(1).service(), "a");
  EXPECT_EQ(list.services(1).status(), Check::SERVING);
  EXPECT_EQ(list.services(2).service(), "b");
  EXPECT_EQ(list.services(2).status(), Check::NOT_SERVING);  // STOPPING
}

TEST_F(HealthServiceTest, GarbageClosesTheConnection) {
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  EXPECT_FALSE(session->OnFrame(std::string("\x0a\x64garbage", 9)).ok());
}

}  // namespace
}  // namespace sup::control
