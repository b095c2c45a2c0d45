// The Ctrl+C stop step: Ctrl+C to a worker's own console, sent from a thread of its own (attaching
// to another console is process-wide and may block), one at a time, while supd itself ignores the
// Ctrl+C it generates.
#pragma once

#include <windows.h>

#include <spdlog/logger.h>

#include <functional>
#include <memory>

namespace sup::win {

// Sends Ctrl+C to the console of `pid`. A process younger than kConsoleSettleTime gets it once it
// is that old: under Wine a Ctrl+C in a console process's first moments is lost now and then
// (StopStressE2eTest). `undelivered` runs (on the sending thread) when the console cannot be
// attached, so the stop ladder goes on at once.
void SendCtrlCInBackground(DWORD pid, std::shared_ptr<spdlog::logger> log,
                           std::function<void()> undelivered);

}  // namespace sup::win
