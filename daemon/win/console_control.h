// The Ctrl+C stop step: Ctrl+C to a worker's own console, sent from a thread of its own (attaching
// to another console is process-wide and may block), one at a time, while supd itself ignores the
// Ctrl+C it generates.
#pragma once

#include <windows.h>

#include <spdlog/logger.h>

#include <memory>

namespace sup::win {

void SendCtrlCInBackground(DWORD pid, std::shared_ptr<spdlog::logger> log);

}  // namespace sup::win
