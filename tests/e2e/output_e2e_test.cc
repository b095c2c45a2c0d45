// Worker output end to end, through supd.exe as a service and supctl.exe: what a worker prints in
// a Windows code page or in UTF-8 reaches `logs`, `logs -o json` and `describe` as UTF-8, lines
// far longer than a reply may carry come back cut, not as a dropped connection, stdout and stderr
// may share a file, and a follower of a worker that is removed is told the stream ended.
#include <windows.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::SupdService;

using testing::Contains;

using testing::IsRunning;

// Waits until `supctl logs WORKER` shows `part`; returns the last output.
testing::ProcessOutput WaitForLogs(SupdService& supd, const std::vector<std::string>& arguments,
                                   const std::string& part) {
  testing::ProcessOutput output;
  testing::WaitUntil(
      [&] {
        output = supd.Supctl(arguments);
        return Contains(output.out, part);
      },
      15s);
  return output;
}

TEST(OutputE2eTest, CodePageAndUtf8OutputReachSupctlAsUtf8) {
  SupdService supd("encodings");
  // "café" as cp1252 bytes (what cmd's type, .NET and Java print into a pipe) and as UTF-8.
  supd.AddWorker("latin", {"--print-hex", "636166e90a"});
  supd.SetString("latin", "OutputEncoding", "1252");
  supd.AddWorker("latin-utf8", {"--print-hex", "636166e90a"});
  supd.SetString("latin-utf8", "OutputEncoding", "utf-8");
  supd.AddWorker("utf8", {"--print-hex", "636166c3a90a"});  // OutputEncoding auto
  for (const char* worker : {"latin", "latin-utf8", "utf8"})
    supd.SetString(worker, "StdoutLog", testing::TempPath(std::string(worker) + ".out.log"));
  ASSERT_SUPD_OK(supd.InstallAndStart());

  const std::string cafe = "caf\xC3\xA9";
  const testing::ProcessOutput latin = WaitForLogs(supd, {"logs", "latin"}, "caf");
  EXPECT_EQ(latin.exit_code, 0u) << latin.err;
  EXPECT_EQ(latin.out, cafe + "\n");  // supctl writes UTF-8 into a pipe
  EXPECT_EQ(WaitForLogs(supd, {"logs", "utf8"}, "caf").out, cafe + "\n");
  // Declared UTF-8 but not: the byte shows as U+FFFD, and the reply still parses.
  EXPECT_EQ(WaitForLogs(supd, {"logs", "latin-utf8"}, "caf").out, "caf\xEF\xBF\xBD\n");

  const testing::ProcessOutput json = supd.Supctl({"-o", "json", "logs", "latin"});
  EXPECT_EQ(json.exit_code, 0u) << json.err;
  EXPECT_EQ(json.out, "{\"worker\":\"latin\",\"line\":\"" + cafe + "\"}\n");
  const testing::ProcessOutput describe = supd.Supctl({"describe", "latin"});
  EXPECT_EQ(describe.exit_code, 0u) << describe.err;
  EXPECT_TRUE(Contains(describe.out, cafe)) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "OutputEncoding")) << describe.out;
}

TEST(OutputE2eTest, SixtyKilobyteLinesComeBackCutAndTheConnectionStays) {
  SupdService supd("hugelines");
  // 25 lines of 60 000 bytes on each stream: 1.5 MB, more than MaxFrameBytes (1 MiB).
  supd.AddWorker("huge", {"--flood", "25", "--line-bytes", "60000"});
  supd.SetString("huge", "Restart", "never");
  supd.SetString("huge", "StdoutLog", testing::TempPath("huge.out.log"));
  supd.SetString("huge", "StderrLog", testing::TempPath("huge.err.log"));
  ASSERT_SUPD_OK(supd.InstallAndStart());

  const testing::ProcessOutput logs =
      WaitForLogs(supd, {"logs", "huge", "-n", "20"}, "out 000000000024");
  EXPECT_EQ(logs.exit_code, 0u) << logs.err;
  EXPECT_TRUE(Contains(logs.out, "bytes cut]")) << logs.out.substr(0, 300);
  EXPECT_LT(logs.out.size(), 1024u * 1024u);
  const testing::ProcessOutput describe = supd.Supctl({"describe", "huge"});
  EXPECT_EQ(describe.exit_code, 0u) << describe.err;
  EXPECT_TRUE(Contains(describe.out, "bytes cut]"));
  const testing::ProcessOutput err = supd.Supctl({"logs", "huge", "--stderr", "-n", "20"});
  EXPECT_EQ(err.exit_code, 0u) << err.err;
  EXPECT_TRUE(Contains(err.out, "err 000000000024")) << err.out.substr(0, 300);
}

