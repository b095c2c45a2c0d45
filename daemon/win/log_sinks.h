// Where the engine's events and the control plane's audit records go in supd: one line each in
// supd's log, and an entry in the Windows event log for those an admin must see there (event_ids
// in daemon/control/event_log_entry.h).
#pragma once

#include <memory>

#include "daemon/control/audit.h"
#include "daemon/control/event_log_entry.h"
#include "daemon/engine/ports.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// Every engine event becomes one log line (a warning for a worker that failed, could not be
// spawned or whose output cannot be kept), and those the event log keeps an entry there.
class LogEventSink final : public engine::EventSink {
 public:
  // `event_log` may be null (no event log: supd run --console, or its source missing).
  LogEventSink(std::shared_ptr<spdlog::logger> log,
               std::shared_ptr<control::EventLogWriter> event_log)
      : log_(std::move(log)), event_log_(std::move(event_log)) {}
  void Emit(const engine::Event& event) override;

 private:
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<control::EventLogWriter> event_log_;
};

// Each audited request: an info line in supd's log and an entry in the event log, at most
// AuditLimit::kBurst a minute per account (the next one says how many were left out).
class LogAuditSink final : public control::AuditSink {
 public:
  // `event_log` may be null, as for LogEventSink.
  LogAuditSink(std::shared_ptr<spdlog::logger> log,
               std::shared_ptr<control::EventLogWriter> event_log)
      : log_(std::move(log)), event_log_(std::move(event_log)) {}
  void Audit(const control::AuditRecord& record) override;

 private:
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<control::EventLogWriter> event_log_;
  control::AuditLimit limit_;
};

}  // namespace sup::win
