// The control plane's budgets (docs/performance.md), each against a baseline from the same run:
//
//   1. Status round trip vs a raw named-pipe round trip (target <= 1.5x). The raw server is a
//      thread doing blocking ReadFile/WriteFile that answers each request frame with a canned
//      reply of the same size as supd's Status reply, so both move the same bytes; the client
//      code (PipeClient, framing) is the same, only the protobuf work and supd differ.
//   2. Health checks per second with 16 concurrent clients (target >= 20 000/s), beside the raw
//      server's round trips per second with the same 16 clients: the ceiling of the transport.
//   3. Status of 200 running workers, one call at a time (target < 5 ms); supd's private memory
//      with them, and its CPU time while idle (target ~0: timers and completions only).
//
// supd runs whole (Daemon: registry configuration, engine, job objects, pipe servers) in this
// process on its own io thread, configured under HKCU; its workers are testworker.exe idling.
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "common/frame_codec.h"
#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "common/win/win32_error.h"

namespace sup::win::bench {
namespace {

using Clock = std::chrono::steady_clock;

int RoundTrips() { return FullOrQuick(2000, 100); }
constexpr int kConcurrentClients = 16;
int ChecksPerClient() { return FullOrQuick(1000, 20); }
int ManyWorkers() { return FullOrQuick(200, 10); }

std::string Prefix(const char* purpose) {
  return std::string("sup-bench-") + purpose + "-" + std::to_string(::GetCurrentProcessId());
}

// Idle test workers without a console, stopped by their stop event. Their output is captured
// to log files in the temp folder, as by default.
void ConfigureIdleWorkers(const BenchConfigKey& config, int count) {
  wchar_t temp[MAX_PATH];
  ::GetTempPathW(MAX_PATH, temp);
  const std::wstring logs =
      std::wstring(temp) + L"sup-bench-logs-" + std::to_wstring(::GetCurrentProcessId());
  SetString(config.Root(), L"LogDirectory", logs);
  for (int i = 0; i < count; ++i) {
    const std::wstring worker = config.Worker(L"w" + std::to_wstring(i));
    // Exits at the stop event: the benchmark stops supd with its workers twice, without waiting
    // out a stop timeout each time.
    SetString(worker, L"Command", L"\"" + TestWorkerPath() + L"\" --stop-event-code 0");
    SetDword(worker, L"StartSeconds", 0);
    SetMultiString(worker, L"StopSteps", {L"event", L"terminate"});
  }
}

Result<PipeClient> ConnectTo(const std::string& pipe) {
  return PipeClient::Connect(pipe, std::chrono::seconds(30));
}

sup::v1::StatusResponse StatusOf(const std::string& control_pipe) {
  Result<PipeClient> pipe = ConnectTo(control_pipe);
  if (!pipe) Fail(pipe.error().message());
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_status();
  Result<sup::v1::Response> response = client.Call(request);
  if (!response) Fail(response.error().message());
  return response->status();
}

void WaitUntilAllRunning(const std::string& control_pipe, int workers) {
  const auto deadline = Clock::now() + std::chrono::minutes(3);
  while (true) {
    const sup::v1::StatusResponse status = StatusOf(control_pipe);
    const auto running =
        std::count_if(status.workers().begin(), status.workers().end(),
                      [](const auto& w) { return w.state() == sup::v1::WorkerStatus::RUNNING; });
    if (running == workers) return;
    if (Clock::now() > deadline)
      Fail("only " + std::to_string(running) + " of the workers reached RUNNING");
    ::Sleep(50);  // a benchmark's setup, not a test: polling is fine here
  }
}

// The baseline server: `clients` threads, each serving one connection on its own instance with
// blocking I/O. Each request frame is answered with `reply` until the client disconnects.
class RawPipeServer {
 public:
  RawPipeServer(const std::string& pipe_name, std::string reply, int clients)
      : reply_(std::move(reply)) {
    for (int i = 0; i < clients; ++i) {
      UniqueFileHandle instance{::CreateNamedPipeW(PipePath(pipe_name).c_str(), PIPE_ACCESS_DUPLEX,
                                                   PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                                   clients, 64 * 1024, 64 * 1024, 0, nullptr)};
      if (!instance) Fail(Win32Error("creating the raw pipe").message());
      threads_.emplace_back(
          [this, handle = std::move(instance)]() mutable { Serve(handle.get()); });
    }
  }
  ~RawPipeServer() {
    for (std::thread& thread : threads_) thread.join();
  }

