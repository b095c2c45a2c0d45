#include "daemon/output/win/output_capture.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "common/case_insensitive.h"
#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/pipe_client.h"
#include "common/win/safe_paths.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/output/backup_names.h"
#include "daemon/output/win/code_pages.h"

namespace sup::win {
namespace {

std::chrono::milliseconds RotationPeriod(RotateEvery every) {
  switch (every) {
    case RotateEvery::kNone: return std::chrono::milliseconds(0);
    case RotateEvery::kHourly: return std::chrono::hours(1);
    case RotateEvery::kDaily: return std::chrono::hours(24);
  }
  return std::chrono::milliseconds(0);
}

}  // namespace

Result<std::unique_ptr<WindowsLogFile>> WindowsLogFile::Open(const std::string& path,
                                                             std::uint32_t backups,
                                                             const Clock& clock,
                                                             std::uint32_t max_age_days) {
  const std::wstring expanded = ExpandEnvironmentVariables(Widen(path));
  // supd writes, renames and deletes in this folder as SYSTEM: it must be a folder of
  // administrators (or made now, for them), not a link or another user's folder.
  if (Result<std::optional<std::string>> folder =
          EnsureOwnFolder(Narrow(std::filesystem::path(expanded).parent_path().wstring()),
                          OwnFolderSddl("", OwnUserSid()));
      !folder) {
    return folder.error();
  }
  std::unique_ptr<WindowsLogFile> file(new WindowsLogFile(expanded, backups, clock, max_age_days));
  if (Result<void> opened = file->OpenCurrent(); !opened) return opened.error();
  return file;
}

Result<void> WindowsLogFile::OpenCurrent() {
  // Shared read/write/delete: readers and tail tools never block writing or rotation.
  // FILE_FLAG_OPEN_REPARSE_POINT: a link in the log's place is opened itself, and refused below,
  // never followed to wherever it points.
  file_.reset(::CreateFileW(path_.c_str(), FILE_APPEND_DATA | FILE_READ_ATTRIBUTES,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                            OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
                            nullptr));
  if (!file_) return Win32Error("opening the log file " + Narrow(path_));
  if (LinkAwareAttributes(file_.get(), path_) & FILE_ATTRIBUTE_REPARSE_POINT) {
    file_.reset();
    return Error(ErrorKind::kFailedPrecondition,
                 "the log file " + Narrow(path_) +
                     " is a symbolic link or junction: supd does not write through links");
  }
  // A hard link made by whoever could write the folder once (or could reach the file) is the
  // same file under another name, perhaps one of theirs: supd would write into it and rotate it.
  BY_HANDLE_FILE_INFORMATION info{};
  if (::GetFileInformationByHandle(file_.get(), &info) && info.nNumberOfLinks > 1) {
    file_.reset();
    return Error(ErrorKind::kFailedPrecondition,
                 "the log file " + Narrow(path_) + " has " + std::to_string(info.nNumberOfLinks) +
                     " names (hard links): supd writes only a file that has one");
  }
  // A link further up (a folder above the log's own, swapped for a junction by whoever may write
  // there) shows as a file opened somewhere else than the path says.
  if (std::optional<std::wstring> elsewhere = OpenedElsewhere(file_.get(), path_)) {
    file_.reset();
    return Error(ErrorKind::kFailedPrecondition,
                 "the log file " + Narrow(path_) + " is reached through a link (it opens as " +
                     Narrow(*elsewhere) + "): supd does not write through links");
  }
  LARGE_INTEGER size{};
  ::GetFileSizeEx(file_.get(), &size);
  size_ = static_cast<std::uint64_t>(size.QuadPart);
  modified_unix_ms_.reset();
  if (FILETIME written{}; size_ > 0 && ::GetFileTime(file_.get(), nullptr, nullptr, &written)) {
    // FILETIME: 100 ns units since 1601-01-01.
    constexpr std::int64_t kUnixEpochIn100ns = 116444736000000000LL;
    const std::int64_t ticks = static_cast<std::int64_t>(
        (static_cast<std::uint64_t>(written.dwHighDateTime) << 32) | written.dwLowDateTime);
    modified_unix_ms_ = (ticks - kUnixEpochIn100ns) / 10000;
  }
  return Ok();
}

Result<void> WindowsLogFile::Append(std::string_view bytes) {
  if (!file_) return Error(ErrorKind::kUnavailable, "log file " + Narrow(path_) + " is not open");
  DWORD written = 0;
  if (!::WriteFile(file_.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written,
                   nullptr)) {
    return Win32Error("writing the log file " + Narrow(path_));
  }
  size_ += written;
  return Ok();
}

Result<void> WindowsLogFile::Rotate() {
  const std::filesystem::path current(path_);
  const std::string name = Narrow(current.filename().wstring());
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
          .count();
  // Named after every backup there, even if the clock went back (NextBackupTime).
  const std::int64_t named_ms = output::NextBackupTime(name, ListBackups(), now_ms);
  file_.reset();
  // Never replace a file: a backup of the same name (two rotations within a millisecond) moves
  // the name on by a millisecond, which keeps the names in order.
  for (std::int64_t later = 0;; ++later) {
    const std::wstring backup =
        (current.parent_path() / Widen(output::BackupName(name, named_ms + later))).wstring();
    if (::MoveFileExW(path_.c_str(), backup.c_str(), 0)) break;
    const DWORD error = ::GetLastError();
    if ((error == ERROR_ALREADY_EXISTS || error == ERROR_FILE_EXISTS) && later < 1000) continue;
    (void)OpenCurrent();  // nothing was renamed or deleted: go on writing where we were
    return Win32Error("rotating the log file " + Narrow(path_), error);
  }
  if (Result<void> opened = OpenCurrent(); !opened) return opened;
  RemoveExpiredBackups(now_ms);
  return Ok();
}

std::vector<std::string> WindowsLogFile::ListBackups() const {
  const std::filesystem::path current(path_);
  std::vector<std::string> backups;
  WIN32_FIND_DATAW found{};
  const std::wstring pattern =
      (current.parent_path() / (current.stem().wstring() + L".*" + current.extension().wstring()))
          .wstring();
  const UniqueFindHandle search{::FindFirstFileW(pattern.c_str(), &found)};
  if (!search) return backups;
  do {
    backups.push_back(Narrow(found.cFileName));
  } while (::FindNextFileW(search.get(), &found));
  return backups;
}

void WindowsLogFile::RemoveExpiredBackups(std::int64_t now_ms) {
  const std::filesystem::path current(path_);
  const std::string name = Narrow(current.filename().wstring());
  const std::vector<std::string> backups = ListBackups();
  const std::int64_t max_age_ms = static_cast<std::int64_t>(max_age_days_) * 24 * 3600 * 1000;
  for (const std::string& expired :
       output::ExpiredBackups(name, backups, backups_, max_age_ms, now_ms))
    ::DeleteFileW((current.parent_path() / Widen(expired)).wstring().c_str());
}

CapturedLog::CapturedLog(const LogFileWork& work, CaptureSettings settings,
                         std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      log_(std::move(log)),
      stuck_timer_(std::make_shared<boost::asio::steady_timer>(work.io)),
      file_(output::QueuedLog::Ports{
                .workers = work.workers,
                .clock = work.clock,
                .post_back = [inbox = work.inbox](
                                 output::QueuedLog::Task task) { inbox.Post(std::move(task)); },
                .arm_timer =
                    [timer = stuck_timer_](std::chrono::milliseconds delay,
                                           output::QueuedLog::Task task) {
                      timer->expires_after(delay);
                      timer->async_wait([task = std::move(task)](boost::system::error_code ec) {
                        if (!ec) task();
                      });
                    },
                .cancel_timer = [timer = stuck_timer_] { timer->cancel(); }},
            [settings = settings_,
             &clock = work.clock]() -> Result<std::unique_ptr<output::LogFile>> {
              Result<std::unique_ptr<WindowsLogFile>> file = WindowsLogFile::Open(
                  settings.path, settings.backups, clock, settings.max_age_days);
              if (!file) return file.error();
              return std::unique_ptr<output::LogFile>(std::move(*file));
            },
            {.path = settings_.path,
             .file = {.max_bytes = settings_.max_bytes,
                      .rotate_every = RotationPeriod(settings_.rotate_every)},
             .on_problem =
                 [this](const std::optional<std::string>& problem) { ReportProblem(problem); }}),
      writer_(file_, work.clock,
              {.timestamps = settings_.timestamps,
               .decoder = output::LineDecoder(settings_.encoding, &SystemCodePages())}) {}

bool CapturedLog::Matches(const CaptureSettings& settings) const {
  CaptureSettings same_path = settings;
  if (EqualsIgnoringCase(same_path.path, settings_.path)) same_path.path = settings_.path;
  return same_path == settings_;
}

// Once when writing or rotating starts failing, once when it heals: never per line.
void CapturedLog::ReportProblem(const std::optional<std::string>& problem) {
  if (on_problem_ && on_problem_(problem)) return;
  if (problem) {
    log_->warn("worker output problem log=\"{}\" problem=\"{}\"", settings_.path, *problem);
  } else {
    log_->info("worker output problem healed log=\"{}\"", settings_.path);
  }
}

std::shared_ptr<CapturedLog> CapturedLog::Open(const LogFileWork& work, CaptureSettings settings,
                                               std::shared_ptr<spdlog::logger> log) {
  return std::shared_ptr<CapturedLog>(new CapturedLog(work, std::move(settings), std::move(log)));
}

Result<UniqueHandle> OutputCapture::ChildEnd(const std::string& pipe_name) {
  const std::wstring path = PipePath(pipe_name);
  constexpr DWORD kBufferBytes = 64 * 1024;
  // Only supd opens the client end (and hands it to the child): nobody else may connect first.
  Result<SecurityAttributes> security = SecurityAttributes::FromSddl(AdministratorsAndSelfSddl());
  if (!security) return security.error();
  UniqueFileHandle server{::CreateNamedPipeW(
      path.c_str(), PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, kBufferBytes, kBufferBytes, 0,
      security->get())};
  if (!server) return Win32Error("creating the output pipe " + pipe_name);
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  // Synchronous on the child's side: that is what a program's stdout expects.
  HANDLE client =
      ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING, 0, nullptr);
  if (client == INVALID_HANDLE_VALUE) return Win32Error("opening the output pipe " + pipe_name);
  UniqueHandle child_end{client};

  auto pipe = std::make_shared<boost::asio::windows::stream_handle>(io_);
  boost::system::error_code error;
  pipe->assign(server.get(), error);
  if (error)
    return Error(ErrorKind::kInternal,
                 "reading the output pipe " + pipe_name + ": " + Utf8Message(error));
  server.release();
  Read(std::move(pipe), std::make_shared<std::vector<char>>(kSmallReadBytes));
  return child_end;
}

// Each pipe has its own buffer and handler chain (a grandchild of the previous process may still
// be writing into its pipe when the next process starts); the chain ends at end of stream, when
// every holder of the write end has closed it. The buffer starts small, since most workers print
// little and a read is always pending (200 workers with 64 KiB each would hold 25 MiB), and
// grows to kLargeReadBytes the first time a read fills it: a chatty worker gets the throughput.
void OutputCapture::Read(std::shared_ptr<boost::asio::windows::stream_handle> pipe,
                         std::shared_ptr<std::vector<char>> buffer) {
  pipe->async_read_some(
      boost::asio::buffer(*buffer),
      [self = shared_from_this(), pipe, buffer](boost::system::error_code ec, std::size_t n) {
        if (n > 0) self->writer().Write(self->input_, std::string_view(buffer->data(), n));
        if (ec) {
          self->writer().Flush(self->input_);
          return;
        }
        if (n == buffer->size() && buffer->size() < kLargeReadBytes)
          buffer->resize(kLargeReadBytes);
        // The file is behind: the next read waits for it (the worker's pipe fills meanwhile,
        // as with a slow disk), or until the file is found stuck.
        if (!self->log_->file().HasRoom()) {
          self->log_->file().WhenRoom([self, pipe, buffer] { self->Read(pipe, buffer); });
          return;
        }
        self->Read(pipe, buffer);
      });
}

}  // namespace sup::win
