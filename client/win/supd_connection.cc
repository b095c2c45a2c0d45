#include "client/win/supd_connection.h"

#include <windows.h>

#include <aclapi.h>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "client/server_trust.h"
#include "common/pipe_names.h"
#include "common/win/object_security.h"
#include "common/win/unique_handle.h"
#include "common/win/utf8_arguments.h"
#include "common/win/text.h"

namespace sup::client::win {
namespace {

using sup::win::Narrow;
using sup::win::UniqueHandle;
using sup::win::UniqueServiceHandle;

// The program of the running service whose process is `pid`, or "" if none is. The SCM answers
// standard users (enumerate and query config are theirs by default), where the process itself,
// running as SYSTEM, may not let them read its image name.
std::optional<std::string> ServiceProgramOf(DWORD pid) {
  const UniqueServiceHandle manager{
      ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE)};
  if (!manager) return std::nullopt;
  DWORD needed = 0, count = 0, resume = 0;
  ::EnumServicesStatusExW(manager.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                          nullptr, 0, &needed, &count, &resume, nullptr);
  std::vector<BYTE> buffer(needed);
  resume = 0;
  if (needed == 0 ||
      !::EnumServicesStatusExW(manager.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                               buffer.data(), needed, &needed, &count, &resume, nullptr)) {
    return std::nullopt;
  }
  const auto* services = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
  for (DWORD i = 0; i < count; ++i) {
    if (services[i].ServiceStatusProcess.dwProcessId != pid) continue;
    const UniqueServiceHandle service{
        ::OpenServiceW(manager.get(), services[i].lpServiceName, SERVICE_QUERY_CONFIG)};
    if (!service) return std::string();
    DWORD config_bytes = 0;
    ::QueryServiceConfigW(service.get(), nullptr, 0, &config_bytes);
    std::vector<BYTE> config_buffer(config_bytes);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(config_buffer.data());
    if (config_bytes == 0 ||
        !::QueryServiceConfigW(service.get(), config, config_bytes, &config_bytes)) {
      return std::string();
    }
    const std::vector<std::string> command =
        sup::win::SplitWindowsCommandLine(config->lpBinaryPathName);
    return command.empty() ? std::string() : command.front();
  }
  return std::nullopt;
}

client::PipeServer InspectPipeServer(HANDLE pipe) {
  client::PipeServer server;
  ULONG pid = 0;
  if (!::GetNamedPipeServerProcessId(pipe, &pid)) return server;
  server.pid = pid;
  // The program the process runs, when supctl may ask; for a service, else the program its
  // registration names. The process's own image comes first: an installer that registered the
  // service without quotes around a path with spaces (Wine's msiexec does) leaves a command line
  // whose first word is not the program.
  UniqueHandle process{::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)};
  // The pid was read before the process was opened: had the server exited meanwhile and its pid
  // gone to another process, the handle would be that one's. While the handle is open the pid
  // cannot be reused, so the server asked again must still be it.
  ULONG pid_again = 0;
  if (process && (!::GetNamedPipeServerProcessId(pipe, &pid_again) || pid_again != pid))
    process.reset();
  if (process) {
    wchar_t image[MAX_PATH * 4];
    DWORD size = static_cast<DWORD>(std::size(image));
    if (::QueryFullProcessImageNameW(process.get(), 0, image, &size))
      server.image = Narrow(std::wstring_view(image, size));
  }
  if (std::optional<std::string> program = ServiceProgramOf(pid)) {
    server.registered_service = true;
    if (server.image.empty()) server.image = *program;
    return server;
  }
  if (!process) return server;
  const std::string user = sup::win::ProcessUserSid(process.get());
  server.same_user = !user.empty() && user == sup::win::OwnUserSid();
  return server;
}

// The SID of the owner of the open `pipe` (READ_CONTROL), "" if it cannot be read.
std::string PipeOwnerSid(HANDLE pipe) {
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetSecurityInfo(pipe, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, nullptr,
                        nullptr, nullptr, &descriptor) != ERROR_SUCCESS) {
    return "";
  }
  const sup::win::UniqueLocalMemory owned{descriptor};
  return sup::win::SidString(owner);
}

// Whether `error` says nobody serves the pipe (another name may still be tried).
bool NoSuchPipe(const Error& error) {
  return error.code() == std::error_code(ERROR_FILE_NOT_FOUND, std::system_category());
}

}  // namespace

Result<sup::win::PipeClient> ConnectToSupd(const std::string& pipe_name,
                                           std::chrono::milliseconds timeout) {
  // The names this supctl has reached supd under: its later connections (--wait's polls) wait
  // out a moment in which supd, busy, has no instance of the pipe ready.
  static std::set<std::string> reached;
  std::optional<Error> missing;
  for (const std::string& name : PipeNamesToTry(pipe_name)) {
    Result<sup::win::PipeClient> pipe =
        sup::win::PipeClient::Connect(name, timeout, reached.contains(name));
    if (pipe) reached.insert(name);
    if (!pipe && NoSuchPipe(pipe.error())) {
      missing = pipe.error();  // the last one's, the well-known name's, is what a user knows
      continue;
    }
    if (!pipe) return pipe;
    if (IsProtectedPipeName(name)) {
      if (std::optional<std::string> untrusted = client::UntrustedPipeOwner(
              name, PipeOwnerSid(pipe->native_handle()), sup::win::OwnUserSid())) {
        return Error(ErrorKind::kUnavailable, *untrusted);
      }
    }
    if (std::optional<std::string> untrusted =
            client::UntrustedPipeServer(name, InspectPipeServer(pipe->native_handle()))) {
      return Error(ErrorKind::kUnavailable, *untrusted);
    }
    return pipe;
  }
  return *missing;
}

namespace {

// supd refused this connection for now: answered RESOURCE_EXHAUSTED, or closed it before
// answering its first request.
bool RefusedForNow(const Error& error) {
  if (error.kind() == ErrorKind::kResourceExhausted) return true;
  const std::error_code code = error.code();
  return code == std::errc::connection_aborted ||
         (code.category() == std::system_category() &&
          (code.value() == ERROR_NO_DATA || code.value() == ERROR_BROKEN_PIPE));
}

}  // namespace

template <typename Request, typename Response>
Result<Response> CallSupd(const std::string& pipe_name, std::chrono::milliseconds timeout,
                          const Request& request, SupdConnection<Request, Response>& connection) {
  constexpr auto kRetryEvery = std::chrono::milliseconds(100);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    Result<sup::win::PipeClient> pipe =
        ConnectToSupd(pipe_name, std::max(left, std::chrono::milliseconds(1)));
    if (!pipe) return pipe.error();
    connection.pipe = std::make_unique<sup::win::PipeClient>(std::move(*pipe));
    connection.client = std::make_unique<ProtocolClient<Request, Response>>(*connection.pipe);
    Result<Response> response = connection.client->Call(request);
    if (response || !RefusedForNow(response.error())) return response;
    if (std::chrono::steady_clock::now() + kRetryEvery >= deadline) {
      return response.error().WithContext("still refused after " + std::to_string(timeout.count()) +
                                          " ms");
    }
    std::this_thread::sleep_for(kRetryEvery);
  }
}

template Result<sup::v1::Response> CallSupd(const std::string&, std::chrono::milliseconds,
                                            const sup::v1::Request&, ControlConnection&);
template Result<sup::v1::HealthResponse> CallSupd(const std::string&, std::chrono::milliseconds,
                                                  const sup::v1::HealthRequest&, HealthConnection&);

}  // namespace sup::client::win
