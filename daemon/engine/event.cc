#include "daemon/engine/event.h"

#include "common/format.h"

namespace sup::engine {

std::string Event::ToLogLine() const {
  std::string line;
  switch (kind) {
    case EventKind::kTransition:
      line = "worker transition name=" + worker +
             " from=" + std::string(NameOf(from, kWorkerStateNames)) +
             " to=" + std::string(NameOf(to, kWorkerStateNames));
      if (reason != Reason::kNone) line += " reason=" + std::string(NameOf(reason, kReasonNames));
      break;
    case EventKind::kProbe:
      line = "worker probe name=" + worker +
             " probe=" + std::string(NameOf(*probe, kProbeKindNames)) +
             " result=" + (probe_success ? "success" : "failure");
      if (count > 1) line += " count=" + std::to_string(count);
      break;
    case EventKind::kConfig: line = "worker config name=" + worker; break;
    case EventKind::kOutput: line = "worker output name=" + worker; break;
    case EventKind::kNotify: line = "worker notify name=" + worker; break;
  }
  if (pid != 0) line += " pid=" + std::to_string(pid);
  if (exit_code) line += " code=" + FormatExitCode(*exit_code);
  if (!message.empty()) line += " message=\"" + message + "\"";
  return line;
}

bool EventRing::PushOrFoldProbeFailure(Event event) {
  if (event.kind == EventKind::kProbe && !event.probe_success) {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind != EventKind::kProbe || it->probe != event.probe) continue;
      if (it->probe_success || it->pid != event.pid) break;
      ++it->count;
      it->time = event.time;
      it->message = std::move(event.message);
      return false;
    }
  }
  Push(std::move(event));
  return true;
}

}  // namespace sup::engine
