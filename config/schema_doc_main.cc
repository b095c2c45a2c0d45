// Prints the configuration reference rendered from the schema; scripts/update-config-doc.sh
// splices it into config/README.md.
#include <cstdio>

#include "daemon/core/schema_doc.h"

int main() {
  const std::string text = sup::core::RenderSchemaMarkdown();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
