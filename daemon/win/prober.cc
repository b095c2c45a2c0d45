#include "daemon/win/prober.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>

#include <istream>

#include "common/format.h"
#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"
#include "common/config/probe_target.h"
#include "daemon/win/launch_in_job.h"

namespace sup::win {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// One probe in flight: whichever of the result and the deadline comes first finishes it.
struct ProbeRun : std::enable_shared_from_this<ProbeRun> {
  ProbeRun(asio::io_context& io, std::function<void(engine::ProbeResult)> done)
      : deadline(io), retry(io), resolver(io), socket(io), done(std::move(done)) {}

  void Finish(bool success, std::string message) {
    if (finished) return;
    finished = true;
    deadline.cancel();
    retry.cancel();
    resolver.cancel();
    error_code ignored;
    socket.close(ignored);
    if (job) ::TerminateJobObject(job.get(), 1);
    done({success, std::move(message)});
  }

  void ArmDeadline(Millis timeout) {
    deadline.expires_after(timeout);
    deadline.async_wait([self = shared_from_this(), timeout](error_code ec) {
      if (!ec) self->Finish(false, "timed out after " + std::to_string(timeout.count()) + " ms");
    });
  }

  bool finished = false;
  asio::steady_timer deadline;
  asio::steady_timer retry;  // pipe probes: the next try while every instance is busy
  tcp::resolver resolver;
  tcp::socket socket;
  asio::streambuf response;
  std::string request;
  UniqueHandle job;  // exec probes
  std::unique_ptr<asio::windows::object_handle> exit_watch;
  std::function<void(engine::ProbeResult)> done;
};

void Connect(const std::shared_ptr<ProbeRun>& run, const std::string& host, const std::string& port,
             std::function<void()> connected) {
  run->resolver.async_resolve(
      host, port, [run, connected](error_code ec, tcp::resolver::results_type endpoints) {
        if (ec) return run->Finish(false, "cannot resolve: " + Utf8Message(ec));
        asio::async_connect(run->socket, endpoints,
                            [run, connected](error_code ec, const tcp::endpoint&) {
                              if (ec)
                                return run->Finish(false, "connect failed: " + Utf8Message(ec));
                              connected();
                            });
      });
}

void HttpGet(const std::shared_ptr<ProbeRun>& run, const config::HttpTarget& target) {
  run->request = "GET " + target.path + " HTTP/1.0\r\nHost: " + target.host +
                 "\r\nUser-Agent: supd-probe\r\n" + "Connection: close\r\n\r\n";
  asio::async_write(run->socket, asio::buffer(run->request), [run](error_code ec, std::size_t) {
    if (ec) return run->Finish(false, "sending the request failed: " + Utf8Message(ec));
    asio::async_read_until(run->socket, run->response, "\r\n", [run](error_code ec, std::size_t) {
      if (ec) return run->Finish(false, "no HTTP status line: " + Utf8Message(ec));
      std::istream stream(&run->response);
      std::string version;
      int status = 0;
      stream >> version >> status;
      if (version.rfind("HTTP/", 0) != 0) return run->Finish(false, "not an HTTP response");
      run->Finish(status >= 200 && status <= 399, "HTTP " + std::to_string(status));
    });
  });
}

// Whether process `pid` runs in `job`. (PROCESS_QUERY_INFORMATION: Windows also accepts the
// limited right, Wine's IsProcessInJob does not.)
bool InJob(DWORD pid, HANDLE job) {
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid)};
  BOOL in_job = FALSE;
  return process && job && ::IsProcessInJob(process.get(), job, &in_job) && in_job;
}

// Passes when the worker serves the pipe: a process that created the name first (while the
// worker restarts, say) must make the probe fail, not pass. Connected at identification level,
// so whoever serves the pipe may learn that supd asks but never act as SYSTEM. Every instance
// busy: tried again shortly, until the probe's deadline. `worker_job` is asked when the server is
// known (the worker may have restarted meanwhile, in a new job).
void ProbePipe(const std::shared_ptr<ProbeRun>& run, const std::string& name,
               std::function<HANDLE()> worker_job) {
  if (run->finished) return;
  const std::string display = "\\\\.\\pipe\\" + name;
  UniqueFileHandle pipe{::CreateFileW(PipePath(name).c_str(), FILE_READ_ATTRIBUTES, 0, nullptr,
                                      OPEN_EXISTING,
                                      SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr)};
  if (!pipe) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_PIPE_BUSY)
      return run->Finish(false, Win32Error("connecting to " + display, error).message());
    run->retry.expires_after(std::chrono::milliseconds(50));
    run->retry.async_wait([run, name, worker_job](error_code ec) {
      if (!ec) ProbePipe(run, name, worker_job);
    });
    return;
  }
  ULONG pid = 0;
  if (!::GetNamedPipeServerProcessId(pipe.get(), &pid))
    return run->Finish(false, Win32Error("asking who serves " + display).message());
  if (!InJob(pid, worker_job())) {
    return run->Finish(false, display + " is served by pid " + std::to_string(pid) +
                                  ", which is not one of the worker's processes");
  }
  run->Finish(true, "");
}

void ProbeExec(const std::shared_ptr<ProbeRun>& run, asio::io_context& io,
               const std::string& command) {
  UniqueHandle job{::CreateJobObjectW(nullptr, nullptr)};
  if (!job) return run->Finish(false, Win32Error("CreateJobObjectW").message());
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  ::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof(limits));
  Result<StartedProcess> started = LaunchInJob(
      job.get(),
      {.command_line = Widen(command), .flags = CREATE_NO_WINDOW, .what = "\"" + command + "\""});
  if (!started) return run->Finish(false, started.error().message());
  run->job = std::move(job);
  // The run keeps the watch until its wait completes (a timeout terminates the job, which ends
  // the wait): destroying an object_handle whose wait is completing blocks.
  run->exit_watch = std::make_unique<asio::windows::object_handle>(io, started->process.release());
  run->exit_watch->async_wait([run](error_code ec) {
    if (ec) return;
    DWORD code = 1;
    ::GetExitCodeProcess(run->exit_watch->native_handle(), &code);
    run->Finish(code == 0, code == 0 ? "" : "exit code " + FormatExitCode(code));
  });
}

}  // namespace

void Prober::Run(const std::string& worker, const ProbeConfig& probe,
                 std::function<void(engine::ProbeResult)> done) {
  auto run = std::make_shared<ProbeRun>(io_, std::move(done));
  run->ArmDeadline(probe.timeout);
  switch (probe.type) {
    case ProbeType::kTcp: {
      Result<config::HostPort> address = config::ParseHostPort(probe.target);
      if (!address) return run->Finish(false, address.error().message());
      Connect(run, address->host, address->port, [run] { run->Finish(true, ""); });
      return;
    }
    case ProbeType::kHttp: {
      Result<config::HttpTarget> target = config::ParseHttpTarget(probe.target);
      if (!target) return run->Finish(false, target.error().message());
      Connect(run, target->host, target->port, [run, target = *target] { HttpGet(run, target); });
      return;
    }
    case ProbeType::kPipe:
      ProbePipe(run, probe.target, [job_of = job_of_, worker] { return job_of(worker); });
      return;
    case ProbeType::kExec: ProbeExec(run, io_, probe.target); return;
  }
}

}  // namespace sup::win
