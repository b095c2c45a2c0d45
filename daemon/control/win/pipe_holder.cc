#include "daemon/control/win/pipe_holder.h"

#include "daemon/win/asio.h"

#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

std::optional<std::string> PipeHolder(const std::string& pipe_name) {
  const std::wstring path = PipePath(pipe_name);
  const UniqueFileHandle client{
      ::CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES, 0, nullptr, OPEN_EXISTING,
                    SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr)};
  if (!client) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_FILE_NOT_FOUND) return std::nullopt;
    // Every instance busy, or supd refused: the name exists, held by whoever made it.
    if (error == ERROR_PIPE_BUSY) return "a process whose every instance of the pipe is busy";
    return "a process that refused supd's connection (" + Win32ErrorText(error) + ")";
  }
  ULONG pid = 0;
  if (!::GetNamedPipeServerProcessId(client.get(), &pid)) return "a process supd cannot name";
  std::string holder = "pid " + std::to_string(pid);
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)};
  wchar_t image[MAX_PATH * 4];
  DWORD size = static_cast<DWORD>(std::size(image));
  if (process && ::QueryFullProcessImageNameW(process.get(), 0, image, &size))
    holder += " (" + Narrow(std::wstring_view(image, size)) + ")";
  return holder;
}

}  // namespace sup::win
