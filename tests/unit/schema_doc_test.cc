#include "common/config/schema_doc.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sup::config {
namespace {

// config/README.md must embed exactly what the schema renders (scripts/update-config-doc.sh).
TEST(SchemaDocTest, ConfigReadmeMatchesTheSchema) {
  std::ifstream readme(SUP_SOURCE_DIR "/config/README.md");
  if (!readme)
    GTEST_SKIP() << "source tree not reachable from here (under Wine the native run checks it)";
  std::stringstream text;
  text << readme.rdbuf();
  const std::string content = text.str();
  const std::string begin = "<!-- schema:begin -->\n";
  const std::string end = "<!-- schema:end -->";
  const std::size_t from = content.find(begin);
  const std::size_t to = content.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(content.substr(from + begin.size(), to - from - begin.size()), RenderSchemaMarkdown())
      << "config/README.md is out of date: run scripts/update-config-doc.sh";
}

TEST(SchemaDocTest, ListsEveryValueWithItsDefault) {
  const std::string doc = RenderSchemaMarkdown();
  EXPECT_NE(doc.find("| `BackoffMaxMs` | REG_DWORD / REG_QWORD, 0 to 3600000 | `60000` |"),
            std::string::npos);
  EXPECT_NE(doc.find("| `StopSteps` | REG_MULTI_SZ of: event, ctrl-c, close, terminate | "
                     "`event,ctrl-c,close,terminate` |"),
            std::string::npos);
  EXPECT_NE(doc.find("| `Type` | REG_SZ: tcp, http, exec, pipe | (required) |"), std::string::npos);
}

}  // namespace
}  // namespace sup::config
