// A client connection to one of supd's named pipes. Every operation has a deadline, so a supd
// that hangs makes the client fail with a clear error instead of hanging a script with it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/protocol_client.h"
#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

// What a client of supd's pipes other than SYSTEM and Administrators is granted, and what
// PipeClient asks for: read and write data and attributes, read the pipe's owner (supctl checks
// who owns a pipe under a protected prefix), and wait on the handle. Explicit
// rights, never GENERIC_WRITE: for a pipe that includes FILE_APPEND_DATA, which is
// FILE_CREATE_PIPE_INSTANCE, the right to create instances of supd's pipe and answer its clients
// in supd's name. Other clients must ask for the same (.NET: PipeAccessRights.ReadData |
// PipeAccessRights.WriteData | PipeAccessRights.ReadAttributes).
inline constexpr DWORD kPipeClientRights = FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES |
                                           FILE_WRITE_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE;

// The full path of a pipe name: "sup-control" -> \\.\pipe\sup-control.
std::wstring PipePath(std::string_view pipe_name);

class PipeClient final : public ByteStream {
 public:
  // Connects to \\.\pipe\<pipe_name>, waiting for a free instance up to `timeout`; the same
  // timeout then bounds each read and write. A pipe that does not exist is kUnavailable with a
  // message naming it.
  // `served_before`: this process has reached a server under that name already (supctl's --wait
  // polls), so a moment with no instance at all is a gap between two clients, waited out within
  // `timeout` like a busy pipe, not "nobody serves it".
  static Result<PipeClient> Connect(std::string_view pipe_name, std::chrono::milliseconds timeout,
                                    bool served_before = false);

  Result<void> WriteAll(std::string_view bytes) override;
  Result<std::size_t> ReadSome(std::span<char> buffer) override;

  // The pipe, for questions about it (GetNamedPipeServerProcessId).
  HANDLE native_handle() const { return pipe_.get(); }

  // Each read and write from now on waits up to `timeout`; std::nullopt: as long as it takes (a
  // followed stream may be quiet for hours).
  void set_timeout(std::optional<std::chrono::milliseconds> timeout) {
    timeout_ = timeout.value_or(std::chrono::milliseconds(INFINITE));
  }

 private:
  PipeClient(UniqueFileHandle pipe, UniqueHandle io_event, std::string pipe_name,
             std::chrono::milliseconds timeout)
      : pipe_(std::move(pipe)),
        io_event_(std::move(io_event)),
        pipe_name_(std::move(pipe_name)),
        timeout_(timeout) {}

  // Waits for the overlapped operation `overlapped` started on pipe_ to finish within timeout_.
  Result<DWORD> Finish(OVERLAPPED& overlapped, std::string_view what);

  UniqueFileHandle pipe_;
  UniqueHandle io_event_;  // manual-reset event signalled by each overlapped operation
  std::string pipe_name_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sup::win
