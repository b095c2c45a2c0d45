#include "daemon/control/config_apply.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/protocol.h"
#include "daemon/control/control_dispatcher.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
namespace {

// Every call of the daemon's side, in order, as "warn: ...", "info: ...", "adopt operators=...",
// "check key".
class RecordingHost final : public ConfigApplyHost {
 public:
  std::optional<std::uint64_t> AllowRequestLines() override { return allow; }
  void Warn(const std::string& line) override { calls.push_back("warn: " + line); }
  void Info(const std::string& line) override { calls.push_back("info: " + line); }
  void AdoptDaemonValues(const DaemonConfig& daemon) override {
    calls.push_back("adopt operators=" + daemon.operators_group);
  }
  void CheckConfigKey() override { calls.push_back("check key"); }

  std::optional<std::uint64_t> allow = 0;
  std::vector<std::string> calls;
};

// One supd's configuration side: the engine, the registry it reads, the daemon's side, the event
// log, and the control plane's `update` on top.
struct ApplyFixture {
  ApplyFixture() {
    source.raw.daemon["OperatorsGroup"] = config::RawValue::String("CORP\\ops");
    source.raw.workers["api"].values["Command"] = config::RawValue::String("api.exe");
    source.raw.workers["web"].values["Command"] = config::RawValue::String("web.exe");
    source.raw.workers["broken"].values["StopTimeoutMs"] = config::RawValue::Dword(5);
  }
  // The update verb as a client sends it.
  sup::v1::Response Update(std::vector<std::string> workers = {}) {
    sup::v1::Request request;
    request.set_request_id(1);
    request.set_protocol_version(kProtocolVersion);
    request.mutable_update();
    for (const std::string& worker : workers) request.mutable_update()->add_workers(worker);
    return dispatcher.Handle(request);
  }
  std::vector<std::string> Workers() {
    std::vector<std::string> names;
    for (const engine::WorkerSnapshot& worker : engine.supervisor.Snapshot())
      names.push_back(worker.name + " " + std::to_string(static_cast<int>(worker.state)));
    return names;
  }

  testing::FakeEngine engine;
  testing::FakeConfigSource source;
  RecordingHost host;
  testing::RecordingEventLog event_log;
  ConfigApplier applier{engine.supervisor, source, &host, &event_log};
  testing::FakeOutputSource output;
  testing::FakeResourceSource resources;
  ControlDispatcher dispatcher{
      ControlPorts{engine.clock, engine.supervisor, applier, output, engine.events, resources},
      DaemonIdentity{1, "1", ""}};
};

// The lines of `host` with the trigger's name made neutral, so two triggers' effects compare.
std::vector<std::string> Neutral(const std::vector<std::string>& calls, const std::string& name) {
  std::vector<std::string> neutral;
  for (std::string call : calls) {
    if (const std::size_t at = call.find(name); at != std::string::npos)
      call.replace(at, name.size(), "<trigger>");
    neutral.push_back(call);
  }
  return neutral;
}

TEST(ConfigApplyTest, AnUpdateAndARegistryReloadHaveTheSameEffects) {
  ApplyFixture updated;
  ApplyFixture reloaded;
  const sup::v1::Response reply = updated.Update();
  ASSERT_FALSE(reply.has_error()) << reply.error().message();
  ASSERT_TRUE(reloaded.applier.Apply(ApplyTrigger::kRegistryChange).ok());

  // The engine: the same workers, in the same states.
  EXPECT_EQ(updated.Workers(), reloaded.Workers());
  EXPECT_EQ(updated.Workers().size(), 3u);
  // The daemon's side: operators group taken, key checked, errors and the summary logged.
  EXPECT_EQ(Neutral(updated.host.calls, "update request"),
            Neutral(reloaded.host.calls, "registry change"));
  EXPECT_EQ(reloaded.host.calls.front(), "check key");
  EXPECT_NE(std::find(reloaded.host.calls.begin(), reloaded.host.calls.end(),
                      "adopt operators=CORP\\ops"),
            reloaded.host.calls.end());
  EXPECT_EQ(reloaded.host.calls.back(),
            "info: config reloaded trigger=\"registry change\" generation=1 added=2 removed=0 "
            "restarted=0 updated=0 invalid=1");
  // The event log: the rejected definition and the applied configuration, both ways.
  std::vector<std::uint32_t> updated_ids, reloaded_ids;
  for (const EventLogEntry& entry : updated.event_log.entries())
    updated_ids.push_back(entry.kind.id);
  for (const EventLogEntry& entry : reloaded.event_log.entries())
    reloaded_ids.push_back(entry.kind.id);
  EXPECT_EQ(updated_ids, reloaded_ids);
  EXPECT_EQ(reloaded_ids, (std::vector<std::uint32_t>{event_ids::kConfigRejected.id,
                                                      event_ids::kConfigApplied.id}));
  EXPECT_EQ(updated.event_log.With(event_ids::kConfigApplied.id),
            reloaded.event_log.With(event_ids::kConfigApplied.id));
  // The metric.
  EXPECT_TRUE(updated.applier.last_reload_successful());
}

TEST(ConfigApplyTest, AFailedReadingIsToldAndCountedWhoeverAsked) {
  for (const ApplyTrigger trigger : {ApplyTrigger::kRegistryChange, ApplyTrigger::kReloadRequest,
                                     ApplyTrigger::kUpdateRequest}) {
    ApplyFixture fixture;
    fixture.source.failure =
        Error(ErrorKind::kPermissionDenied, "HKLM\\SOFTWARE\\Sup: access denied");
    const Result<ApplyOutcome> outcome = fixture.applier.Apply(trigger);
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().kind(), ErrorKind::kUnavailable);
    EXPECT_FALSE(fixture.applier.last_reload_successful()) << TriggerName(trigger);
    EXPECT_EQ(fixture.event_log.With(event_ids::kConfigRejected.id),
              (std::vector<std::vector<std::string>>{
                  {"reload on " + std::string(TriggerName(trigger)),
                   "reading the configuration: HKLM\\SOFTWARE\\Sup: access denied"}}));
    // The next good reading counts again.
    fixture.source.failure.reset();
    ASSERT_TRUE(fixture.applier.Apply(trigger).ok());
    EXPECT_TRUE(fixture.applier.last_reload_successful());
  }
}

