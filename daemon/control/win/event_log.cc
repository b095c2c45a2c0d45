#include "daemon/control/win/event_log.h"

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <vector>

#include "common/text_encoding.h"
#include "common/win/text.h"

namespace sup::win {
namespace {

WORD EventType(control::EventLogLevel level) {
  switch (level) {
    case control::EventLogLevel::kInformation: return EVENTLOG_INFORMATION_TYPE;
    case control::EventLogLevel::kWarning: return EVENTLOG_WARNING_TYPE;
    case control::EventLogLevel::kError: return EVENTLOG_ERROR_TYPE;
  }
  return EVENTLOG_ERROR_TYPE;
}

class ErrorSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ErrorSink(std::shared_ptr<control::EventLogWriter> event_log)
      : event_log_(std::move(event_log)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    event_log_->Report(
        control::SupdError(std::string(message.payload.data(), message.payload.size())));
  }
  void flush_() override {}

 private:
  std::shared_ptr<control::EventLogWriter> event_log_;
};

}  // namespace

WindowsEventLog::WindowsEventLog(const std::string& source)
    : source_(::RegisterEventSourceW(nullptr, Widen(source).c_str())) {}

WindowsEventLog::~WindowsEventLog() {
  if (source_) ::DeregisterEventSource(source_);
}

void WindowsEventLog::Report(const control::EventLogEntry& entry) {
  if (!source_) return;
  std::vector<std::wstring> strings;
  for (const std::string& text : entry.strings) strings.push_back(Widen(ToValidUtf8(text)));
  std::vector<LPCWSTR> pointers;
  for (const std::wstring& text : strings) pointers.push_back(text.c_str());
  // A failure (a full log, no event log service) is not supd's to handle: its own log has it.
  ::ReportEventW(source_, EventType(entry.kind.level), 0, entry.kind.id, nullptr,
                 static_cast<WORD>(pointers.size()), 0,
                 pointers.empty() ? nullptr : pointers.data(), nullptr);
}

std::shared_ptr<spdlog::sinks::sink> EventLogErrorSink(
    std::shared_ptr<control::EventLogWriter> event_log) {
  auto sink = std::make_shared<ErrorSink>(std::move(event_log));
  sink->set_level(spdlog::level::err);
  return sink;
}

}  // namespace sup::win
