// The Windows event log under supd's instance source (control::EventLogSourceName): entries are
// written with their stable ids (control::event_ids), whose texts are in supd.exe's message
// table, registered by `supctl service install`. Wine has no event log (ReportEventW does
// nothing there): tests format the texts with FormatMessage and check the mapping instead.
//
// Threading: any thread.
#pragma once

#include <windows.h>

#include <memory>
#include <string>

#include "daemon/control/event_log_entry.h"

namespace spdlog::sinks {
class sink;
}

namespace sup::win {

class WindowsEventLog final : public control::EventLogWriter {
 public:
  explicit WindowsEventLog(const std::string& source);
  ~WindowsEventLog() override;
  WindowsEventLog(const WindowsEventLog&) = delete;
  WindowsEventLog& operator=(const WindowsEventLog&) = delete;

  void Report(const control::EventLogEntry& entry) override;

 private:
  HANDLE source_;  // null when it could not be registered: nothing is reported
};

// A log sink that reports each line it gets as a SUPD_ERROR entry: attached at error level, so
// whatever supd logs as an error reaches the event log too.
std::shared_ptr<spdlog::sinks::sink> EventLogErrorSink(
    std::shared_ptr<control::EventLogWriter> event_log);

}  // namespace sup::win
