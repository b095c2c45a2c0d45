#include "common/win/pipe_client.h"

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

std::wstring PipePath(std::string_view pipe_name) { return L"\\\\.\\pipe\\" + Widen(pipe_name); }

Result<PipeClient> PipeClient::Connect(std::string_view pipe_name,
                                       std::chrono::milliseconds timeout, bool served_before) {
  const std::wstring path = PipePath(pipe_name);
  const std::string display = "\\\\.\\pipe\\" + std::string(pipe_name);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool seen_busy = served_before;
  while (true) {
    // SECURITY_IDENTIFICATION: supd may learn who we are to authorise us, but not act as us.
    UniqueFileHandle pipe{::CreateFileW(
        path.c_str(), kPipeClientRights, 0, nullptr, OPEN_EXISTING,
        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr)};
    if (pipe) {
      UniqueHandle io_event{::CreateEventW(nullptr, TRUE, FALSE, nullptr)};
      if (!io_event) return Win32Error("creating an event for " + display);
      return PipeClient(std::move(pipe), std::move(io_event), std::string(pipe_name), timeout);
    }
    const DWORD error = ::GetLastError();
    // Not found at the first try: nobody serves this name. Once it was busy, supd is there and a
    // moment without any instance (between one client leaving and the next instance) is a gap.
    if (error == ERROR_FILE_NOT_FOUND && !seen_busy) {
      return Error(ErrorKind::kUnavailable,
                   "no pipe " + display + ": supd is not running or uses another pipe name",
                   std::error_code(static_cast<int>(error), std::system_category()));
    }
    if (error != ERROR_PIPE_BUSY && error != ERROR_FILE_NOT_FOUND)
      return Win32Error("connecting to " + display, error);
    seen_busy = true;

    // Every instance is busy: wait for one to free up, within what is left of the timeout.
    // WaitNamedPipe returns at once when no instance exists; then try again a little later.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Error(ErrorKind::kUnavailable, "every instance of " + display + " stayed busy for " +
                                                std::to_string(timeout.count()) + " ms");
    }
    if (!::WaitNamedPipeW(path.c_str(), static_cast<DWORD>(left.count())) &&
        ::GetLastError() != ERROR_SEM_TIMEOUT) {
      ::Sleep(10);
    }
  }
}

Result<DWORD> PipeClient::Finish(OVERLAPPED& overlapped, std::string_view what) {
  const DWORD waited = ::WaitForSingleObject(io_event_.get(), static_cast<DWORD>(timeout_.count()));
  if (waited == WAIT_TIMEOUT) {
    ::CancelIoEx(pipe_.get(), &overlapped);
    DWORD ignored = 0;
    ::GetOverlappedResult(pipe_.get(), &overlapped, &ignored,
                          TRUE);  // the OVERLAPPED must outlive the I/O
    return Error(ErrorKind::kUnavailable, std::string(what) + " \\\\.\\pipe\\" + pipe_name_ +
                                              ": no answer within " +
                                              std::to_string(timeout_.count()) + " ms");
  }
  DWORD transferred = 0;
  if (!::GetOverlappedResult(pipe_.get(), &overlapped, &transferred, FALSE)) {
    return Win32Error(std::string(what) + " \\\\.\\pipe\\" + pipe_name_);
  }
  return transferred;
}

Result<void> PipeClient::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    OVERLAPPED overlapped{};
    overlapped.hEvent = io_event_.get();
    ::ResetEvent(io_event_.get());
    if (!::WriteFile(pipe_.get(), bytes.data(), static_cast<DWORD>(bytes.size()), nullptr,
                     &overlapped) &&
        ::GetLastError() != ERROR_IO_PENDING) {
      return Win32Error("writing to \\\\.\\pipe\\" + pipe_name_);
    }
    Result<DWORD> written = Finish(overlapped, "writing to");
    if (!written) return written.error();
    bytes.remove_prefix(*written);
  }
  return Ok();
}

Result<std::size_t> PipeClient::ReadSome(std::span<char> buffer) {
  OVERLAPPED overlapped{};
  overlapped.hEvent = io_event_.get();
  ::ResetEvent(io_event_.get());
  if (!::ReadFile(pipe_.get(), buffer.data(), static_cast<DWORD>(buffer.size()), nullptr,
                  &overlapped)) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_BROKEN_PIPE) return std::size_t{0};
    if (error != ERROR_IO_PENDING)
      return Win32Error("reading from \\\\.\\pipe\\" + pipe_name_, error);
  }
  Result<DWORD> read = Finish(overlapped, "reading from");
  if (!read) {
    if (read.error().code().value() == ERROR_BROKEN_PIPE) return std::size_t{0};
    return read.error();
  }
  return std::size_t{*read};
}

}  // namespace sup::win
