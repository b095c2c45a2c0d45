// The metrics file (MetricsTextfile) is written as SYSTEM in a folder supd does not own
// (windows_exporter's textfile folder): ReplaceFile against real files and links. Its temporary
// file is created new under an unguessable name (one someone made first is never used, so it
// cannot hand its DACL to the published file), renamed over the target by its handle, deleted by
// its handle when anything fails; a link in the folder or above it is refused. Wine keeps no DACL
// on files (both come from Unix permissions): the DACL the file is created with is checked as
// built; that the published file carries it only real Windows shows.
#include <windows.h>

#include <sddl.h>

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <fstream>
#include <sstream>

#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/file_workers.h"
#include "daemon/win/io_inbox.h"
#include "daemon/control/win/metrics_textfile.h"
#include "process_runner.h"
#include "wait_until.h"

namespace sup::win {
namespace {

namespace fs = std::filesystem;

class MetricsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::path(
        Widen(sup::testing::TempPath("metricsfile-" + std::to_string(::GetTickCount64()))));
    fs::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }

  std::wstring Target() const { return (folder_ / L"sup.prom").wstring(); }

  // The folder's file names, sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder_))
      names.push_back(Narrow(entry.path().filename().wstring()));
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path folder_;
};

TEST_F(MetricsFileTest, ReplacesTheFileWholeAndLeavesNothingElse) {
  ASSERT_TRUE(ReplaceFile(Target(), "first 1\n", kMetricsFileSddl).ok());
  EXPECT_EQ(Read(Target()), "first 1\n");
  Result<void> again = ReplaceFile(Target(), "second 2\n", kMetricsFileSddl);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(Read(Target()), "second 2\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"sup.prom"});
}

// The first design wrote <file>.tmp with CREATE_ALWAYS: whoever created that name first (with a
// DACL of their own) kept their DACL on the published file, and could swap it for a link.
TEST_F(MetricsFileTest, ATemporaryFileSomeoneMadeFirstIsNeverUsed) {
  { std::ofstream(folder_ / L"sup.prom.tmp", std::ios::binary) << "planted"; }
  ASSERT_TRUE(ReplaceFile(Target(), "mine 1\n", kMetricsFileSddl).ok());
  EXPECT_EQ(Read(Target()), "mine 1\n");
  EXPECT_EQ(Read(folder_ / L"sup.prom.tmp"), "planted");  // untouched, not renamed
  EXPECT_EQ(Names(), (std::vector<std::string>{"sup.prom", "sup.prom.tmp"}));
}

// A reader holding the file without delete sharing: the replace fails, the old figures stay, and
// the temporary file is deleted (by its handle): nothing piles up in the folder.
TEST_F(MetricsFileTest, AFailedReplaceKeepsTheOldFileAndDeletesItsTemporaryFile) {
  ASSERT_TRUE(ReplaceFile(Target(), "old 1\n", kMetricsFileSddl).ok());
  const UniqueFileHandle reader{::CreateFileW(Target().c_str(), GENERIC_READ, FILE_SHARE_READ,
                                              nullptr, OPEN_EXISTING, 0, nullptr)};
  ASSERT_TRUE(reader);
  Result<void> blocked = ReplaceFile(Target(), "new 2\n", kMetricsFileSddl);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message().find("replacing " + Narrow(Target())), std::string::npos)
      << blocked.error().message();
  EXPECT_EQ(Read(Target()), "old 1\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"sup.prom"});
}

// A reader that holds the file while it reads (sharing delete, as a collector reading it may): the
// file is never seen half-written nor mixed. Either the replace goes through and the held handle
// still reads the old figures whole (Windows with POSIX rename semantics), or it is refused and
// the old figures stay whole, with nothing left in the folder (Wine, and Windows' classic
// semantics): the next replace, once the reader let go, publishes the new ones.
TEST_F(MetricsFileTest, AReaderHoldingTheFileNeverSeesItHalfWrittenOrMixed) {
  const std::string old_figures =
      "sup_worker_up{worker=\"api\"} 1\n" + std::string(4000, '#') + "\n";
  const std::string new_figures = "sup_worker_up{worker=\"api\"} 0\n";
  ASSERT_TRUE(ReplaceFile(Target(), old_figures, kMetricsFileSddl).ok());
  {
    const UniqueFileHandle reader{::CreateFileW(
        Target().c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        nullptr, OPEN_EXISTING, 0, nullptr)};
    ASSERT_TRUE(reader);
    char first[16] = {};
    DWORD read = 0;
    ASSERT_TRUE(::ReadFile(reader.get(), first, sizeof(first), &read, nullptr));  // midway
    const Result<void> replaced = ReplaceFile(Target(), new_figures, kMetricsFileSddl);
    std::string rest(8192, '\0');
    ASSERT_TRUE(
        ::ReadFile(reader.get(), rest.data(), static_cast<DWORD>(rest.size()), &read, nullptr));
    rest.resize(read);
    EXPECT_EQ(std::string(first, sizeof(first)) + rest, old_figures);  // what the reader saw
    EXPECT_EQ(Read(Target()), replaced ? new_figures : old_figures);   // what the next one sees
    EXPECT_EQ(Names(), std::vector<std::string>{"sup.prom"});
  }
  ASSERT_TRUE(ReplaceFile(Target(), new_figures, kMetricsFileSddl).ok());
  EXPECT_EQ(Read(Target()), new_figures);
}

// C:\sup-links\app is a link to C:\sup-links\elsewhere (scripts/wine-session.sh makes it): a
// metrics file in it, or in a folder below it, is refused naming the link, and nothing is written
// where it points.
TEST_F(MetricsFileTest, ALinkInTheFolderOrAboveItIsRefused) {
  ASSERT_NE(::GetFileAttributesW(L"C:\\sup-links\\app") & FILE_ATTRIBUTE_REPARSE_POINT, 0u)
      << "C:\\sup-links\\app is not the link wine-session.sh makes";
  for (const wchar_t* path :
       {L"C:\\sup-links\\app\\sup.prom", L"C:\\sup-links\\app\\textfile\\sup.prom"}) {
    Result<void> refused = ReplaceFile(path, "x 1\n", kMetricsFileSddl);
    ASSERT_FALSE(refused.ok()) << Narrow(path);
    EXPECT_NE(refused.error().message().find("C:\\sup-links\\app is a junction or symbolic link"),
              std::string::npos)
        << refused.error().message();
  }
  EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\elsewhere\\sup.prom"), INVALID_FILE_ATTRIBUTES);
  EXPECT_EQ(::GetFileAttributesW(L"C:\\sup-links\\elsewhere\\textfile"), INVALID_FILE_ATTRIBUTES);
}

// What only Windows enforces, checked as built: nobody but SYSTEM and Administrators may change
// the published file; everyone logged on may read it (windows_exporter's account, whichever).
TEST(MetricsFileSddlTest, OnlySystemAndAdministratorsMayChangeThePublishedFile) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      Widen(kMetricsFileSddl).c_str(), SDDL_REVISION_1, &descriptor, nullptr));
  const UniqueLocalMemory owned{descriptor};
  EXPECT_EQ(ForeignWriters(descriptor, {}, kFileGenericMapping, kFileChangeRights),
            std::vector<std::string>{});
  // And the rule itself sees a writer: the same DACL with authenticated users modifying.
  PSECURITY_DESCRIPTOR writable = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1301bf;;;AU)", SDDL_REVISION_1, &writable, nullptr));
  const UniqueLocalMemory owned_writable{writable};
  EXPECT_EQ(ForeignWriters(writable, {}, kFileGenericMapping, kFileChangeRights),
            std::vector<std::string>{"S-1-5-11"});
}

