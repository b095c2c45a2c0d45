#include "retry_log.h"

#include <cstdio>
#include <cstdlib>

namespace sup::testing {

void NoteRetry(const std::string& kind, const std::string& what) {
  const std::string line = kind + ": " + what + "; trying again\n";
  std::fputs(line.c_str(), stderr);
  const char* path = std::getenv("SUP_TEST_RETRIES_WIN");
  if (!path || !*path) return;
  if (std::FILE* file = std::fopen(path, "a")) {
    std::fputs(line.c_str(), file);
    std::fclose(file);
  }
}

}  // namespace sup::testing
