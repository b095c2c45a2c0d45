// Which engine events and daemon moments reach the Windows event log, with which stable id and
// strings (the texts are checked against supd.exe's message table by EventLogMessagesTest).
#include "daemon/control/event_log_entry.h"

#include "common/supd_options.h"

#include <gtest/gtest.h>

#include <set>

namespace sup::control {
namespace {

engine::Event Transition(WorkerState from, WorkerState to, Reason reason,
                         std::optional<std::int64_t> exit_code = std::nullopt,
                         std::string message = "") {
  engine::Event event;
  event.worker = "api";
  event.from = from;
  event.to = to;
  event.reason = reason;
  event.pid = 4812;
  event.exit_code = exit_code;
  event.message = std::move(message);
  return event;
}

std::optional<std::uint32_t> IdOf(const engine::Event& event) {
  const std::optional<EventLogEntry> entry = EventLogEntryFor(event);
  if (!entry) return std::nullopt;
  EXPECT_EQ(static_cast<int>(entry->strings.size()), entry->kind.strings) << entry->kind.symbol;
  return entry->kind.id;
}

TEST(EventLogEntryTest, IdsAreUniqueAndTheirLevelFollowsTheirThousand) {
  std::set<std::uint32_t> ids;
  for (const EventLogKind& kind : kEventLogKinds) {
    EXPECT_TRUE(ids.insert(kind.id).second) << kind.symbol;
    const EventLogLevel expected = kind.id < 2000   ? EventLogLevel::kInformation
                                   : kind.id < 3000 ? EventLogLevel::kWarning
                                                    : EventLogLevel::kError;
    EXPECT_EQ(kind.level, expected) << kind.symbol;
  }
}

TEST(EventLogEntryTest, TheLifecycleIsInformationWhatWentWrongAWarningAndBreakersErrors) {
  using S = WorkerState;
  EXPECT_EQ(IdOf(Transition(S::kStarting, S::kRunning, Reason::kNone)),
            event_ids::kWorkerRunning.id);
  EXPECT_EQ(IdOf(Transition(S::kStopping, S::kStopped, Reason::kOperator, 0)),
            event_ids::kWorkerStopped.id);
  EXPECT_EQ(IdOf(Transition(S::kRunning, S::kBackoff, Reason::kExited, 0xC0000005)),
            event_ids::kWorkerEnded.id);
  EXPECT_EQ(IdOf(Transition(S::kStopping, S::kBackoff, Reason::kLivenessFailed, 1)),
            event_ids::kWorkerEnded.id);
  EXPECT_EQ(IdOf(Transition(S::kStopped, S::kBackoff, Reason::kSpawnError, -1, "no such file")),
            event_ids::kWorkerSpawnFailed.id);
  EXPECT_EQ(IdOf(Transition(S::kRunning, S::kStopping, Reason::kMemoryLimit, {}, "working set")),
            event_ids::kWorkerMemory.id);
  EXPECT_EQ(IdOf(Transition(S::kBackoff, S::kFailed, Reason::kBreakerOpen)),
            event_ids::kBreakerOpen.id);
  // A run-once job that finished is the lifecycle; one that crashed and stays down is not.
  EXPECT_EQ(IdOf(Transition(S::kRunning, S::kExited, Reason::kExited, 0)),
            event_ids::kWorkerStopped.id);
  EXPECT_EQ(IdOf(Transition(S::kRunning, S::kExited, Reason::kExited, 3)),
            event_ids::kWorkerEnded.id);
  // Steps on the way are not kept: a start, an operator's stop under way, a definition rejected
  // (the daemon reports that where it reads the configuration), a worker that was already down.
  EXPECT_EQ(IdOf(Transition(S::kStopped, S::kStarting, Reason::kNone)), std::nullopt);
  EXPECT_EQ(IdOf(Transition(S::kRunning, S::kStopping, Reason::kOperator)), std::nullopt);
  EXPECT_EQ(IdOf(Transition(S::kStopped, S::kStopped, Reason::kConfigError)), std::nullopt);
  EXPECT_EQ(IdOf(Transition(S::kBackoff, S::kStopped, Reason::kConfigError)), std::nullopt);

  const std::optional<EventLogEntry> ended = EventLogEntryFor(
      Transition(S::kRunning, S::kBackoff, Reason::kExited, 0xC0000005, "restart in 1.0s"));
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->strings,
            (std::vector<std::string>{"api", "exited", "0xC0000005", "restart in 1.0s"}));
}

TEST(EventLogEntryTest, ProbeFailuresAndOutputProblemsAreWarningsTheirHealingInformation) {
  engine::Event probe;
  probe.worker = "api";
  probe.kind = engine::EventKind::kProbe;
  probe.probe = ProbeKind::kLiveness;
  probe.message = "connection refused";
  EXPECT_EQ(IdOf(probe), event_ids::kProbeFailed.id);
  EXPECT_EQ(EventLogEntryFor(probe)->strings,
            (std::vector<std::string>{"api", "Liveness", "connection refused"}));
  probe.probe_success = true;
  EXPECT_EQ(IdOf(probe), std::nullopt);

  engine::Event output;
  output.worker = "api";
  output.kind = engine::EventKind::kOutput;
  output.message = "disk full";
  EXPECT_EQ(IdOf(output), event_ids::kWorkerOutputFailed.id);
  output.healed = true;
  EXPECT_EQ(IdOf(output), event_ids::kWorkerOutputHealed.id);

  engine::Event config;
  config.kind = engine::EventKind::kConfig;
  EXPECT_EQ(IdOf(config), std::nullopt);
}

TEST(EventLogEntryTest, DaemonEntriesCarryAsManyStringsAsTheirMessagesTake) {
  for (const EventLogEntry& entry :
       {SupdStarted("0.1.0", 4, "HKLM\\SOFTWARE\\Sup", 3), SupdStopped(),
        ConfigApplied(2, 1, 0, 1, 0, 0), ConfigRejected("reload", "bad"),
        ConfigKeyWritable("HKLM\\SOFTWARE\\Sup", "Users"), PipeNameTaken("sup-control", "pid 4"),
        RequestAudited({"CORP\\ops", "operator", "stop", {"api"}, "ok"}), SupdError("line")}) {
    EXPECT_EQ(static_cast<int>(entry.strings.size()), entry.kind.strings) << entry.kind.symbol;
  }
}

// Two instances never share a source: uninstalling one leaves the other's entries readable.
TEST(EventLogEntryTest, TheSourceIsNamedAfterTheInstance) {
  EXPECT_EQ(EventLogSourceName(std::nullopt), "supd");
  EXPECT_EQ(EventLogSourceName("staging"), "supd-staging");
}

}  // namespace
}  // namespace sup::control
