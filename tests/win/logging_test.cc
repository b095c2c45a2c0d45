// supd's service logger: a rotating file plus the Windows event log for warnings and errors.
#include "daemon/win/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace sup::win {
namespace {

// Wine has no event log (ReportEventW fails there): this shows the sink is attached at warn level
// and that a failing sink neither throws nor stops the file sink; only real Windows shows the
// entries in the Application log under "supd".
TEST(LoggingTest, ServiceLoggerWritesTheFileAndSendsWarningsToTheEventLog) {
  Result<std::shared_ptr<spdlog::logger>> log = MakeDaemonLogger(LogTarget::kFile, "info");
  ASSERT_TRUE(log.ok()) << log.error().message();
  ASSERT_EQ((*log)->sinks().size(), 2u);
  EXPECT_EQ((*log)->sinks()[1]->level(), spdlog::level::warn);
  EXPECT_NO_THROW((*log)->warn("logging test warning"));
  EXPECT_NO_THROW((*log)->info("logging test info"));
}

TEST(LoggingTest, RefusesAnUnknownLevel) {
  Result<std::shared_ptr<spdlog::logger>> log = MakeDaemonLogger(LogTarget::kConsole, "loud");
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message().find("\"loud\""), std::string::npos);
}

}  // namespace
}  // namespace sup::win
