#include "daemon/core/event.h"

#include <cstdio>

namespace sup::core {

std::string Event::ToLogLine() const {
  std::string line;
  switch (kind) {
    case EventKind::kTransition:
      line = "worker transition name=" + worker + " from=" + std::string(NameOf(from, kWorkerStateNames)) +
             " to=" + std::string(NameOf(to, kWorkerStateNames));
      if (reason != Reason::kNone) line += " reason=" + std::string(NameOf(reason, kReasonNames));
      break;
    case EventKind::kProbe:
      line = "worker probe name=" + worker + " probe=" + std::string(NameOf(*probe, kProbeKindNames)) +
             " result=" + (probe_success ? "success" : "failure");
      break;
    case EventKind::kConfig:
      line = "worker config name=" + worker;
      break;
  }
  if (pid != 0) line += " pid=" + std::to_string(pid);
  if (exit_code) {
    char code[32];
    std::snprintf(code, sizeof(code), "%#llx", static_cast<unsigned long long>(*exit_code));
    line += std::string(" code=") + code;
  }
  if (!message.empty()) line += " message=\"" + message + "\"";
  return line;
}

}  // namespace sup::core
