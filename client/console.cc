#include "client/console.h"

#include <cstdio>

#include "client/exit_codes.h"

namespace sup::client {

void Print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int Fail(const Error& error) {
  std::fprintf(stderr, "supctl: %s\n", error.message().c_str());
  if (error.kind() == ErrorKind::kInvalidArgument) return kExitUsage;
  return error.kind() == ErrorKind::kNotFound ? kExitUnknownOrUnreachable : kExitFailure;
}

}  // namespace sup::client