 private:
  void Serve(HANDLE pipe) {
    if (!::ConnectNamedPipe(pipe, nullptr) && ::GetLastError() != ERROR_PIPE_CONNECTED) return;
    FrameDecoder decoder;
    char buffer[64 * 1024];
    DWORD read = 0;
    while (::ReadFile(pipe, buffer, sizeof(buffer), &read, nullptr) && read > 0) {
      if (!decoder.Feed(std::string_view(buffer, read))) return;
      while (decoder.Pop()) {
        DWORD written = 0;
        if (!::WriteFile(pipe, reply_.data(), static_cast<DWORD>(reply_.size()), &written, nullptr))
          return;
      }
    }
  }

  std::string reply_;
  std::vector<std::thread> threads_;
};

// The second baseline: supd's I/O model without supd. Every instance is overlapped and bound to
// one completion port that kReadSideThreads threads serve (as supd's read side: Asio over IOCP,
// four threads); each request frame read is answered with `reply` by an overlapped write, then
// the next read is issued. The frame decoding is the same; there is no protobuf, session or
// status board. Against it the health figure says what sup's own code costs, apart from what
// the I/O model costs under Wine (each overlapped operation goes through Wine's server).
class OverlappedPipeServer {
 public:
  static constexpr int kReadSideThreads = 4;

  OverlappedPipeServer(const std::string& pipe_name, std::string reply, int clients)
      : reply_(std::move(reply)),
        port_(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0)) {
    if (!port_) Fail(Win32Error("CreateIoCompletionPort").message());
    for (int i = 0; i < clients; ++i) {
      auto instance = std::make_unique<Instance>();
      instance->pipe.reset(::CreateNamedPipeW(PipePath(pipe_name).c_str(),
                                              PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                              PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                              clients, 64 * 1024, 64 * 1024, 0, nullptr));
      if (!instance->pipe) Fail(Win32Error("creating the overlapped pipe").message());
      if (!::CreateIoCompletionPort(instance->pipe.get(), port_.get(),
                                    reinterpret_cast<ULONG_PTR>(instance.get()), 0))
        Fail(Win32Error("binding the pipe to the port").message());
      instance->step = Step::kConnect;
      if (!::ConnectNamedPipe(instance->pipe.get(), &instance->overlapped)) {
        const DWORD error = ::GetLastError();
        if (error == ERROR_PIPE_CONNECTED) {
          ::PostQueuedCompletionStatus(port_.get(), 0, reinterpret_cast<ULONG_PTR>(instance.get()),
                                       &instance->overlapped);
        } else if (error != ERROR_IO_PENDING) {
          Fail(Win32Error("ConnectNamedPipe").message());
        }
      }
      instances_.push_back(std::move(instance));
    }
    open_ = clients;
    for (int t = 0; t < kReadSideThreads; ++t) threads_.emplace_back([this] { Serve(); });
  }
  ~OverlappedPipeServer() {
    for (std::thread& thread : threads_) thread.join();
  }

 private:
  enum class Step { kConnect, kRead, kWrite };
  struct Instance {
    UniqueFileHandle pipe;
    OVERLAPPED overlapped{};
    Step step = Step::kConnect;
    FrameDecoder decoder;
    char buffer[64 * 1024];
  };

