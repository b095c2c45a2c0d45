// The configuration reference in Markdown, rendered from the schema tables: config/README.md
// embeds it, and a test keeps the two identical.
#pragma once

#include <string>

namespace sup::config {

std::string RenderSchemaMarkdown();

}  // namespace sup::config
