// The retries test helpers make where Wine fails now and then (a process start, a service start):
// each is said on stderr and, when scripts/test.sh runs the tests, added as a line to the file
// SUP_TEST_RETRIES_WIN names, which the test summary counts, so a retry can never hide.
#pragma once

#include <string>

namespace sup::testing {

// `kind` names the call retried ("CreateProcessW", "StartServiceW"); `what` says what failed.
void NoteRetry(const std::string& kind, const std::string& what);

}  // namespace sup::testing
