#include "daemon/control/control_dispatcher.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "common/protocol.h"
#include "common/config/validate.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
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
    config::RawConfig raw;
    for (const std::string& name : workers)
      raw.workers[name].values["Command"] = config::RawValue::String(name + ".exe");
    engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
  }

  static sup::v1::Request Command(std::uint64_t id, std::vector<std::string> workers,
                                  bool all = false) {
    sup::v1::Request request = MakeRequest(id);
    for (const std::string& worker : workers) request.mutable_stop()->add_workers(worker);
    request.mutable_stop()->set_all(all);
    return request;
  }

  testing::FakeEngine engine_;
  testing::FakeConfigSource config_;
  ConfigApplier config_apply_{engine_.supervisor, config_};
  testing::FakeOutputSource output_;
  testing::FakeResourceSource resources_;
  DaemonProblems problems_;
  // Each record as "stop api, web by CORP\ops (operator): ok".
  struct RecordingAudit final : AuditSink {
    void Audit(const AuditRecord& record) override {
      std::string workers;
      for (const std::string& worker : record.workers)
        workers += (workers.empty() ? " " : ", ") + worker;
      records.push_back(record.verb + workers + " by " + record.account + " (" + record.role +
                        "): " + record.result);
    }
    std::vector<std::string> records;
  } audit_;
  testing::FakePasswordStore passwords_;
  ControlDispatcher dispatcher_{
      ControlPorts{engine_.clock, engine_.supervisor, config_apply_, output_, engine_.events,
                   resources_, &problems_, &audit_, &passwords_},
      DaemonIdentity{4242, "9.8.7", "3f2a9c1d0b4e"},
      ControlLimits{.max_streams = 2, .processors = 2}};
  testing::RecordingSink sink_;
  const Caller admin_{Role::kAdministrator, "NT AUTHORITY\\SYSTEM"};
};

TEST_F(ControlDispatcherTest, VersionReportsDaemonAndProtocolVersion) {
  sup::v1::Request request = MakeRequest(7);
  request.mutable_version();
  const sup::v1::Response response = dispatcher_.Handle(request);
  EXPECT_EQ(response.request_id(), 7u);
  EXPECT_FALSE(response.has_error());
  EXPECT_EQ(response.version().daemon_version(), "9.8.7");
  EXPECT_EQ(response.version().daemon_commit(), "3f2a9c1d0b4e");
  EXPECT_EQ(response.version().protocol_version(), kProtocolVersion);
}

TEST_F(ControlDispatcherTest, StatusReportsPidVersionUptimeAndServerTime) {
  engine_.clock.Advance(milliseconds(2500));
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

TEST_F(ControlDispatcherTest, StatusCarriesSupdsOwnProblemsWhileTheyLast) {
  sup::v1::Request request = MakeRequest(1);
  request.mutable_status();
  EXPECT_EQ(dispatcher_.Handle(request).status().daemon().problems_size(), 0);
  problems_.Set("http", "http endpoint not listening on 127.0.0.1:9182: in use");
  problems_.Set("pipe sup-control", "pipe held");
  const sup::v1::DaemonStatus daemon = dispatcher_.Handle(request).status().daemon();
  ASSERT_EQ(daemon.problems_size(), 2);
  EXPECT_EQ(daemon.problems(0), "http endpoint not listening on 127.0.0.1:9182: in use");
  EXPECT_EQ(daemon.problems(1), "pipe held");
  problems_.Clear("http");
  EXPECT_EQ(dispatcher_.Handle(request).status().daemon().problems_size(), 1);
}

// "Who stopped the api last night?": every request that changes what runs is audited with the
// caller's account and what came of it, refused ones too; reading verbs are not.
TEST_F(ControlDispatcherTest, EveryChangingRequestIsAuditedWithItsCallerAllowedOrNot) {
  Configure({"api", "web"});
  const Caller operator_{Role::kOperator, "CORP\\ops"};
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, operator_);
  sup::v1::Request stop = Command(1, {"api", "web"});
  ASSERT_TRUE(session->OnFrame(stop.SerializeAsString()).ok());
  sup::v1::Request update = MakeRequest(2);
  update.mutable_update();
  ASSERT_TRUE(session->OnFrame(update.SerializeAsString()).ok());
  sup::v1::Request status = MakeRequest(3);
  status.mutable_status();
  ASSERT_TRUE(session->OnFrame(status.SerializeAsString()).ok());
  sup::v1::Request restart = MakeRequest(4);
  restart.mutable_restart()->set_all(true);
  std::unique_ptr<Session> admin = dispatcher_.Open(sink_, admin_);
  ASSERT_TRUE(admin->OnFrame(restart.SerializeAsString()).ok());
  EXPECT_EQ(audit_.records,
            (std::vector<std::string>{"stop api, web by CORP\\ops (operator): ok",
                                      "update all by CORP\\ops (operator): permission_denied",
                                      "restart all by NT AUTHORITY\\SYSTEM (administrator): ok"}));
}

