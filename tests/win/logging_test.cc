// supd's service logger: a rotating file plus the Windows event log for warnings and errors.
#include "daemon/win/logging.h"

#include <windows.h>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/win/win32_error.h"

namespace sup::win {
namespace {

// Wine has no event log (ReportEventW fails there): this shows the sink is attached at warn level
// and that a failing sink neither throws nor stops the file sink; only real Windows shows the
// entries in the Application log under "supd".
// The file lands in the configured directory, %VARIABLES% expanded, created if missing.
TEST(LoggingTest, ServiceLoggerWritesTheFileAndSendsWarningsToTheEventLog) {
  const std::string directory = "%TEMP%\\sup-logging-test-" + std::to_string(::GetCurrentProcessId());
  Result<std::shared_ptr<spdlog::logger>> log = MakeDaemonLogger(LogTarget::kFile, {"info", directory});
  ASSERT_TRUE(log.ok()) << log.error().message();
  ASSERT_EQ((*log)->sinks().size(), 2u);
  EXPECT_EQ((*log)->sinks()[1]->level(), spdlog::level::warn);
  EXPECT_NO_THROW((*log)->warn("logging test warning"));
  EXPECT_NO_THROW((*log)->info("logging test info"));
  const std::filesystem::path file =
      std::filesystem::path(ExpandEnvironmentVariables(Widen(directory))) / "supd.log";
  std::ifstream written(file);
  const std::string contents((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  EXPECT_NE(contents.find("logging test info"), std::string::npos) << file.string();
  EXPECT_EQ(contents.find("%TEMP%"), std::string::npos);
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(file.parent_path(), ignored);
}

TEST(LoggingTest, RefusesAnUnknownLevel) {
  Result<std::shared_ptr<spdlog::logger>> log = MakeDaemonLogger(LogTarget::kConsole, {"loud", ""});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message().find("\"loud\""), std::string::npos);
}

}  // namespace
}  // namespace sup::win
