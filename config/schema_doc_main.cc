// Prints the configuration reference rendered from the schema; scripts/update-config-doc.sh
// splices it into config/README.md.
#include <cstdio>

#include "common/config/schema_doc.h"

int main() {
  const std::string text = sup::config::RenderSchemaMarkdown();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