TEST(OutputE2eTest, ALogHeldByAnotherProgramIsNotRotatedAndStatusSaysSoUntilItHeals) {
  SupdService supd("heldlog");
  const std::string log = testing::TempPath("held.out.log");
  supd.AddWorker("held", {"--print-every", "2"});
  supd.SetString("held", "StdoutLog", log);
  supd.SetDword("held", "LogMaxBytes", 4096);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return ::GetFileAttributesW(Widen(log).c_str()) != INVALID_FILE_ATTRIBUTES; }, 10s));
  const auto description = [&] {
    const testing::ProcessOutput status = supd.Supctl({"status", "held"});
    return status.out;
  };
  {
    // A log shipper tails the file, sharing read and write but not delete.
    const UniqueFileHandle holder{::CreateFileW(Widen(log).c_str(), GENERIC_READ,
                                                FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr)};
    ASSERT_TRUE(holder);
    std::string status;
    EXPECT_TRUE(testing::WaitUntil(
        [&] {
          status = description();
          return Contains(status, "stdout: log rotation failing since");
        },
        15s))
        << status;
    const testing::ProcessOutput events = supd.Supctl({"events", "-n", "50"});
    EXPECT_TRUE(Contains(events.out, ": stdout: log rotation failing since")) << events.out;
    EXPECT_TRUE(Contains(events.out, "Sharing violation")) << events.out;
    EXPECT_EQ(supd.CountInLog("worker output name=held"), 1u);  // once, not per line
  }
  // The shipper let go: the next try (within a few seconds of backoff) rotates, and it is said.
  std::string status;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        status = description();
        return !Contains(status, "log rotation failing");
      },
      20s))
      << status;
  const testing::ProcessOutput events = supd.Supctl({"events", "-n", "50"});
  EXPECT_TRUE(Contains(events.out, ": stdout: log writes and rotation work again")) << events.out;
}

// What logrotate-style tools do: rename the file away, then ask for a new one (user control 129;
// ControlService is what `sc control supd 129` calls, and Wine's sc.exe has no `control`).
TEST(OutputE2eTest, Control129ReopensTheLogsAfterAToolRenamedThemAway) {
  SupdService supd("reopen");
  const std::string log = testing::TempPath("reopen.out.log");
  const std::string moved = testing::TempPath("reopen.out.log.old");
  supd.AddWorker("ticker", {"--print-every", "20"});
  supd.SetString("ticker", "StdoutLog", log);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return ::GetFileAttributesW(Widen(log).c_str()) != INVALID_FILE_ATTRIBUTES; }, 10s));
  ASSERT_TRUE(::MoveFileW(Widen(log).c_str(), Widen(moved).c_str()))
      << Win32Error("renaming the log away").message();
  SERVICE_STATUS ignored{};
  ASSERT_TRUE(::ControlService(supd.handle(), 129, &ignored)) << ::GetLastError();
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        WIN32_FILE_ATTRIBUTE_DATA data{};
        return ::GetFileAttributesExW(Widen(log).c_str(), GetFileExInfoStandard, &data) &&
               data.nFileSizeLow > 0;
      },
      10s))
      << "no new log at " << log;
  EXPECT_TRUE(supd.WaitForLog("worker logs reopened control=129"));
}