  // Issues the next read; false once the client has gone.
  bool Read(Instance& instance) {
    instance.step = Step::kRead;
    instance.overlapped = OVERLAPPED{};
    return ::ReadFile(instance.pipe.get(), instance.buffer, sizeof(instance.buffer), nullptr,
                      &instance.overlapped) ||
           ::GetLastError() == ERROR_IO_PENDING;
  }
  bool Write(Instance& instance) {
    instance.step = Step::kWrite;
    instance.overlapped = OVERLAPPED{};
    return ::WriteFile(instance.pipe.get(), reply_.data(), static_cast<DWORD>(reply_.size()),
                       nullptr, &instance.overlapped) ||
           ::GetLastError() == ERROR_IO_PENDING;
  }
  void Close() {
    // The last connection gone: every thread is told to end.
    if (--open_ == 0)
      for (int t = 0; t < kReadSideThreads; ++t)
        ::PostQueuedCompletionStatus(port_.get(), 0, 0, nullptr);
  }

  void Serve() {
    while (true) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* overlapped = nullptr;
      const BOOL ok = ::GetQueuedCompletionStatus(port_.get(), &bytes, &key, &overlapped, INFINITE);
      if (!overlapped) return;  // the end
      Instance& instance = *reinterpret_cast<Instance*>(key);
      bool going = ok != FALSE;
      if (going && instance.step == Step::kRead) {
        if (bytes == 0 || !instance.decoder.Feed(std::string_view(instance.buffer, bytes))) {
          going = false;
        } else if (instance.decoder.Pop()) {
          going = Write(instance);  // one request at a time per client, as the clients send
          if (going) continue;
        }
      }
      if (going) going = Read(instance);  // after the connect, a write, or a partial frame
      if (!going) Close();
    }
  }

  std::string reply_;
  UniqueHandle port_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::atomic<int> open_{0};
  std::vector<std::thread> threads_;
};

// One client's round trip on the raw server: the request frame out, the reply frame back.
class RawClient {
 public:
  explicit RawClient(PipeClient& pipe) : pipe_(pipe) {}
  void RoundTrip(const std::string& request_frame) {
    if (!pipe_.WriteAll(request_frame)) Fail("raw write failed");
    char buffer[64 * 1024];
    while (true) {
      if (decoder_.Pop()) return;
      Result<std::size_t> read = pipe_.ReadSome(buffer);
      if (!read || *read == 0) Fail("raw read failed");
      if (!decoder_.Feed(std::string_view(buffer, *read))) Fail("raw reply is not a frame");
    }
  }

 private:
  PipeClient& pipe_;
  FrameDecoder decoder_;
};

std::string Frame(const google::protobuf::MessageLite& message) {
  Result<std::string> frame = EncodeFrame(message.SerializeAsString());
  if (!frame) Fail(frame.error().message());
  return *frame;
}

// Mean seconds per call of `call`, after a warm-up.
template <typename Call>
Seconds MeanOf(int calls, Call call) {
  for (int i = 0; i < calls / 10; ++i) call();
  const auto begin = Clock::now();
  for (int i = 0; i < calls; ++i) call();
  return (Clock::now() - begin) / calls;
}

// Calls per second of `clients` threads, each connecting and then calling `call` `per_client`
// times on its own connection.
template <typename Call>
double RateOf(const std::string& pipe_name, int clients, int per_client, Call call) {
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point begin;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      Result<PipeClient> pipe = ConnectTo(pipe_name);
      if (!pipe) Fail(pipe.error().message());
      ++ready;
      while (!go) std::this_thread::yield();
      call(*pipe, per_client);
    });
  }
  while (ready < clients) std::this_thread::yield();
  begin = Clock::now();
  go = true;
  for (std::thread& thread : threads) thread.join();
  return clients * per_client / Seconds(Clock::now() - begin).count();
}

// 1. Status against the raw round trip of the same bytes.
void StatusRoundTrip(const std::string& control_pipe, int workers) {
  sup::v1::Request request;
  request.set_protocol_version(kProtocolVersion);
  request.mutable_status();

  Result<PipeClient> pipe = ConnectTo(control_pipe);
  if (!pipe) Fail(pipe.error().message());
  ControlClient client(*pipe);
  std::size_t reply_bytes = 0;
  const Seconds status = MeanOf(RoundTrips(), [&] {
    Result<sup::v1::Response> response = client.Call(request);
    if (!response) Fail(response.error().message());
    reply_bytes = response->ByteSizeLong();
  });

  const std::string raw_pipe = Prefix("raw1");
  const RawPipeServer raw(raw_pipe, *EncodeFrame(std::string(reply_bytes, 'r')), 1);
  Result<PipeClient> raw_connection = ConnectTo(raw_pipe);
  if (!raw_connection) Fail(raw_connection.error().message());
  RawClient raw_client(*raw_connection);
  const std::string request_frame = Frame(request);
  const Seconds baseline = MeanOf(RoundTrips(), [&] { raw_client.RoundTrip(request_frame); });

  std::printf(
      "  status, %d workers (%zu-byte reply)   raw %6.1f us   supd %6.1f us   %.2fx raw (target <= "
      "1.5x)\n",
      workers, reply_bytes, baseline.count() * 1e6, status.count() * 1e6, status / baseline);
}