TEST_F(ControlDispatcherTest, StatusListsEveryWorkerOrTheNamedOnes) {
  Configure({"api", "web"});
  engine_.timers.Advance(std::chrono::milliseconds(1000));
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

// Resources are sampled for the running workers only, when asked; CPU percent is over the time
// since the previous Status (100 = one CPU busy), and a stopped worker has none.
TEST_F(ControlDispatcherTest, StatusSamplesTheResourcesOfRunningWorkersWhenAsked) {
  Configure({"api", "web"});
  engine_.timers.Advance(milliseconds(1000));
  ASSERT_FALSE(dispatcher_.Handle(Command(3, {"web"})).has_error());
  engine_.supervisor.OnExit("web", engine_.supervisor.Snapshot("web")->pid, 0);  // web stopped
  control::ResourceSample api;
  api.launch = 1;
  api.launched_at = engine_.clock.SteadyNow() - std::chrono::seconds(10);
  api.sampled_at = engine_.clock.SteadyNow();
  api.cpu_user = std::chrono::seconds(1);
  api.cpu_kernel = std::chrono::seconds(1);
  api.working_set_bytes = 150u << 20;
  api.private_bytes = 120u << 20;
  api.processes = 3;
  api.handles = 210;
  api.io_read_bytes = 4096;
  api.io_write_bytes = 8192;
  resources_.samples["api"] = api;
  resources_.samples["web"] = api;  // were it asked: it is not running
  sup::v1::Request request = MakeRequest(4);
  request.mutable_status();

  sup::v1::Response response = dispatcher_.Handle(request);
  ASSERT_EQ(response.status().workers_size(), 2);
  ASSERT_EQ(resources_.asked, (std::vector<std::vector<std::string>>{{"api"}}));
  const sup::v1::WorkerResources& first = response.status().workers(0).resources();
  EXPECT_DOUBLE_EQ(first.cpu_seconds(), 2.0);
  EXPECT_DOUBLE_EQ(first.cpu_percent(), 20.0);  // 2 s of CPU over its 10 s of life
  EXPECT_EQ(first.working_set_bytes(), 150u << 20);
  EXPECT_EQ(first.private_bytes(), 120u << 20);
  EXPECT_EQ(first.processes(), 3u);
  EXPECT_EQ(first.handles(), 210u);
  EXPECT_EQ(first.io_read_bytes(), 4096u);
  EXPECT_EQ(first.io_write_bytes(), 8192u);
  EXPECT_FALSE(response.status().workers(1).has_resources());

  engine_.clock.Advance(milliseconds(4000));
  resources_.samples["api"].sampled_at = engine_.clock.SteadyNow();
  resources_.samples["api"].cpu_user += std::chrono::seconds(6);  // two CPUs busy for 3 of 4 s
  response = dispatcher_.Handle(request);
  EXPECT_DOUBLE_EQ(response.status().workers(0).resources().cpu_percent(), 150.0);

  engine_.clock.Advance(milliseconds(1000));
  resources_.samples["api"].launch = 2;  // a new process: its own life so far
  resources_.samples["api"].launched_at = engine_.clock.SteadyNow() - std::chrono::seconds(4);
  resources_.samples["api"].sampled_at = engine_.clock.SteadyNow();
  resources_.samples["api"].cpu_user = std::chrono::seconds(1);
  resources_.samples["api"].cpu_kernel = std::chrono::seconds(0);
  response = dispatcher_.Handle(request);
  EXPECT_DOUBLE_EQ(response.status().workers(0).resources().cpu_percent(), 25.0);
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

// Crash `worker` and let its backoff end, `times` times: its restart counter grows.
void CrashAndRestart(engine::Supervisor& supervisor, testing::ManualTimers& timers,
                     const std::string& worker, int times) {
  for (int i = 0; i < times; ++i) {
    supervisor.OnExit(worker, supervisor.Snapshot(worker)->pid, 1);
    timers.Advance(milliseconds(60'000));
  }
}

TEST_F(ControlDispatcherTest, ResetClearsTheRestartCounterOfTheNamedWorkersOrAll) {
  Configure({"api", "web"});
  CrashAndRestart(engine_.supervisor, engine_.timers, "api", 2);
  CrashAndRestart(engine_.supervisor, engine_.timers, "web", 1);
  ASSERT_EQ(engine_.supervisor.Snapshot("api")->restarts, 2u);

  sup::v1::Request reset = MakeRequest(1);
  reset.mutable_reset()->add_workers("api");
  reset.mutable_reset()->add_workers("nosuch");
  const sup::v1::Response one = dispatcher_.Handle(reset);
  ASSERT_FALSE(one.has_error()) << one.error().message();
  ASSERT_EQ(one.reset().results_size(), 2);
  EXPECT_EQ(one.reset().results(0).worker(), "api");
  EXPECT_EQ(one.reset().results(0).outcome(), sup::v1::WorkerCommandResult::DONE);
  EXPECT_EQ(one.reset().results(0).message(), "reset");
  EXPECT_EQ(one.reset().results(1).outcome(), sup::v1::WorkerCommandResult::NOT_FOUND);
  EXPECT_EQ(engine_.supervisor.Snapshot("api")->restarts, 0u);
  EXPECT_EQ(engine_.supervisor.Snapshot("web")->restarts, 1u);  // not named: untouched

  sup::v1::Request all = MakeRequest(2);
  all.mutable_reset()->set_all(true);
  EXPECT_EQ(dispatcher_.Handle(all).reset().results_size(), 2);
  EXPECT_EQ(engine_.supervisor.Snapshot("web")->restarts, 0u);
}

TEST_F(ControlDispatcherTest, CommandMustNameWorkersOrAllButNotBoth) {
  Configure({"api"});
  for (const sup::v1::Request& request : {Command(8, {}), Command(9, {"api"}, /*all=*/true)}) {
    const sup::v1::Response response = dispatcher_.Handle(request);
    ASSERT_TRUE(response.has_error());
    EXPECT_EQ(response.error().code(), sup::v1::Error::INVALID_ARGUMENT);
  }
  EXPECT_TRUE(engine_.launcher.kills.empty() && engine_.launcher.stop_requests.empty());
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
    EXPECT_NE(response.error().message().find("protocol version " + std::to_string(version)),
              std::string::npos);
  }
}

TEST_F(ControlDispatcherTest, RequestWithoutVerbIsInvalidArgument) {
  const sup::v1::Response response = dispatcher_.Handle(MakeRequest(4));
  ASSERT_TRUE(response.has_error());
  EXPECT_EQ(response.error().code(), sup::v1::Error::INVALID_ARGUMENT);
}

TEST_F(ControlDispatcherTest, SessionAnswersAValidRequest) {
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
  sup::v1::Request request = MakeRequest(9);
  request.mutable_version();
  ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  ASSERT_EQ(sink_.frames.size(), 1u);
  const auto response = sink_.Last<sup::v1::Response>();
  EXPECT_EQ(response.request_id(), 9u);
  EXPECT_TRUE(response.has_version());
  EXPECT_FALSE(session->streaming());
}

// Every answered request is counted by verb and result (sup_control_requests_total), a refusal
// of the verb to the caller's role included.
TEST_F(ControlDispatcherTest, AnsweredRequestsAreCountedByVerbAndResult) {
  std::unique_ptr<Session> admin = dispatcher_.Open(sink_, admin_);
  std::unique_ptr<Session> nobody = dispatcher_.Open(sink_, Caller{Role::kNone, "BOB"});
  sup::v1::Request status = MakeRequest(1);
  status.mutable_status();
  ASSERT_TRUE(admin->OnFrame(status.SerializeAsString()).ok());
  ASSERT_TRUE(admin->OnFrame(status.SerializeAsString()).ok());
  status.mutable_status()->add_workers("nosuch");
  ASSERT_TRUE(admin->OnFrame(status.SerializeAsString()).ok());
  ASSERT_TRUE(nobody->OnFrame(Command(2, {"api"}).SerializeAsString()).ok());
  EXPECT_EQ(dispatcher_.request_counts(),
            (ControlDispatcher::RequestCounts{{{"status", "ok"}, 2},
                                              {{"status", "not_found"}, 1},
                                              {{"stop", "permission_denied"}, 1}}));
}

TEST_F(ControlDispatcherTest, SessionRejectsBytesThatAreNotARequest) {
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
  // Field 1 as a length-delimited string claiming 100 bytes that are not there.
  Result<void> handled = session->OnFrame(std::string("\x0a\x64garbage", 9));
  ASSERT_FALSE(handled.ok());
  EXPECT_EQ(handled.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_TRUE(sink_.frames.empty());
}

TEST_F(ControlDispatcherTest, EmptyFrameIsARequestWithoutVersion) {
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
  ASSERT_TRUE(session->OnFrame("").ok());
  EXPECT_EQ(sink_.Last<sup::v1::Response>().error().code(), sup::v1::Error::FAILED_PRECONDITION);
}

// ---------------------------------------------------------------------------------------------
// Describe, Logs, Events

TEST_F(ControlDispatcherTest, DescribeShowsStatusConfigurationEventsAndOutput) {
  Configure({"api"});
  engine_.timers.Advance(milliseconds(1000));
  output_.Print("api", OutputStream::kStdout, {"listening on 8080"});
  output_.Print("api", OutputStream::kStderr, {"warning: cache cold"});
  sup::v1::Request request = MakeRequest(3);
  request.mutable_describe()->set_worker("api");
  const sup::v1::Response response = dispatcher_.Handle(request);
  ASSERT_TRUE(response.has_describe()) << response.error().message();
  const sup::v1::DescribeResponse& describe = response.describe();
  EXPECT_EQ(describe.status().name(), "api");
  EXPECT_EQ(describe.status().state(), sup::v1::WorkerStatus::RUNNING);
  std::map<std::string, std::string> config;
  for (const sup::v1::ConfigValue& value : describe.config()) config[value.name()] = value.value();
  EXPECT_EQ(config["Command"], "api.exe");
  EXPECT_EQ(config["Restart"], "always");  // defaults are shown too
  EXPECT_EQ(config["StopSteps"], "event,ctrl-c,close,terminate");
  ASSERT_GE(describe.recent_events_size(), 2);  // added, then STARTING and RUNNING
  EXPECT_EQ(describe.recent_events(describe.recent_events_size() - 1).to(),
            sup::v1::WorkerStatus::RUNNING);
  EXPECT_EQ(std::vector<std::string>(describe.stdout_tail().begin(), describe.stdout_tail().end()),
            std::vector<std::string>{"listening on 8080"});
  EXPECT_EQ(describe.stderr_tail_size(), 1);
  EXPECT_FALSE(describe.shared_tail());
}

// StdoutLog and StderrLog name one file: one writer, one tail, sent once (both streams' Tail
// return the same lines) and said to be shared.
TEST_F(ControlDispatcherTest, DescribeSendsOneTailWhenStdoutAndStderrShareAFile) {
  config::RawConfig raw;
  raw.workers["api"].values["Command"] = config::RawValue::String("api.exe");
  raw.workers["api"].values["StdoutLog"] = config::RawValue::String("C:\\logs\\api.log");
  raw.workers["api"].values["StderrLog"] = config::RawValue::String("c:\\logs\\API.LOG");
  engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
  for (const OutputStream stream : {OutputStream::kStdout, OutputStream::kStderr})
    output_.Print("api", stream, {"out line", "err line"});
  sup::v1::Request request = MakeRequest(3);
  request.mutable_describe()->set_worker("api");
  const sup::v1::DescribeResponse describe = dispatcher_.Handle(request).describe();
  EXPECT_TRUE(describe.shared_tail());
  EXPECT_EQ(describe.stdout_tail_size(), 2);
  EXPECT_EQ(describe.stderr_tail_size(), 0);
}

TEST_F(ControlDispatcherTest, DescribeOfAnUnknownWorkerIsNotFound) {
  sup::v1::Request request = MakeRequest(3);
  request.mutable_describe()->set_worker("nosuch");
  EXPECT_EQ(dispatcher_.Handle(request).error().code(), sup::v1::Error::NOT_FOUND);
}

TEST_F(ControlDispatcherTest, LogsSendsTheLastLinesAskedFor) {
  Configure({"api"});
  output_.Print("api", OutputStream::kStdout, {"1", "2", "3"});
  sup::v1::Request request = MakeRequest(5);
  request.mutable_logs()->set_worker("api");
  request.mutable_logs()->set_lines(2);
  const sup::v1::Response response = dispatcher_.Handle(request);
  EXPECT_EQ(
      std::vector<std::string>(response.logs().lines().begin(), response.logs().lines().end()),
      (std::vector<std::string>{"2", "3"}));

  request.mutable_logs()->set_error_stream(true);  // stderr of api is not captured
  const sup::v1::Response not_captured = dispatcher_.Handle(request);
  EXPECT_EQ(not_captured.error().code(), sup::v1::Error::FAILED_PRECONDITION);
  EXPECT_NE(not_captured.error().message().find("not captured"), std::string::npos);

  request.mutable_logs()->set_worker("nosuch");
  EXPECT_EQ(dispatcher_.Handle(request).error().code(), sup::v1::Error::NOT_FOUND);
}

TEST_F(ControlDispatcherTest, StatusAndDescribeSayWhatFailsWithAWorkersLogs) {
  Configure({"api", "web"});
  output_.problems["api"] = "stdout: log rotation failing since 2026-11-30T12:04:05.000Z: denied";
  sup::v1::Request status = MakeRequest(1);
  status.mutable_status();
  const sup::v1::Response reply = dispatcher_.Handle(status);
  ASSERT_EQ(reply.status().workers_size(), 2);
  EXPECT_NE(reply.status().workers(0).description().find("; stdout: log rotation failing since"),
            std::string::npos)
      << reply.status().workers(0).description();
  EXPECT_EQ(reply.status().workers(1).description().find("log rotation"), std::string::npos);
  sup::v1::Request describe = MakeRequest(2);
  describe.mutable_describe()->set_worker("api");
  EXPECT_NE(dispatcher_.Handle(describe).describe().status().description().find("denied"),
            std::string::npos);
}

// A worker printing 60 000-byte lines: with a 4096-byte frame limit, describe, logs and a followed
// chunk still fit, and a reply that cannot fit becomes an error reply on a connection that stays.
class SmallFrameDispatcherTest : public ControlDispatcherTest {
 protected:
  static constexpr std::size_t kLimit = 4096;
  ControlDispatcher small_{ControlPorts{engine_.clock, engine_.supervisor, config_apply_, output_,
                                        engine_.events, resources_},
                           DaemonIdentity{1, "1", ""},
                           ControlLimits{.max_streams = 2, .max_frame_bytes = kLimit}};
};

TEST_F(SmallFrameDispatcherTest, HugeLinesAreTrimmedToFitEveryReply) {
  Configure({"api"});
  const std::string huge(60'000, 'x');
  output_.Print("api", OutputStream::kStdout, {"first", huge, huge, "last"});
  output_.Print("api", OutputStream::kStderr, {huge});
  std::unique_ptr<Session> session = small_.Open(sink_, admin_);

  sup::v1::Request logs = MakeRequest(1);
  logs.mutable_logs()->set_worker("api");
  logs.mutable_logs()->set_lines(20);
  ASSERT_TRUE(session->OnFrame(logs.SerializeAsString()).ok());
  sup::v1::Request describe = MakeRequest(2);
  describe.mutable_describe()->set_worker("api");
  ASSERT_TRUE(session->OnFrame(describe.SerializeAsString()).ok());
  ASSERT_EQ(sink_.frames.size(), 2u);
  for (const std::string& frame : sink_.frames) EXPECT_LE(frame.size(), kLimit);

  const auto logged = sink_.Frame<sup::v1::Response>(0);
  ASSERT_FALSE(logged.has_error()) << logged.error().message();
  ASSERT_GE(logged.logs().lines_size(), 2);
  EXPECT_EQ(logged.logs().lines(logged.logs().lines_size() - 1), "last");
  EXPECT_NE(logged.logs().lines(0).find("older lines left out"), std::string::npos);
  const auto described = sink_.Frame<sup::v1::Response>(1);
  ASSERT_FALSE(described.has_error()) << described.error().message();
  EXPECT_EQ(described.describe().stdout_tail(described.describe().stdout_tail_size() - 1), "last");
  ASSERT_EQ(described.describe().stderr_tail_size(), 1);
  EXPECT_NE(described.describe().stderr_tail(0).find("bytes cut]"), std::string::npos);
}

TEST_F(SmallFrameDispatcherTest, AFollowedChunkIsSplitOverFramesThatFit) {
  Configure({"api"});
  output_.Print("api", OutputStream::kStdout, {});
  std::unique_ptr<Session> session = small_.Open(sink_, admin_);
  sup::v1::Request request = MakeRequest(3);
  request.mutable_logs()->set_worker("api");
  request.mutable_logs()->set_follow(true);
  ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  std::vector<std::string> chunk;
  for (int i = 0; i < 100; ++i)
    chunk.push_back("line " + std::to_string(i) + std::string(200, '.'));
  output_.Print("api", OutputStream::kStdout, chunk);
  std::vector<std::string> streamed;
  for (std::size_t i = 1; i < sink_.frames.size(); ++i) {
    EXPECT_LE(sink_.frames[i].size(), kLimit);
    const auto frame = sink_.Frame<sup::v1::Response>(i);
    streamed.insert(streamed.end(), frame.logs().lines().begin(), frame.logs().lines().end());
  }
  EXPECT_GT(sink_.frames.size(), 3u);
  EXPECT_EQ(streamed, chunk);
}

TEST_F(SmallFrameDispatcherTest, AReplyThatCannotFitIsAnErrorAndTheConnectionStays) {
  // A configuration value alone larger than the limit: nothing of it can be left out.
  config::RawConfig raw;
  raw.workers["api"].values["Command"] =
      config::RawValue::String("api.exe " + std::string(5000, 'a'));
  engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
  std::unique_ptr<Session> session = small_.Open(sink_, admin_);
  sup::v1::Request describe = MakeRequest(4);
  describe.mutable_describe()->set_worker("api");
  ASSERT_TRUE(session->OnFrame(describe.SerializeAsString()).ok());
  const auto reply = sink_.Frame<sup::v1::Response>(0);
  EXPECT_EQ(reply.request_id(), 4u);
  ASSERT_TRUE(reply.has_error());
  EXPECT_NE(reply.error().message().find("does not fit MaxFrameBytes (4096)"), std::string::npos);
  EXPECT_FALSE(sink_.ended);
  sup::v1::Request version = MakeRequest(5);
  version.mutable_version();
  ASSERT_TRUE(session->OnFrame(version.SerializeAsString()).ok());
  EXPECT_FALSE(sink_.Frame<sup::v1::Response>(1).has_error());
}

TEST_F(ControlDispatcherTest, FollowingLogsStreamsNewLinesUntilSupdStops) {
  Configure({"api"});
  output_.Print("api", OutputStream::kStdout, {"old"});
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
  sup::v1::Request request = MakeRequest(8);
  request.mutable_logs()->set_worker("api");
  request.mutable_logs()->set_lines(10);
  request.mutable_logs()->set_follow(true);
  ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  EXPECT_TRUE(session->streaming());
  EXPECT_EQ(dispatcher_.open_streams(), 1u);
  output_.Print("api", OutputStream::kStdout, {"new 1", "new 2"});
  output_.Print("api", OutputStream::kStderr, {"not this stream"});
  ASSERT_EQ(sink_.frames.size(), 2u);
  EXPECT_EQ(sink_.Frame<sup::v1::Response>(0).logs().lines(0), "old");
  const auto streamed = sink_.Frame<sup::v1::Response>(1);
  EXPECT_EQ(streamed.request_id(), 8u);
  EXPECT_EQ(
      std::vector<std::string>(streamed.logs().lines().begin(), streamed.logs().lines().end()),
      (std::vector<std::string>{"new 1", "new 2"}));

  // A follower sends nothing more; anything it does send is not our protocol.
  EXPECT_FALSE(session->OnFrame(request.SerializeAsString()).ok());

  dispatcher_.EndStreams();
  EXPECT_TRUE(sink_.Last<sup::v1::Response>().logs().end_of_stream());
  EXPECT_TRUE(sink_.ended);
  EXPECT_EQ(dispatcher_.open_streams(), 0u);
  output_.Print("api", OutputStream::kStdout, {"after the end"});
  EXPECT_EQ(sink_.frames.size(), 3u);
  EXPECT_EQ(sink_.sent_after_end, 0u);
  EXPECT_EQ(sink_.ended_again, 0u);
}

TEST_F(ControlDispatcherTest, FollowingAStreamThatEndsEndsTheStreamAndLeavesOthersOpen) {
  Configure({"api", "web"});
  output_.Print("api", OutputStream::kStdout, {});
  output_.Print("web", OutputStream::kStdout, {});
  testing::RecordingSink web_sink;
  std::unique_ptr<Session> api = dispatcher_.Open(sink_, admin_);
  std::unique_ptr<Session> web = dispatcher_.Open(web_sink, admin_);
  for (auto [session, worker] : {std::pair(api.get(), "api"), std::pair(web.get(), "web")}) {
    sup::v1::Request request = MakeRequest(8);
    request.mutable_logs()->set_worker(worker);
    request.mutable_logs()->set_follow(true);
    ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  }
  ASSERT_EQ(dispatcher_.open_streams(), 2u);

  output_.EndStream("api", OutputStream::kStdout);  // api was removed
  EXPECT_TRUE(sink_.Last<sup::v1::Response>().logs().end_of_stream());
  EXPECT_EQ(sink_.Last<sup::v1::Response>().request_id(), 8u);
  EXPECT_TRUE(sink_.ended);
  EXPECT_FALSE(api->streaming());
  EXPECT_EQ(dispatcher_.open_streams(), 1u);
  EXPECT_EQ(output_.followers[std::pair("api", OutputStream::kStdout)].size(), 0u);

  output_.Print("web", OutputStream::kStdout, {"still here"});
  EXPECT_EQ(web_sink.Last<sup::v1::Response>().logs().lines(0), "still here");
  EXPECT_FALSE(web_sink.ended);
  dispatcher_.EndStreams();  // supd stops: the ended stream is not ended twice
  EXPECT_EQ(sink_.ended_again, 0u);
  EXPECT_EQ(sink_.sent_after_end, 0u);
  EXPECT_TRUE(web_sink.ended);
}

TEST_F(ControlDispatcherTest, AFollowerThatGoesAwayStopsFollowing) {
  Configure({"api"});
  output_.Print("api", OutputStream::kStdout, {});
  {
    std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
    sup::v1::Request request = MakeRequest(8);
    request.mutable_logs()->set_worker("api");
    request.mutable_logs()->set_follow(true);
    ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
    EXPECT_EQ(output_.followers[std::pair("api", OutputStream::kStdout)].size(), 1u);
  }
  EXPECT_EQ(output_.followers[std::pair("api", OutputStream::kStdout)].size(), 0u);
  EXPECT_EQ(dispatcher_.open_streams(), 0u);
}

TEST_F(ControlDispatcherTest, StreamsBeyondTheLimitAreRefused) {
  Configure({"api"});
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<testing::RecordingSink> sinks(3);
  for (testing::RecordingSink& sink : sinks) {
    sessions.push_back(dispatcher_.Open(sink, admin_));
    sup::v1::Request request = MakeRequest(1);
    request.mutable_events()->set_follow(true);
    ASSERT_TRUE(sessions.back()->OnFrame(request.SerializeAsString()).ok());
  }
  EXPECT_FALSE(sinks[1].Last<sup::v1::Response>().has_error());
  const auto refused = sinks[2].Last<sup::v1::Response>();
  EXPECT_EQ(refused.error().code(), sup::v1::Error::UNAVAILABLE);
  EXPECT_NE(refused.error().message().find("MaxStreams is 2"), std::string::npos);
  EXPECT_FALSE(sessions[2]->streaming());
}

TEST_F(ControlDispatcherTest, EventsSendsTheRecentOnesThenFollowsNewOnes) {
  Configure({"a", "b"});
  engine_.timers.Advance(milliseconds(1000));
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, admin_);
  sup::v1::Request request = MakeRequest(2);
  request.mutable_events()->set_limit(3);
  request.mutable_events()->set_follow(true);
  ASSERT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
  const auto first = sink_.Frame<sup::v1::Response>(0);
  ASSERT_EQ(first.events().events_size(), 3);
  for (int i = 1; i < 3; ++i) {
    EXPECT_LE(first.events().events(i - 1).time_unix_ms(), first.events().events(i).time_unix_ms());
  }
  engine_.supervisor.Stop({"a"});
  const auto streamed = sink_.Last<sup::v1::Response>();
  ASSERT_EQ(streamed.events().events_size(), 1);
  EXPECT_EQ(streamed.events().events(0).worker(), "a");
  EXPECT_EQ(streamed.events().events(0).to(), sup::v1::WorkerStatus::STOPPING);
  EXPECT_EQ(streamed.events().events(0).reason(), sup::v1::WorkerStatus::OPERATOR);
}

// A removed worker's last events stay in `supctl events` (they once vanished with its ring).
TEST_F(ControlDispatcherTest, ARemovedWorkersLastEventsOutliveIt) {
  Configure({"a", "b"});
  engine_.timers.Advance(milliseconds(1000));
  const std::uint32_t b_pid = engine_.supervisor.Snapshot("b")->pid;
  config::RawConfig only_a;
  only_a.workers["a"].values["Command"] = config::RawValue::String("a.exe");
  engine_.supervisor.ApplyConfig(config::ValidateConfig(only_a));
  engine_.supervisor.OnExit("b", b_pid, 0);
  ASSERT_FALSE(engine_.supervisor.Snapshot("b").has_value());
  sup::v1::Request request = MakeRequest(3);
  request.mutable_events()->set_limit(100);
  const sup::v1::EventsResponse events = dispatcher_.Handle(request).events();
  bool removed = false, stopped = false;
  for (const sup::v1::Event& event : events.events()) {
    if (event.worker() != "b") continue;
    removed = removed || event.message().find("removed") != std::string::npos;
    stopped = stopped || event.to() == sup::v1::WorkerStatus::STOPPED;
  }
  EXPECT_TRUE(removed);
  EXPECT_TRUE(stopped);
}

// ---------------------------------------------------------------------------------------------
// Reread and Update

TEST_F(ControlDispatcherTest, RereadShowsTheDifferenceAndChangesNothing) {
  Configure({"a", "b"});
  config_.raw.workers["a"].values["Command"] = config::RawValue::String("a2.exe");  // launch change
  config_.raw.workers["b"].values["Command"] = config::RawValue::String("b.exe");
  config_.raw.workers["b"].values["MaxFailures"] = config::RawValue::Dword(9);  // policy only
  config_.raw.workers["c"].values["Command"] = config::RawValue::String("c.exe");
  config_.raw.workers["d"].values["MaxFailures"] = config::RawValue::Dword(9);  // no Command
  const std::uint64_t generation = engine_.supervisor.config_generation();
  sup::v1::Request request = MakeRequest(1);
  request.mutable_reread();
  const sup::v1::ConfigDiffResponse diff = dispatcher_.Handle(request).reread();
  EXPECT_EQ(std::vector<std::string>(diff.added().begin(), diff.added().end()),
            std::vector<std::string>{"c"});
  EXPECT_EQ(std::vector<std::string>(diff.restarted().begin(), diff.restarted().end()),
            std::vector<std::string>{"a"});
  EXPECT_EQ(std::vector<std::string>(diff.updated().begin(), diff.updated().end()),
            std::vector<std::string>{"b"});
  EXPECT_EQ(std::vector<std::string>(diff.invalid().begin(), diff.invalid().end()),
            std::vector<std::string>{"d"});
  ASSERT_EQ(diff.errors_size(), 1);
  EXPECT_NE(diff.errors(0).find("Command"), std::string::npos);
  EXPECT_EQ(engine_.supervisor.config_generation(), generation);
  EXPECT_FALSE(engine_.supervisor.Snapshot("c"));
}

TEST_F(ControlDispatcherTest, UpdateAppliesTheDifferenceOrOnlyThatOfTheNamedWorkers) {
  Configure({"a", "b"});
  config_.raw.workers["a"].values["Command"] = config::RawValue::String("a2.exe");
  config_.raw.workers["c"].values["Command"] = config::RawValue::String("c.exe");  // b removed

  sup::v1::Request named = MakeRequest(1);
  named.mutable_update()->add_workers("a");
  const sup::v1::ConfigDiffResponse only_a = dispatcher_.Handle(named).update();
  EXPECT_EQ(std::vector<std::string>(only_a.restarted().begin(), only_a.restarted().end()),
            std::vector<std::string>{"a"});
  EXPECT_TRUE(only_a.removed().empty());
  EXPECT_TRUE(engine_.supervisor.Snapshot("b"));   // its removal was not asked for
  EXPECT_FALSE(engine_.supervisor.Snapshot("c"));  // nor was its addition

  sup::v1::Request unknown = MakeRequest(2);
  unknown.mutable_update()->add_workers("zzz");
  const sup::v1::Response refused = dispatcher_.Handle(unknown);
  EXPECT_EQ(refused.error().code(), sup::v1::Error::NOT_FOUND);
  EXPECT_NE(refused.error().message().find("zzz"), std::string::npos);

  sup::v1::Request all = MakeRequest(3);
  all.mutable_update();
  const sup::v1::ConfigDiffResponse rest = dispatcher_.Handle(all).update();
  EXPECT_EQ(std::vector<std::string>(rest.added().begin(), rest.added().end()),
            std::vector<std::string>{"c"});
  EXPECT_EQ(std::vector<std::string>(rest.removed().begin(), rest.removed().end()),
            std::vector<std::string>{"b"});
  EXPECT_TRUE(engine_.supervisor.Snapshot("c"));
}

TEST_F(ControlDispatcherTest, UpdateWhenTheRegistryCannotBeReadIsUnavailable) {
  config_.failure = Error(ErrorKind::kUnavailable, "key HKLM\\SOFTWARE\\Sup is missing");
  sup::v1::Request request = MakeRequest(1);
  request.mutable_update();
  const sup::v1::Response response = dispatcher_.Handle(request);
  EXPECT_EQ(response.error().code(), sup::v1::Error::UNAVAILABLE);
  EXPECT_NE(response.error().message().find("is missing"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Authorisation

TEST_F(ControlDispatcherTest, OperatorsMayReadAndStartStopButNotReconfigure) {
  Configure({"api"});
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, {Role::kOperator, "CORP\\ops"});
  sup::v1::Request status = MakeRequest(1);
  status.mutable_status();
  ASSERT_TRUE(session->OnFrame(status.SerializeAsString()).ok());
  EXPECT_FALSE(sink_.Last<sup::v1::Response>().has_error());

  // Stop and start, and what each did to the worker: taken down, then launched again.
  ASSERT_EQ(engine_.launcher.LaunchCount("api"), 1u);
  sup::v1::Request stop = MakeRequest(10);
  stop.mutable_stop()->add_workers("api");
  ASSERT_TRUE(session->OnFrame(stop.SerializeAsString()).ok());
  const auto stopped = sink_.Last<sup::v1::Response>();
  ASSERT_FALSE(stopped.has_error()) << stopped.error().message();
  ASSERT_EQ(stopped.stop().results_size(), 1);
  EXPECT_EQ(stopped.stop().results(0).outcome(), sup::v1::WorkerCommandResult::DONE);
  ASSERT_FALSE(engine_.launcher.stop_requests.empty());
  EXPECT_EQ(engine_.launcher.stop_requests.back().first, "api");
  engine_.supervisor.OnExit("api", engine_.launcher.next_pid - 1, 0);
  EXPECT_TRUE(engine_.supervisor.Snapshot().front().stopped_by_operator);

  sup::v1::Request start = MakeRequest(11);
  start.mutable_start()->add_workers("api");
  ASSERT_TRUE(session->OnFrame(start.SerializeAsString()).ok());
  const auto started = sink_.Last<sup::v1::Response>();
  ASSERT_FALSE(started.has_error()) << started.error().message();
  EXPECT_EQ(started.start().results(0).outcome(), sup::v1::WorkerCommandResult::DONE);
  EXPECT_EQ(engine_.launcher.LaunchCount("api"), 2u);
  EXPECT_FALSE(engine_.supervisor.Snapshot().front().stopped_by_operator);

  sup::v1::Request update = MakeRequest(2);
  update.mutable_update();
  ASSERT_TRUE(session->OnFrame(update.SerializeAsString()).ok());
  const auto denied = sink_.Last<sup::v1::Response>();
  EXPECT_EQ(denied.error().code(), sup::v1::Error::PERMISSION_DENIED);
  EXPECT_NE(denied.error().message().find("update is not allowed for CORP\\ops (operator)"),
            std::string::npos);

  sup::v1::Request reset = MakeRequest(3);  // the breaker an administrator relies on
  reset.mutable_reset()->set_all(true);
  ASSERT_TRUE(session->OnFrame(reset.SerializeAsString()).ok());
  EXPECT_EQ(sink_.Last<sup::v1::Response>().error().code(), sup::v1::Error::PERMISSION_DENIED);
}

TEST_F(ControlDispatcherTest, CallersWithoutARoleMayUseNoControlVerb) {
  std::unique_ptr<Session> session = dispatcher_.Open(sink_, {Role::kNone, "CORP\\guest"});
  sup::v1::Request version = MakeRequest(1);
  version.mutable_version();
  ASSERT_TRUE(session->OnFrame(version.SerializeAsString()).ok());
  EXPECT_EQ(sink_.Last<sup::v1::Response>().error().code(), sup::v1::Error::PERMISSION_DENIED);
}

}  // namespace
}  // namespace sup::control
