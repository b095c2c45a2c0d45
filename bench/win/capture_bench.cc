// Output capture throughput (docs/performance.md: at least half a raw pipe-to-file copy).
//
// The same test worker floods its stdout in both runs; the baseline copies the pipe to a file
// with blocking ReadFile/WriteFile on one thread, which is as fast as a reader can go, and the
// capture run uses supd's OutputCapture (overlapped reads on the io thread, line splitting,
// rotation). Each is run three times, alternating, and the best of each is compared.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.h"
#include "common/win/pipe_client.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/output/win/output_capture.h"

namespace sup::win::bench {
namespace {

long long Lines() { return FullOrQuick<long long>(400'000, 20'000); }
constexpr int kLineBytes = 128;  // 400 000 lines of 128 bytes: 51 MB per run
double Megabytes() { return static_cast<double>(Lines()) * kLineBytes / 1e6; }
int Rounds() { return FullOrQuick(3, 1); }

std::wstring FloodCommand() {
  return L"\"" + TestWorkerPath() + L"\" --flood " + std::to_wstring(Lines()) + L" --line-bytes " +
         std::to_wstring(kLineBytes);
}

std::wstring TempFile(const std::wstring& name) {
  wchar_t folder[MAX_PATH];
  ::GetTempPathW(MAX_PATH, folder);
  return std::wstring(folder) + name;
}

std::string UniquePipeName(const char* what) {
  return "sup-bench-" + std::string(what) + "-" + std::to_string(::GetCurrentProcessId());
}

// The limit: one thread copying the pipe into a file as fast as blocking calls allow.
Seconds RawCopy() {
  const std::wstring path = PipePath(UniquePipeName("raw"));
  UniqueFileHandle server{::CreateNamedPipeW(path.c_str(), PIPE_ACCESS_INBOUND,
                                             PIPE_TYPE_BYTE | PIPE_WAIT, 1, 64 * 1024, 64 * 1024, 0,
                                             nullptr)};
  if (!server) Fail(Win32Error("creating the raw pipe").message());
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  UniqueHandle client{
      ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING, 0, nullptr)};
  if (!client) Fail(Win32Error("opening the raw pipe").message());
  const std::wstring file_path = TempFile(L"sup-bench-raw.log");
  UniqueFileHandle file{::CreateFileW(file_path.c_str(), FILE_APPEND_DATA, FILE_SHARE_READ, nullptr,
                                      CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr)};
  if (!file) Fail(Win32Error("creating " + Narrow(file_path)).message());

  const auto started = std::chrono::steady_clock::now();
  UniqueHandle process = StartProcess(FloodCommand(), client.get(), DETACHED_PROCESS);
  client.reset();
  std::vector<char> buffer(64 * 1024);
  DWORD read = 0;
  while (
      ::ReadFile(server.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &read, nullptr)) {
    DWORD written = 0;
    ::WriteFile(file.get(), buffer.data(), read, &written, nullptr);
  }
  const Seconds took = std::chrono::steady_clock::now() - started;
  file.reset();
  ::DeleteFileW(file_path.c_str());
  return took;
}

// supd's capture: the worker's output through OutputCapture into a rotating file. `followed`: a
// `supctl logs -f` follows it with OutputEncoding 1252, so every line is also decoded
// (MultiByteToWideChar, then UTF-8), the most decoding costs.
Seconds Capture(bool timestamps, bool followed = false) {
  boost::asio::io_context io;
  SystemClock clock;
  const std::wstring file_path = TempFile(L"sup-bench-capture.log");
  ::DeleteFileW(file_path.c_str());
  CaptureSettings settings{.path = Narrow(file_path),
                           .max_bytes = 1ULL << 40,
                           .backups = 0,
                           .timestamps = timestamps,
                           .encoding = {OutputEncoding::Kind::kCodePage, 1252}};
  FileWorkers files;
  IoInbox inbox(io);
  std::shared_ptr<CapturedLog> log = CapturedLog::Open(
      LogFileWork{io, files, inbox, clock}, settings, std::make_shared<spdlog::logger>("bench"));
  auto capture = std::make_shared<OutputCapture>(io, log);
  std::size_t decoded = 0;
  Subscription follower;
  if (followed) {
    follower = capture->writer().FollowLines(
        [&decoded](const std::vector<std::string>& lines) { decoded += lines.size(); });
  }

  const auto started = std::chrono::steady_clock::now();
  Result<UniqueHandle> child_end = capture->ChildEnd(UniquePipeName("capture"));
  if (!child_end) Fail(child_end.error().message());
  UniqueHandle process = StartProcess(FloodCommand(), child_end->get(), DETACHED_PROCESS);
  child_end->reset();
  // io.run returns when the pipe has ended, or while the readers wait for the file (what the
  // file workers send back is not work io.run waits for): done when the file has it all.
  for (io.run(); !log->file().idle(); io.run()) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
    io.restart();
  }
  const Seconds took = std::chrono::steady_clock::now() - started;
  if (followed && decoded < static_cast<std::size_t>(Lines())) Fail("the follower missed lines");
  follower.Cancel();
  capture.reset();
  log.reset();
  ::DeleteFileW(file_path.c_str());
  return took;
}

}  // namespace
}  // namespace sup::win::bench

int main(int argc, char** argv) {
  using namespace sup::win::bench;
  ParseArguments(argc, argv);
  Seconds raw = Seconds::max(), captured = Seconds::max(), stamped = Seconds::max(),
          decoded = Seconds::max();
  for (int round = 0; round < Rounds(); ++round) {
    raw = std::min(raw, RawCopy());
    captured = std::min(captured, Capture(false));
    stamped = std::min(stamped, Capture(true));
    decoded = std::min(decoded, Capture(false, /*followed=*/true));
  }
  const auto rate = [](Seconds took) { return Megabytes() / took.count(); };
  std::printf("output capture, %.0f MB of %d-byte lines, best of %d\n", Megabytes(), kLineBytes,
              Rounds());
  std::printf("  raw pipe-to-file copy     %7.1f MB/s\n", rate(raw));
  std::printf("  capture                   %7.1f MB/s  %.2fx raw (target >= 0.50x)\n",
              rate(captured), rate(captured) / rate(raw));
  std::printf("  capture with timestamps   %7.1f MB/s  %.2fx raw\n", rate(stamped),
              rate(stamped) / rate(raw));
  std::printf("  capture, followed, decoded from code page 1252   %7.1f MB/s  %.2fx raw\n",
              rate(decoded), rate(decoded) / rate(raw));
  return 0;
}