// The everyday `2>&1`: StdoutLog and StderrLog name one file. Both streams flood at once, in
// blocks that reach supd in pieces ending mid-line; the file gets every line whole, and `logs`
// shows the same lines for either stream.
TEST(OutputE2eTest, StdoutAndStderrIntoOneFileKeepEveryLineWhole) {
  SupdService supd("sharedlog");
  const std::string log = testing::TempPath("both.log");
  supd.AddWorker("both", {"--flood", "3000", "--line-bytes", "100"});
  supd.SetString("both", "Restart", "never");
  supd.SetString("both", "StdoutLog", log);
  supd.SetString("both", "StderrLog", log);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker(
      "both", [](const WorkerStatus& w) { return w.state() == WorkerStatus::EXITED; }));
  std::string content;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        std::ifstream file(log, std::ios::binary);
        content.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        return content.size() == 2 * 3000 * 100;
      },
      15s))
      << content.size() << " bytes in " << log;
  std::size_t out = 0, err = 0;
  for (std::size_t start = 0; start < content.size();) {
    const std::size_t end = content.find('\n', start);
    const std::string line = content.substr(start, end - start);
    start = end + 1;
    ASSERT_EQ(line.size(), 99u) << "a line that is not whole: " << line.substr(0, 40);
    out += line.rfind("out ", 0) == 0;
    err += line.rfind("err ", 0) == 0;
  }
  EXPECT_EQ(out, 3000u);
  EXPECT_EQ(err, 3000u);
  const testing::ProcessOutput logs = supd.Supctl({"logs", "both", "-n", "50"});
  EXPECT_EQ(logs.exit_code, 0u) << logs.err;
  EXPECT_EQ(testing::CountOccurrences(logs.out, "\n"), 50u);
  EXPECT_EQ(supd.Supctl({"logs", "both", "--stderr", "-n", "50"}).out, logs.out);
  const testing::ProcessOutput describe = supd.Supctl({"describe", "both"});
  EXPECT_EQ(describe.exit_code, 0u) << describe.err;
  EXPECT_TRUE(Contains(describe.out, "Last stdout and stderr lines (one file):")) << describe.out;
  EXPECT_FALSE(Contains(describe.out, "Last stderr lines")) << describe.out;
}

