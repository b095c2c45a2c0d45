// What supd writes to the Windows event log, as portable data: each kind of entry has a stable
// event id and a message-table entry (daemon/win/supd_messages.mc) whose %1, %2... are the
// entry's strings, so Event Viewer, monitoring agents and `Get-WinEvent -FilterHashtable @{Id=...}`
// can tell them apart. The lifecycle is information, what went wrong with a worker a warning, an
// open breaker, a rejected configuration and supd unable to serve an error. The source is named
// after the instance, so two instances never share (or remove) each other's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/control/audit.h"
#include "daemon/engine/event.h"

namespace sup::control {

enum class EventLogLevel { kInformation, kWarning, kError };

// One kind of entry: its id, level and how many strings its message takes. The table below is
// the whole list; a test formats each id from supd.exe's message table.
struct EventLogKind {
  std::uint32_t id;
  EventLogLevel level;
  const char* symbol;  // as in supd_messages.mc
  int strings;
};

namespace event_ids {
inline constexpr EventLogKind kSupdStarted{1001, EventLogLevel::kInformation, "SUPD_STARTED", 4};
inline constexpr EventLogKind kSupdStopped{1002, EventLogLevel::kInformation, "SUPD_STOPPED", 0};
inline constexpr EventLogKind kConfigApplied{1003, EventLogLevel::kInformation, "CONFIG_APPLIED",
                                             6};
inline constexpr EventLogKind kRequestAudited{1004, EventLogLevel::kInformation, "REQUEST_AUDITED",
                                              5};
inline constexpr EventLogKind kWorkerRunning{1010, EventLogLevel::kInformation, "WORKER_RUNNING",
                                             2};
inline constexpr EventLogKind kWorkerStopped{1011, EventLogLevel::kInformation, "WORKER_STOPPED",
                                             2};
inline constexpr EventLogKind kWorkerOutputHealed{1012, EventLogLevel::kInformation,
                                                  "WORKER_OUTPUT_HEALED", 2};
inline constexpr EventLogKind kWorkerEnded{2001, EventLogLevel::kWarning, "WORKER_ENDED", 4};
inline constexpr EventLogKind kWorkerSpawnFailed{2002, EventLogLevel::kWarning,
                                                 "WORKER_SPAWN_FAILED", 2};
inline constexpr EventLogKind kWorkerMemory{2003, EventLogLevel::kWarning, "WORKER_MEMORY", 2};
inline constexpr EventLogKind kProbeFailed{2004, EventLogLevel::kWarning, "PROBE_FAILED", 3};
inline constexpr EventLogKind kWorkerOutputFailed{2005, EventLogLevel::kWarning,
                                                  "WORKER_OUTPUT_FAILED", 2};
inline constexpr EventLogKind kConfigKeyWritable{2006, EventLogLevel::kWarning,
                                                 "CONFIG_KEY_WRITABLE", 2};
inline constexpr EventLogKind kPipeNameTaken{2007, EventLogLevel::kWarning, "PIPE_NAME_TAKEN", 2};
inline constexpr EventLogKind kWorkerWatchdog{2008, EventLogLevel::kWarning, "WORKER_WATCHDOG", 2};
inline constexpr EventLogKind kBreakerOpen{3001, EventLogLevel::kError, "BREAKER_OPEN", 2};
inline constexpr EventLogKind kConfigRejected{3002, EventLogLevel::kError, "CONFIG_REJECTED", 2};
inline constexpr EventLogKind kSupdError{3003, EventLogLevel::kError, "SUPD_ERROR", 1};
inline constexpr EventLogKind kSupervisionUnanswered{3004, EventLogLevel::kError,
                                                     "SUPERVISION_UNANSWERED", 3};
}  // namespace event_ids

inline constexpr EventLogKind kEventLogKinds[] = {
    event_ids::kSupdStarted,          event_ids::kSupdStopped,    event_ids::kConfigApplied,
    event_ids::kRequestAudited,       event_ids::kWorkerRunning,  event_ids::kWorkerStopped,
    event_ids::kWorkerOutputHealed,   event_ids::kWorkerEnded,    event_ids::kWorkerSpawnFailed,
    event_ids::kWorkerMemory,         event_ids::kProbeFailed,    event_ids::kWorkerOutputFailed,
    event_ids::kConfigKeyWritable,    event_ids::kPipeNameTaken,  event_ids::kWorkerWatchdog,
    event_ids::kBreakerOpen,          event_ids::kConfigRejected, event_ids::kSupdError,
    event_ids::kSupervisionUnanswered};

struct EventLogEntry {
  EventLogKind kind;
  std::vector<std::string> strings;  // UTF-8; as many as kind.strings
};

// Where entries go: the Windows event log in supd (daemon/control/win/event_log), a recorder in
// tests. Threading: any thread.
class EventLogWriter {
 public:
  virtual ~EventLogWriter() = default;
  virtual void Report(const EventLogEntry& entry) = 0;
};

// The entry for an engine event, if it is one the event log keeps: a worker running, stopped,
// ended (a crash: warning), failing to start, over its memory, a probe failing, its output
// failing or healed, its breaker opening.
std::optional<EventLogEntry> EventLogEntryFor(const engine::Event& event);

// The daemon's own entries.
EventLogEntry SupdStarted(const std::string& version, std::uint32_t pid,
                          const std::string& config_key, std::size_t workers);
EventLogEntry SupdStopped();
EventLogEntry ConfigApplied(std::uint64_t generation, std::size_t added, std::size_t removed,
                            std::size_t restarted, std::size_t updated, std::size_t invalid);
EventLogEntry ConfigRejected(const std::string& what, const std::string& reason);
EventLogEntry ConfigKeyWritable(const std::string& key, const std::string& writers);
// A request that changes what runs (control/audit.h): account, role, verb, workers, result.
EventLogEntry RequestAudited(const AuditRecord& record);
// Another process serves supd's well-known pipe name `pipe` (`why` names it): supd serves it once
// it is free, and its protected name meanwhile.
EventLogEntry PipeNameTaken(const std::string& pipe, const std::string& why);
EventLogEntry SupdError(const std::string& line);
// supd's io thread has not beaten for `silent_seconds` (SelfCheckMs `limit_ms`); `then` says what
// follows ("supd ends so that the service's failure actions restart it.", or that it waits).
EventLogEntry SupervisionUnanswered(std::uint64_t silent_seconds, std::uint64_t limit_ms,
                                    const std::string& then);

}  // namespace sup::control
