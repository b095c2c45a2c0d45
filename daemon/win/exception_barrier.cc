#include "daemon/win/exception_barrier.h"

#include <cstdlib>
#include <exception>

namespace sup::win {

Result<void> CatchUnexpected(std::string_view where, spdlog::logger& log,
                             const std::function<void()>& body) {
  std::string what;
  try {
    body();
    return Ok();
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  try {
    log.error("unexpected exception where={} what=\"{}\"; supd ends so that the SCM can restart it",
              where, what);
    log.flush();
  } catch (...) {
    // Logging itself failed: the error below still says what happened.
  }
  return Error(ErrorKind::kInternal, "unexpected exception in " + std::string(where) + ": " + what);
}

void RunOrEndSupd(std::string_view where, spdlog::logger& log, const std::function<void()>& body,
                  const std::function<void()>& before_exit) {
  if (CatchUnexpected(where, log, body)) return;
  (void)CatchUnexpected("the exit report", log, before_exit);
  std::_Exit(static_cast<int>(kUnexpectedExceptionExitCode));
}

}  // namespace sup::win
