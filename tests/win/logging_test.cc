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

#include "common/win/win32_error.h"
#include "process_runner.h"
#include "sup/v1/control.pb.h"

namespace sup::win {
namespace {

// Wine has no event log (ReportEventW fails there): this shows the sink is attached at warn level
// and that a failing sink neither throws nor stops the file sink; only real Windows shows the
// entries in the Application log under "supd".
// The file lands in the configured directory, %VARIABLES% expanded, created if missing.
TEST(LoggingTest, ServiceLoggerWritesTheFileAndSendsWarningsToTheEventLog) {
  const std::string directory =
      "%TEMP%\\sup-logging-test-" + std::to_string(::GetCurrentProcessId());
  Result<std::shared_ptr<spdlog::logger>> log =
      MakeDaemonLogger(LogTarget::kFile, {"info", directory, "S-1-5-32-547"});  // operators read
  ASSERT_TRUE(log.ok()) << log.error().message();
  ASSERT_EQ((*log)->sinks().size(), 2u);
  EXPECT_EQ((*log)->sinks()[1]->level(), spdlog::level::warn);
  EXPECT_NO_THROW((*log)->warn("logging test warning"));
  EXPECT_NO_THROW((*log)->info("logging test info"));
  const std::filesystem::path file =
      std::filesystem::path(ExpandEnvironmentVariables(Widen(directory))) / "supd.log";
  std::ifstream written(file);
  const std::string contents((std::istreambuf_iterator<char>(written)),
                             std::istreambuf_iterator<char>());
  EXPECT_NE(contents.find("logging test info"), std::string::npos) << file.string();
  EXPECT_EQ(contents.find("%TEMP%"), std::string::npos);
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(file.parent_path(), ignored);
}

// LogDirectory is UTF-8 like every configuration string: a folder named outside the ANSI code
// page ("journaux-é-日志") holds supd.log under exactly that name, not a mangled one.
TEST(LoggingTest, ANonAsciiLogDirectoryHoldsSupdsLog) {
  const std::string directory = "%TEMP%\\sup-logging-journaux-\xC3\xA9-\xE6\x97\xA5\xE5\xBF\x97-" +
                                std::to_string(::GetCurrentProcessId());
  Result<std::shared_ptr<spdlog::logger>> log =
      // An operators group that cannot be resolved keeps supd from nothing.
      MakeDaemonLogger(LogTarget::kFile, {"info", directory, "NoSuchGroupAnywhere"});
  ASSERT_TRUE(log.ok()) << log.error().message();
  (*log)->info("caf\xC3\xA9 logged");
  const std::filesystem::path file =
      std::filesystem::path(ExpandEnvironmentVariables(Widen(directory))) / L"supd.log";
  std::ifstream written(file, std::ios::binary);
  const std::string contents((std::istreambuf_iterator<char>(written)),
                             std::istreambuf_iterator<char>());
  EXPECT_NE(contents.find("caf\xC3\xA9 logged"), std::string::npos) << Narrow(file.wstring());
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(file.parent_path(), ignored);
}

// supd.exe is the event source's EventMessageFile: its message table turns event 1000 with one
// insertion string into that string, which is what Event Viewer shows. (Wine has no event log;
// FormatMessage reads the same table Event Viewer would.)
TEST(LoggingTest, SupdCarriesTheMessageTableOfItsEvents) {
  const std::wstring supd = Widen(testing::ExecutableDirectory() + "\\supd.exe");
  HMODULE module = ::LoadLibraryExW(supd.c_str(), nullptr,
                                    LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
  ASSERT_NE(module, nullptr) << Win32Error("LoadLibraryExW supd.exe").message();
  const wchar_t* line = L"worker api stopped";
  const DWORD_PTR arguments[] = {reinterpret_cast<DWORD_PTR>(line)};
  wchar_t text[256] = {};
  constexpr DWORD kEventId = 1000;  // spdlog's win_eventlog_sink writes every entry with it
  constexpr DWORD kEnglish = 0x409;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, module, kEventId, kEnglish, text,
      256, reinterpret_cast<va_list*>(const_cast<DWORD_PTR*>(arguments)));
  ::FreeLibrary(module);
  ASSERT_GT(length, 0u) << Win32Error("FormatMessageW 1000").message();
  EXPECT_EQ(std::wstring(text, length), L"worker api stopped\r\n");
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
      MakeDaemonLogger(LogTarget::kConsole, {"loud", "", ""});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message().find("\"loud\""), std::string::npos);
}

}  // namespace
}  // namespace sup::win
