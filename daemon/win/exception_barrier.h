// The last line of defence where the system calls into supd (ServiceMain, the service control
// handler, thread entries, the io loop). An exception escaping there would call std::terminate,
// or leave a thread gone and supd hanging. Instead it is logged as an error (supd's log and, at
// that level, the event log) and supd ends with kUnexpectedExceptionExitCode, a service-specific
// exit code, so the SCM's recovery actions restart it.
#pragma once

#include <windows.h>

#include <spdlog/logger.h>

#include <functional>
#include <string_view>

#include "common/result.h"

namespace sup::win {

inline constexpr DWORD kUnexpectedExceptionExitCode = 3;
// The exit code of supd whose supervision stopped answering, with SelfRestart=1 (daemon.h).
inline constexpr DWORD kSupervisionUnansweredExitCode = 4;

// Runs `body`; an exception that escapes it is logged naming `where` and returned as an error.
Result<void> CatchUnexpected(std::string_view where, spdlog::logger& log,
                             const std::function<void()>& body);

// Runs `body`; an exception that escapes it is logged, then `before_exit` runs (the service
// host reports SERVICE_STOPPED with the exit code there) and the process ends at once: the job
// objects take the workers with it, and no destructor that might wait on the broken state runs.
void RunOrEndSupd(
    std::string_view where, spdlog::logger& log, const std::function<void()>& body,
    const std::function<void()>& before_exit = [] {});

}  // namespace sup::win