// A metrics file another program holds (an oplock, a scanner) keeps its write waiting: the io
// thread goes on supervising meanwhile (the write runs on the file thread), the write still
// running later is a warning naming the file, and the newest figures are written once it ends.
// The blocking writer stands in for the file: Wine has no oplocks (only real Windows shows a
// ReplaceFile that waits on one).
TEST(MetricsTextfileTest, AWriteThatBlocksNeitherHoldsTheIoThreadNorIsLost) {
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  std::vector<std::string> written;
  const auto blocking_writer = [&](const std::wstring&,
                                   const std::string& content) -> Result<void> {
    std::unique_lock lock(mutex);
    released_changed.wait(lock, [&] { return released; });
    written.push_back(content);
    return Ok();
  };
  auto lines = std::make_shared<std::ostringstream>();
  auto log = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*lines));
  boost::asio::io_context io;
  FileWorkers files;
  int renders = 0;
  std::vector<std::optional<std::string>> problems;  // on the io thread
  MetricsTextfile metrics(
      io, files, IoInbox(io), L"C:\\held\\sup.prom", std::chrono::hours(1),
      [&] { return "render " + std::to_string(++renders); }, log, blocking_writer,
      std::chrono::milliseconds(50),
      [&](const std::optional<std::string>& problem) { problems.push_back(problem); });
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  boost::asio::post(io, [&] { metrics.Start(); });  // its write blocks on the file thread
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return files.RunningFor("metrics").value_or(std::chrono::seconds(0)) >=
               std::chrono::milliseconds(60);
      },
      std::chrono::seconds(10)));
  std::atomic<bool> io_answered{false};
  boost::asio::post(io, [&] { io_answered = true; });
  EXPECT_TRUE(testing::WaitUntil([&] { return io_answered.load(); }, std::chrono::seconds(10)))
      << "the io thread waits on the file";
  boost::asio::post(io, [&] { metrics.Stop(); });  // a last write, while the first still runs
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        return lines->str().find("metrics file write stuck path=\"C:\\held\\sup.prom\"") !=
               std::string::npos;
      },
      std::chrono::seconds(10)))
      << lines->str();
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  released_changed.notify_all();
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        std::lock_guard lock(mutex);
        return written.size() == 2;
      },
      std::chrono::seconds(10)));
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return lines->str().find("metrics file write ended") != std::string::npos; },
      std::chrono::seconds(10)))
      << lines->str();
  work.reset();
  io.stop();
  io_thread.join();
  std::lock_guard lock(mutex);
  EXPECT_EQ(written, (std::vector<std::string>{"render 1", "render 2"}));
  // Status showed it while it lasted (supd's problems), and no more once written.
  ASSERT_GE(problems.size(), 2u);
  ASSERT_TRUE(problems.front().has_value());
  EXPECT_NE(problems.front()->find("metrics file C:\\held\\sup.prom: a write has not ended"),
            std::string::npos)
      << *problems.front();
  EXPECT_EQ(problems.back(), std::nullopt);
}

}  // namespace
}  // namespace sup::win