TEST(ConfigApplyTest, AnUpdateThroughTheControlPlaneFailsWhenTheReadingFails) {
  ApplyFixture fixture;
  fixture.source.failure =
      Error(ErrorKind::kPermissionDenied, "HKLM\\SOFTWARE\\Sup: access denied");
  const sup::v1::Response reply = fixture.Update();
  ASSERT_TRUE(reply.has_error());
  EXPECT_EQ(reply.error().code(), sup::v1::Error::UNAVAILABLE);
  EXPECT_FALSE(fixture.applier.last_reload_successful());
}

TEST(ConfigApplyTest, ARegistryChangeWaitsForAutoReloadButARequestDoesNot) {
  ApplyFixture fixture;
  fixture.source.raw.daemon["AutoReload"] = config::RawValue::Dword(0);
  const Result<ApplyOutcome> change = fixture.applier.Apply(ApplyTrigger::kRegistryChange);
  ASSERT_TRUE(change.ok());
  EXPECT_FALSE(change->applied);
  EXPECT_TRUE(fixture.Workers().empty());
  EXPECT_EQ(fixture.host.calls.back(),
            "info: registry change not applied: AutoReload is 0; supctl update, sc control "
            "paramchange or control 128 applies it");

  for (const ApplyTrigger trigger : {ApplyTrigger::kReloadRequest, ApplyTrigger::kUpdateRequest}) {
    ApplyFixture asked;
    asked.source.raw.daemon["AutoReload"] = config::RawValue::Dword(0);
    const Result<ApplyOutcome> outcome = asked.applier.Apply(trigger);
    ASSERT_TRUE(outcome.ok());
    EXPECT_TRUE(outcome->applied);
    EXPECT_EQ(asked.Workers().size(), 3u) << TriggerName(trigger);
  }
}

TEST(ConfigApplyTest, AnUnknownNameAppliesNothingAndIsNotAFailedReload) {
  ApplyFixture fixture;
  const Result<ApplyOutcome> outcome =
      fixture.applier.Apply(ApplyTrigger::kUpdateRequest, {"api", "nosuch"});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(outcome.error().message(), "no such worker, configured or running: nosuch");
  EXPECT_TRUE(fixture.Workers().empty());
  EXPECT_TRUE(fixture.applier.last_reload_successful());
  EXPECT_TRUE(fixture.event_log.entries().empty());
}

TEST(ConfigApplyTest, RequestsBeyondTheLineLimitApplyQuietlyAndTheNextToldSaysHowMany) {
  ApplyFixture fixture;
  fixture.host.allow = std::nullopt;
  ASSERT_TRUE(fixture.applier.Apply(ApplyTrigger::kUpdateRequest).ok());
  EXPECT_EQ(fixture.Workers().size(), 3u);  // applied all the same
  EXPECT_EQ(fixture.host.calls,
            (std::vector<std::string>{"check key", "adopt operators=CORP\\ops"}));
  EXPECT_TRUE(fixture.event_log.entries().empty());

  fixture.host.allow = 4;
  fixture.source.raw.workers.erase("web");
  ASSERT_TRUE(fixture.applier.Apply(ApplyTrigger::kReloadRequest).ok());
  EXPECT_EQ(fixture.host.calls.back(),
            "info: config reloaded trigger=\"reload request\" generation=2 added=0 removed=1 "
            "restarted=0 updated=0 invalid=1 (4 more requests not logged)");
}

TEST(ConfigApplyTest, DaemonValuesWithErrorsAreNotAdopted) {
  ApplyFixture fixture;
  fixture.source.raw.daemon["MaxStreams"] = config::RawValue::String("many");
  ASSERT_TRUE(fixture.applier.Apply(ApplyTrigger::kRegistryChange).ok());
  for (const std::string& call : fixture.host.calls)
    EXPECT_EQ(call.find("adopt"), std::string::npos) << call;
  EXPECT_EQ(fixture.event_log.With(event_ids::kConfigRejected.id).front().front(),
            "daemon values, left unchanged");
}

TEST(ConfigApplyTest, APreviewChangesNothingAndTellsNothing) {
  ApplyFixture fixture;
  const Result<ApplyOutcome> preview = fixture.applier.Preview();
  ASSERT_TRUE(preview.ok());
  EXPECT_FALSE(preview->applied);
  EXPECT_EQ(preview->diff.added, (std::vector<std::string>{"api", "web"}));
  EXPECT_TRUE(fixture.Workers().empty());
  EXPECT_TRUE(fixture.host.calls.empty());
  EXPECT_TRUE(fixture.event_log.entries().empty());
}

}  // namespace
}  // namespace sup::control
