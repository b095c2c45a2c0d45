#include "daemon/win/log_sinks.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>

namespace sup::win {

void LogEventSink::Emit(const engine::Event& event) {
  const bool bad = (event.kind == engine::EventKind::kTransition &&
                    (event.to == WorkerState::kFailed || event.reason == Reason::kSpawnError)) ||
                   (event.kind == engine::EventKind::kOutput && !event.healed);
  log_->log(bad ? spdlog::level::warn : spdlog::level::info, event.ToLogLine());
  if (!event_log_) return;
  if (std::optional<control::EventLogEntry> entry = control::EventLogEntryFor(event))
    event_log_->Report(*entry);
}

void LogAuditSink::Audit(const control::AuditRecord& record) {
  const std::optional<std::uint64_t> held_back =
      limit_.Allow(record.account, std::chrono::steady_clock::now());
  if (!held_back) return;
  std::string workers;
  for (const std::string& worker : record.workers) workers += (workers.empty() ? "" : ",") + worker;
  log_->info(
      "audit verb={} workers={} account=\"{}\" role=\"{}\" result={}{}", record.verb,
      workers.empty() ? "-" : workers, record.account, record.role, record.result,
      *held_back ? fmt::format(" ({} more requests of this account not logged)", *held_back) : "");
  if (event_log_) event_log_->Report(control::RequestAudited(record));
}

}  // namespace sup::win
