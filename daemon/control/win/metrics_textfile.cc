#include "daemon/control/win/metrics_textfile.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/safe_paths.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

namespace {
constexpr std::chrono::seconds kChangeSpacing{1};
}  // namespace

Result<void> ReplaceFile(const std::wstring& path, const std::string& content,
                         const std::string& sddl) {
  const std::filesystem::path target(path);
  const std::wstring folder = target.parent_path().wstring();
  // Links first: a folder made through one would be made wherever it points.
  if (Result<void> links = RefuseLinkedFolders(folder); !links) return links.error();
  if (Result<std::optional<std::string>> own =
          EnsureOwnFolder(Narrow(folder), OwnFolderSddl("", OwnUserSid()));
      !own)
    return own.error();
  Result<std::string> token = UnguessableToken();
  if (!token) return token.error();
  const std::wstring temporary = path + L"." + Widen(*token) + L".tmp";
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(sddl);
  if (!security) return security.error();
  const UniqueFileHandle file{
      ::CreateFileW(temporary.c_str(), GENERIC_WRITE | DELETE, 0, security->get(), CREATE_NEW,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr)};
  if (!file) return Win32Error("creating " + Narrow(temporary));
  // From here on a failure deletes the temporary file, by its handle.
  const auto discard = [&](Error error) {
    FILE_DISPOSITION_INFO dispose{TRUE};
    ::SetFileInformationByHandle(file.get(), FileDispositionInfo, &dispose, sizeof(dispose));
    return error;
  };
  if (std::optional<std::wstring> elsewhere = OpenedElsewhere(file.get(), temporary)) {
    return discard(Error(ErrorKind::kFailedPrecondition,
                         Narrow(temporary) + " is reached through a link (it opens as " +
                             Narrow(*elsewhere) + "): supd does not write through links"));
  }
  DWORD written = 0;
  if (!::WriteFile(file.get(), content.data(), static_cast<DWORD>(content.size()), &written,
                   nullptr) ||
      written != content.size()) {
    return discard(Win32Error("writing " + Narrow(temporary)));
  }
  // FILE_RENAME_INFO ends in the new name, in place: allocated with room for it. An absolute path
  // (Wine does not rename relative to a RootDirectory handle).
  const std::size_t name_bytes = path.size() * sizeof(wchar_t);
  std::vector<std::byte> buffer(sizeof(FILE_RENAME_INFO) + name_bytes);
  auto* rename = reinterpret_cast<FILE_RENAME_INFO*>(buffer.data());
  rename->ReplaceIfExists = TRUE;
  rename->RootDirectory = nullptr;
  rename->FileNameLength = static_cast<DWORD>(name_bytes);
  std::memcpy(rename->FileName, path.data(), name_bytes);
  if (!::SetFileInformationByHandle(file.get(), FileRenameInfo, rename,
                                    static_cast<DWORD>(buffer.size()))) {
    return discard(Win32Error("replacing " + Narrow(path)));
  }
  return Ok();
}

Result<void> MetricsTextfile::ReplaceMetricsFile(const std::wstring& path,
                                                 const std::string& content) {
  return ReplaceFile(path, content, kMetricsFileSddl);
}

struct MetricsTextfile::Outcome {
  std::shared_ptr<spdlog::logger> log;
  std::string path;
  ProblemSink on_problem;
  bool failing = false;  // warned once per failure streak
  bool stuck = false;    // warned once per stuck write

  void Tell(const std::optional<std::string>& problem) {
    if (on_problem) on_problem(problem);
  }
  void Stuck(std::chrono::steady_clock::duration running) {
    if (stuck) return;
    stuck = true;
    const std::string seconds =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(running).count());
    log->warn(
        "metrics file write stuck path=\"{}\" for={}s (the newest figures are written once it "
        "ends)",
        path, seconds);
    Tell("metrics file " + path + ": a write has not ended for " + seconds + " s");
  }
  void Written(const Result<void>& written) {
    if (stuck) log->info("metrics file write ended path=\"{}\"", path);
    stuck = false;
    if (!written) {
      if (!failing) {
        log->warn("metrics file not written path=\"{}\" reason=\"{}\" (said once until it works)",
                  path, written.error().message());
        Tell("metrics file " + path + " not written: " + written.error().message());
      }
      failing = true;
      return;
    }
    if (failing) log->info("metrics file written again path=\"{}\"", path);
    failing = false;
    Tell(std::nullopt);
  }
};

MetricsTextfile::MetricsTextfile(boost::asio::io_context& io, FileWorkers& files, IoInbox inbox,
                                 std::wstring path, std::chrono::milliseconds interval,
                                 Render render, std::shared_ptr<spdlog::logger> log, Writer writer,
                                 std::chrono::milliseconds stuck_after, ProblemSink on_problem)
    : io_(io),
      files_(files),
      inbox_(std::move(inbox)),
      path_(std::move(path)),
      interval_(interval),
      render_(std::move(render)),
      writer_(std::move(writer)),
      stuck_after_(stuck_after),
      outcome_(
          std::make_shared<Outcome>(Outcome{std::move(log), Narrow(path_), std::move(on_problem)})),
      interval_timer_(io),
      change_timer_(io) {}

void MetricsTextfile::Start() {
  Write();
  ArmInterval();
}

void MetricsTextfile::ArmInterval() {
  interval_timer_.expires_after(interval_);
  interval_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    Write();
    ArmInterval();
  });
}

void MetricsTextfile::Changed() {
  if (stopped_ || change_waiting_) return;
  // Never written from inside the change itself (the engine is still making it): at the earliest
  // once the current handler is done, and a second after the last write.
  change_waiting_ = true;
  change_timer_.expires_at(
      std::max(last_write_ + kChangeSpacing, std::chrono::steady_clock::now()));
  change_timer_.async_wait([this](boost::system::error_code ec) {
    change_waiting_ = false;
    if (!ec && !stopped_) Write();
  });
}

void MetricsTextfile::Stop() {
  if (stopped_) return;
  Write();
  stopped_ = true;
  interval_timer_.cancel();
  change_timer_.cancel();
}

void MetricsTextfile::Write() {
  constexpr char kKey[] = "metrics";
  last_write_ = std::chrono::steady_clock::now();
  if (const auto running = files_.RunningFor(kKey); running && *running >= stuck_after_)
    outcome_->Stuck(*running);
  files_.Replace(kKey, [inbox = inbox_, writer = writer_, path = path_, content = render_(),
                        outcome = std::weak_ptr<Outcome>(outcome_)] {
    Result<void> written = writer(path, content);
    inbox.Post([outcome, written = std::move(written)] {
      if (std::shared_ptr<Outcome> told = outcome.lock()) told->Written(written);
    });
  });
}

}  // namespace sup::win