// `supctl logs -f` of each kind of worker output, as it streams: a code page decoded to UTF-8,
// 60 000-byte lines cut to fit a frame (the follower stays connected), and stdout and stderr
// sharing a file. Each worker is restarted once its follower is connected, so what they print
// arrives through the stream, not the backlog.
TEST(OutputE2eTest, FollowersGetDecodedCutAndSharedOutputAsItStreams) {
  SupdService supd("followkinds");
  supd.AddWorker("latin", {"--print-hex", "636166e90a"});  // "café" in cp1252, then runs on
  supd.SetString("latin", "OutputEncoding", "1252");
  supd.SetString("latin", "StdoutLog", testing::TempPath("followkinds-latin.log"));
  supd.AddWorker("huge", {"--flood", "5", "--line-bytes", "60000"});
  supd.SetString("huge", "Restart", "never");
  supd.SetString("huge", "StdoutLog", testing::TempPath("followkinds-huge.log"));
  supd.AddWorker("both", {"--flood", "500", "--line-bytes", "100"});
  supd.SetString("both", "Restart", "never");
  const std::string both_log = testing::TempPath("followkinds-both.log");
  supd.SetString("both", "StdoutLog", both_log);
  supd.SetString("both", "StderrLog", both_log);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("latin", IsRunning));
  for (const char* worker : {"huge", "both"}) {
    ASSERT_TRUE(supd.WaitForWorker(
        worker, [](const WorkerStatus& w) { return w.state() == WorkerStatus::EXITED; }));
  }
  const auto follow = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {testing::ExecutableDirectory() + "\\supctl.exe", "--pipe",
                                         supd.control_pipe(), "logs"});
    arguments.insert(arguments.end(), {"-f", "-n", "1"});
    Result<std::unique_ptr<testing::BackgroundProcess>> follower =
        testing::BackgroundProcess::Start(arguments);
    if (!follower) {  // not dereferenced: the test fails here, not with a crash
      ADD_FAILURE() << follower.error().message();
      return std::unique_ptr<testing::BackgroundProcess>();
    }
    // The one line of backlog says it is connected.
    EXPECT_TRUE(testing::WaitUntil([&] { return !(*follower)->Out().empty(); }, 20s))
        << (*follower)->Err();
    return std::move(*follower);
  };
  const std::unique_ptr<testing::BackgroundProcess> latin = follow({"latin"});
  const std::unique_ptr<testing::BackgroundProcess> huge = follow({"huge"});
  const std::unique_ptr<testing::BackgroundProcess> both = follow({"both", "--stderr"});
  ASSERT_TRUE(latin && huge && both);
  const testing::ProcessOutput restarted = supd.Supctl({"restart", "latin", "huge", "both"});
  ASSERT_EQ(restarted.exit_code, 0u) << restarted.out << restarted.err;

  const std::string cafe = "caf\xC3\xA9\n";
  EXPECT_TRUE(
      testing::WaitUntil([&] { return testing::CountOccurrences(latin->Out(), cafe) >= 2; }, 20s))
      << latin->Out() << latin->Err();
  EXPECT_EQ(latin->Out(), cafe + cafe);  // nothing but the decoded line, twice
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return testing::CountOccurrences(huge->Out(), "bytes cut]") >= 6; }, 20s))
      << huge->Err();
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        const std::string out = both->Out();
        return Contains(out, "out 000000000499") && Contains(out, "err 000000000499");
      },
      20s))
      << both->Err();
  for (testing::BackgroundProcess* follower : {latin.get(), huge.get(), both.get()})
    EXPECT_FALSE(follower->WaitForExit(0ms).has_value()) << follower->Err();
  ASSERT_SUPD_OK(supd.Stop());
  for (testing::BackgroundProcess* follower : {latin.get(), huge.get(), both.get()})
    EXPECT_EQ(follower->WaitForExit(20s), std::optional<unsigned long>(0)) << follower->Err();
}

// `supctl logs -f` on a worker that is then removed from the configuration: the stream ends
// (exit 0, as when supd stops), and following the other workers goes on.
TEST(OutputE2eTest, FollowingAWorkerThatIsRemovedEndsTheFollow) {
  SupdService supd("removedfollow");
  supd.AddWorker("leaving", {"--print-every", "50"});
  supd.SetString("leaving", "StdoutLog", testing::TempPath("leaving.out.log"));
  supd.AddWorker("staying", {"--print-every", "50"});
  supd.SetString("staying", "StdoutLog", testing::TempPath("staying.out.log"));
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("leaving", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("staying", IsRunning));
  const auto follow = [&](const std::string& worker) {
    return testing::BackgroundProcess::Start({testing::ExecutableDirectory() + "\\supctl.exe",
                                              "--pipe", supd.control_pipe(), "logs", worker, "-f"});
  };
  Result<std::unique_ptr<testing::BackgroundProcess>> leaving = follow("leaving");
  Result<std::unique_ptr<testing::BackgroundProcess>> staying = follow("staying");
  ASSERT_TRUE(leaving.ok()) << leaving.error().message();
  ASSERT_TRUE(staying.ok()) << staying.error().message();
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return testing::CountOccurrences((*leaving)->Out(), "tick") >= 3; }, 20s))
      << (*leaving)->Err();

  const testing::ProcessOutput removed =
      supd.Supctl({"worker", "--config-key", supd.config_key(), "remove", "leaving", "--apply"});
  ASSERT_EQ(removed.exit_code, 0u) << removed.out << removed.err;
  EXPECT_EQ((*leaving)->WaitForExit(20s), std::optional<unsigned long>(0)) << (*leaving)->Err();
  const std::size_t ticks = testing::CountOccurrences((*staying)->Out(), "tick");
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return testing::CountOccurrences((*staying)->Out(), "tick") > ticks + 2; }, 20s))
      << (*staying)->Err();
  EXPECT_FALSE((*staying)->WaitForExit(0ms).has_value());
}

}  // namespace
}  // namespace sup::win
