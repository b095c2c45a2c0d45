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
  return ExitCodeFor(error.kind());
}

}  // namespace sup::client