// 2. Health checks per second from 16 clients at once, against the raw server's rate. The two
// alternate for three rounds and each keeps its best: on a shared machine one round of either can
// be slowed by something else, which would skew a single pair either way.
void HealthRate(const std::string& health_pipe) {
  sup::v1::HealthRequest check;
  check.set_protocol_version(kProtocolVersion);
  check.mutable_check()->set_service("");
  sup::v1::HealthResponse reply;
  reply.set_request_id(1);
  reply.mutable_check()->set_status(sup::v1::HealthCheckResponse::SERVING);
  const std::string request_frame = Frame(check);
  double checks = 0;
  double raw = 0;
  double overlapped = 0;
  for (int round = 0; round < 3; ++round) {
    checks = std::max(checks, RateOf(health_pipe, kConcurrentClients, ChecksPerClient(),
                                     [&](PipeClient& pipe, int calls) {
                                       HealthClient client(pipe);
                                       for (int i = 0; i < calls; ++i) {
                                         Result<sup::v1::HealthResponse> response =
                                             client.Call(check);
                                         if (!response) Fail(response.error().message());
                                       }
                                     }));
    const std::string raw_pipe = Prefix("raw16") + "-" + std::to_string(round);
    const RawPipeServer server(raw_pipe, Frame(reply), kConcurrentClients);
    raw = std::max(raw, RateOf(raw_pipe, kConcurrentClients, ChecksPerClient(),
                               [&](PipeClient& pipe, int calls) {
                                 RawClient client(pipe);
                                 for (int i = 0; i < calls; ++i) client.RoundTrip(request_frame);
                               }));
    const std::string overlapped_pipe = Prefix("iocp16") + "-" + std::to_string(round);
    const OverlappedPipeServer iocp(overlapped_pipe, Frame(reply), kConcurrentClients);
    overlapped = std::max(overlapped, RateOf(overlapped_pipe, kConcurrentClients, ChecksPerClient(),
                                             [&](PipeClient& pipe, int calls) {
                                               RawClient client(pipe);
                                               for (int i = 0; i < calls; ++i)
                                                 client.RoundTrip(request_frame);
                                             }));
  }
  std::printf(
      "  health checks, %d clients at once    raw %6.0f/s     supd %6.0f/s    %.2fx raw (target >= "
      "20000/s)\n",
      kConcurrentClients, raw, checks, checks / raw);
  std::printf(
      "  the same, against supd's I/O model   overlapped %6.0f/s  supd %6.0f/s  %.2fx overlapped "
      "(sup's own cost; goal >= 0.95x)\n",
      overlapped, checks, checks / overlapped);
}

// 3. Status of many running workers, one call at a time: mean, 95th percentile and worst (the
// worst is mostly the scheduler: 200 worker processes share the machine's cores).
void ManyWorkersStatus(const std::string& control_pipe) {
  Result<PipeClient> pipe = ConnectTo(control_pipe);
  if (!pipe) Fail(pipe.error().message());
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_status();
  std::vector<Seconds> calls;
  const Seconds mean = MeanOf(RoundTrips() / 10, [&] {
    const auto begin = Clock::now();
    Result<sup::v1::Response> response = client.Call(request);
    if (!response) Fail(response.error().message());
    if (response->status().workers_size() != ManyWorkers()) Fail("status lacks workers");
    calls.push_back(Clock::now() - begin);
  });
  std::sort(calls.begin(), calls.end());
  std::printf(
      "  status of %d running workers         mean %5.2f ms   p95 %5.2f ms   worst %5.2f ms "
      "(target < 5 ms)\n",
      ManyWorkers(), mean.count() * 1e3, calls[calls.size() * 95 / 100].count() * 1e3,
      calls.back().count() * 1e3);
}

