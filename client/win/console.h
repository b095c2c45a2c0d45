// supctl's two outputs: results on stdout (flushed at once, so a script reading a followed
// stream sees each line as it comes), and a failure on stderr with its exit code.
#pragma once

#include <string_view>

#include "common/result.h"

namespace sup::client {

void Print(std::string_view text);

// "supctl: <message>" on stderr; returns the exit code (ExitCodeFor).
int Fail(const Error& error);

}  // namespace sup::client
