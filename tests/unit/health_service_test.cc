#include "daemon/control/health_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/protocol.h"
#include "tests/fakes/control_fakes.h"
#include "common/config/validate.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
namespace {

using std::chrono::milliseconds;
using Check = sup::v1::HealthCheckResponse;

std::string HealthRequestFrame(const std::string& service, bool watch = false) {
  sup::v1::HealthRequest request;
  request.set_request_id(11);
  request.set_protocol_version(kProtocolVersion);
  (watch ? request.mutable_watch() : request.mutable_check())->set_service(service);
  return request.SerializeAsString();
}

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
    return HealthRequestFrame(service, watch);
  }

  Check::ServingStatus Ask(const std::string& service) {
    testing::RecordingSink sink;
    std::unique_ptr<Session> session = health_.Open(sink, {});
    EXPECT_TRUE(session->OnFrame(CheckRequest(service)).ok());
    return sink.Last<sup::v1::HealthResponse>().check().status();
  }

  testing::FakeEngine engine_;
  StatusBoard board_;
  // Publishes at each event, at once (supd defers to the end of the engine's entry point).
  StatusPublisher publisher_{engine_.supervisor, engine_.events, board_,
                             [](std::function<void()> task) { task(); }};
  HealthService health_{board_, 2};
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

// Answers come from the published status only: until the io thread publishes, a check says what
// was last published, however the engine has moved on; a publication that runs after the entry
// point (as supd defers it) no longer shows a worker removed after its last event.
TEST(HealthReadSideTest, ChecksAnswerFromTheNewestPublishedStatusNotFromTheEngine) {
  testing::FakeEngine engine;
  StatusBoard board;
  std::vector<std::function<void()>> deferred;
  StatusPublisher publisher(
      engine.supervisor, engine.events, board,
      [&](std::function<void()> task) { deferred.push_back(std::move(task)); });
  HealthService health(board);
  const auto ask = [&](const std::string& service) {
    testing::RecordingSink sink;
    std::unique_ptr<Session> session = health.Open(sink, {});
    EXPECT_TRUE(session->OnFrame(HealthRequestFrame(service)).ok());
    const sup::v1::HealthResponse response = sink.Last<sup::v1::HealthResponse>();
    return response.has_error() ? std::string("NOT_FOUND")
                                : Check::ServingStatus_Name(response.check().status());
  };
  config::RawConfig raw;
  raw.workers["a"].values["Command"] = config::RawValue::String("a.exe");
  raw.workers["b"].values["Command"] = config::RawValue::String("b.exe");
  engine.supervisor.ApplyConfig(config::ValidateConfig(raw));
  engine.timers.Advance(milliseconds(1000));
  EXPECT_EQ(ask("a"), "NOT_FOUND");  // nothing published yet
  ASSERT_EQ(deferred.size(), 1u);    // one publication for the whole burst of events
  std::exchange(deferred, {}).front()();
  EXPECT_EQ(ask("a"), "SERVING");
  EXPECT_EQ(ask(""), "SERVING");

  raw.workers.erase("b");  // b stops, then leaves the configuration once its process is gone
  engine.supervisor.ApplyConfig(config::ValidateConfig(raw));
  engine.supervisor.OnExit("b", engine.supervisor.Snapshot("b")->pid, 0);
  EXPECT_EQ(ask("b"), "SERVING");  // the engine has moved on; the board has not
  ASSERT_EQ(deferred.size(), 1u);
  std::exchange(deferred, {}).front()();
  EXPECT_EQ(ask("b"), "NOT_FOUND");
  EXPECT_EQ(ask(""), "SERVING");

  publisher.MarkStopping();
  EXPECT_EQ(ask(""), "NOT_SERVING");
  EXPECT_EQ(ask("a"), "NOT_SERVING");
}

// A FrameSink that may be called from any thread, as supd's connections may (a watch is told of
// a change on the publishing thread while its own thread reads the answer).
class LockedSink final : public FrameSink {
 public:
  void Send(std::string payload) override {
    std::lock_guard lock(mutex_);
    first_ = first_.empty() ? std::move(payload) : first_;
  }
  void End() override {}
  sup::v1::HealthResponse First() {
    std::lock_guard lock(mutex_);
    sup::v1::HealthResponse response;
    EXPECT_TRUE(response.ParseFromString(first_));
    return response;
  }

 private:
  std::mutex mutex_;
  std::string first_;
};

// Checks and watches from many threads while the io thread publishes: every answer is one of
// the published ones, and every watch goes with its session (run under the sanitizers too).
TEST(HealthReadSideTest, ManyThreadsCheckAndWatchWhileStatusesArePublished) {
  StatusBoard board;
  HealthService health(board, 64);
  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      while (!done) {
        LockedSink sink;
        std::unique_ptr<Session> session = health.Open(sink, {});
        EXPECT_TRUE(session->OnFrame(HealthRequestFrame(t % 2 ? "w" : "", t % 4 == 3)).ok());
        const sup::v1::HealthResponse response = sink.First();
        EXPECT_FALSE(response.has_error() && response.error().code() != sup::v1::Error::NOT_FOUND);
        ++answers;
      }
    });
  }
  // At least 2 000 publications, and on until every reader answered at least once in all (on a
  // loaded machine the publications could all be over before a reader ran).
  for (int i = 0; i < 2000 || answers.load() < 8; ++i) {
    engine::WorkerSnapshot worker;
    worker.name = "w";
    worker.state = i % 2 ? WorkerState::kRunning : WorkerState::kBackoff;
    worker.ready = true;
    board.Publish(PublishedStatus{{worker}, false});
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_GT(answers.load(), 0);
  EXPECT_EQ(health.open_watches(), 0u);  // every watch went with its session
}

TEST_F(HealthServiceTest, GarbageClosesTheConnection) {
  testing::RecordingSink sink;
  std::unique_ptr<Session> session = health_.Open(sink, {});
  EXPECT_FALSE(session->OnFrame(std::string("\x0a\x64garbage", 9)).ok());
}

}  // namespace
}  // namespace sup::control