// CPU time this process used (all threads, user and kernel).
Seconds ProcessCpu() {
  FILETIME created, exited, kernel, user;
  if (!::GetProcessTimes(::GetCurrentProcess(), &created, &exited, &kernel, &user))
    Fail("GetProcessTimes failed");
  auto seconds = [](const FILETIME& time) {
    return (static_cast<double>(time.dwHighDateTime) * 4294967296.0 + time.dwLowDateTime) / 1e7;
  };
  return Seconds(seconds(kernel) + seconds(user));
}

// 4. Idle CPU: with every worker running and no client, supd only waits on timers and
// completions; the benchmark's own thread sleeps meanwhile, so the process's CPU time is supd's.
void IdleCpu(int workers, const char* what = "no clients") {
  const auto window = FullOrQuick(std::chrono::seconds(5), std::chrono::seconds(1));
  const Seconds before = ProcessCpu();
  std::this_thread::sleep_for(window);
  const Seconds after = ProcessCpu();
  if (after.count() <= 0)
    Fail("GetProcessTimes reports no CPU time at all: no idle measurement on this system");
  std::printf(
      "  idle CPU, %d running workers, %s    %5.2f ms per second (target ~0: no polling;"
      " %.1f s CPU so far)\n",
      workers, what, (after - before).count() * 1e3 / Seconds(window).count(), after.count());
}

}  // namespace
}  // namespace sup::win::bench

int main(int argc, char** argv) {
  using namespace sup::win::bench;
  ParseArguments(argc, argv);
  std::printf("control plane: supd in this process, round trips over its named pipes\n");
  {
    constexpr int kWorkers = 4;
    const BenchConfigKey config(L"control");
    ConfigureIdleWorkers(config, kWorkers);
    const std::string prefix = Prefix("control");
    const InProcessSupd supd(config, prefix);
    WaitUntilAllRunning(prefix + "-control", kWorkers);
    StatusRoundTrip(prefix + "-control", kWorkers);
    HealthRate(sup::HealthPipeName(prefix));
  }
  {
    const BenchConfigKey config(L"many");
    ConfigureIdleWorkers(config, ManyWorkers());
    const std::string prefix = Prefix("many");
    const std::size_t before = PrivateBytes();
    const InProcessSupd supd(config, prefix);
    WaitUntilAllRunning(prefix + "-control", ManyWorkers());
    const std::size_t running = PrivateBytes();
    ManyWorkersStatus(prefix + "-control");
    IdleCpu(ManyWorkers());
    std::printf(
        "  supd's private memory, %d running workers, output captured   %5.1f MB (target < 20 "
        "MB)\n",
        ManyWorkers(), static_cast<double>(running - before) / (1024 * 1024));
  }
  {
    // The same with metrics on: the textfile written every second (windows_exporter scrapes
    // every 15 s or so; a second makes the sampling's cost plain), every worker sampled each time.
    const BenchConfigKey config(L"metrics");
    ConfigureIdleWorkers(config, ManyWorkers());
    wchar_t temp[MAX_PATH];
    ::GetTempPathW(MAX_PATH, temp);
    const std::wstring textfile = std::wstring(temp) + L"sup-bench-metrics-" +
                                  std::to_wstring(::GetCurrentProcessId()) + L".prom";
    SetString(config.Root(), L"MetricsTextfile", textfile);
    SetDword(config.Root(), L"MetricsIntervalMs", 1000);
    const std::string prefix = Prefix("metrics");
    const InProcessSupd supd(config, prefix);
    WaitUntilAllRunning(prefix + "-control", ManyWorkers());
    IdleCpu(ManyWorkers(), "metrics every 1 s");
    ::DeleteFileW(textfile.c_str());
  }
  return 0;
}
