// supd's service logger: a rotating file plus the Windows event log for warnings and errors.
#include "daemon/win/logging.h"

#include <windows.h>

#include <gtest/gtest.h>
#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "process_runner.h"
#include "wait_until.h"
#include "tests/fakes/control_fakes.h"
#include "sup/v1/control.pb.h"

namespace sup::win {
namespace {

std::string ReadAll(const std::filesystem::path& file) {
  std::ifstream written(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
}

// Errors also go to the event log, as SUPD_ERROR entries (warnings do not: what the event log
// should know of has entries of its own, control::EventLogEntry); only real Windows shows them in
// the Application log.
// The file lands in the configured directory, %VARIABLES% expanded, created if missing.
TEST(LoggingTest, ServiceLoggerWritesTheFileAndSendsErrorsToTheEventLog) {
  const std::string directory =
      "%TEMP%\\sup-logging-test-" + std::to_string(::GetCurrentProcessId());
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  Result<std::shared_ptr<spdlog::logger>> log = MakeDaemonLogger(
      LogTarget::kFile, {"info", directory, "S-1-5-32-547", event_log});  // operators read
  ASSERT_TRUE(log.ok()) << log.error().message();
  EXPECT_NO_THROW((*log)->warn("logging test warning"));
  EXPECT_NO_THROW((*log)->error("logging test error"));
  EXPECT_EQ(event_log->With(control::event_ids::kSupdError.id),
            std::vector<std::vector<std::string>>{{"logging test error"}});
  EXPECT_EQ(event_log->entries().size(), 1u);
  EXPECT_NO_THROW((*log)->info("logging test info"));
  const std::filesystem::path file =
      std::filesystem::path(ExpandEnvironmentVariables(Widen(directory))) / "supd.log";
  std::string contents;
  // Written by the log's file worker, a moment after.
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        contents = ReadAll(file);
        return contents.find("logging test info") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << file.string() << ": " << contents;
  EXPECT_EQ(contents.find("%TEMP%"), std::string::npos);
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(file.parent_path(), ignored);
}

// Closed before the service reports SERVICE_STOPPED: the folder can then be deleted at once (an
// uninstall with REMOVE_CONFIG=1 does), lines logged afterwards neither fail nor bring the file
// back, and errors still reach the event log.
TEST(LoggingTest, AClosedLogFileCanBeDeletedAndStaysClosed) {
  const std::string directory =
      "%TEMP%\\sup-logging-closed-" + std::to_string(::GetCurrentProcessId());
  auto event_log = std::make_shared<testing::RecordingEventLog>();
  Result<std::shared_ptr<spdlog::logger>> log =
      MakeDaemonLogger(LogTarget::kFile, {"info", directory, "", event_log});
  ASSERT_TRUE(log.ok()) << log.error().message();
  (*log)->info("before closing");
  const std::filesystem::path folder = ExpandEnvironmentVariables(Widen(directory));
  const std::wstring file = (folder / "supd.log").wstring();
  // Open without sharing: only possible once nobody else has the file open. (supd.log shares
  // read, write and delete, as worker logs do, so viewers never block it.)
  const auto opened_alone = [&] {
    return static_cast<bool>(UniqueFileHandle{
        ::CreateFileW(file.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr)});
  };
  ASSERT_FALSE(opened_alone()) << "supd.log is not open before it is closed";

  CloseDaemonLogFile(**log);
  EXPECT_TRUE(opened_alone());
  EXPECT_TRUE(::DeleteFileW(file.c_str())) << Win32ErrorText(::GetLastError());
  EXPECT_TRUE(::RemoveDirectoryW(folder.c_str())) << Win32ErrorText(::GetLastError());
  EXPECT_NO_THROW((*log)->info("after closing"));
  EXPECT_NO_THROW((*log)->error("an error after closing"));
  EXPECT_FALSE(std::filesystem::exists(folder));
  EXPECT_EQ(event_log->With(control::event_ids::kSupdError.id),
            std::vector<std::vector<std::string>>{{"an error after closing"}});
}

// LogDirectory is UTF-8 like every configuration string: a folder named outside the ANSI code
// page ("journaux-é-日志") holds supd.log under exactly that name, not a mangled one.
TEST(LoggingTest, ANonAsciiLogDirectoryHoldsSupdsLog) {
  const std::string directory = "%TEMP%\\sup-logging-journaux-\xC3\xA9-\xE6\x97\xA5\xE5\xBF\x97-" +
                                std::to_string(::GetCurrentProcessId());
  Result<std::shared_ptr<spdlog::logger>> log =
      // An operators group that cannot be resolved keeps supd from nothing.
      MakeDaemonLogger(LogTarget::kFile, {"info", directory, "NoSuchGroupAnywhere", nullptr});
  ASSERT_TRUE(log.ok()) << log.error().message();
  (*log)->info("caf\xC3\xA9 logged");
  const std::filesystem::path file =
      std::filesystem::path(ExpandEnvironmentVariables(Widen(directory))) / L"supd.log";
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return ReadAll(file).find("caf\xC3\xA9 logged") != std::string::npos; },
      std::chrono::seconds(10)))
      << Narrow(file.wstring());
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(file.parent_path(), ignored);
}

// A request with invalid UTF-8 in a string is refused by the parser, and protobuf's complaint
// lands in supd's log at debug level, not on stderr.
TEST(LoggingTest, ProtobufComplaintsGoToTheDebugLog) {
  auto lines = std::make_shared<std::ostringstream>();
  auto log = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(*lines));
  log->set_level(spdlog::level::debug);
  log->set_pattern("%l %v");
  SendProtobufLogTo(log);
  sup::v1::Request request;
  request.mutable_status()->add_workers(std::string("bad \xff name"));
  sup::v1::Request parsed;
  EXPECT_FALSE(parsed.ParseFromString(request.SerializeAsString()));
  google::protobuf::SetLogHandler(nullptr);
  EXPECT_NE(lines->str().find(
                "debug protobuf message=\"String field contains invalid UTF-8 data when parsing"),
            std::string::npos)
      << lines->str();
}

TEST(LoggingTest, RefusesAnUnknownLevel) {
  Result<std::shared_ptr<spdlog::logger>> log =
      MakeDaemonLogger(LogTarget::kConsole, {"loud", "", "", nullptr});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message().find("\"loud\""), std::string::npos);
}

}  // namespace
}  // namespace sup::win
