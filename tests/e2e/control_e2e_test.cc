// The control plane end to end: supctl's describe, logs, events, health, reread, update and
// --wait against supd.exe as a service, and streams that end when the service stops.
#include <winsock2.h>
#include <windows.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "common/win/text.h"
#include "free_port.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::SupdService;

using testing::IsRunning;

using testing::Contains;

TEST(ControlE2eTest, DescribeLogsEventsAndHealthShowAWorker) {
  SupdService supd("inspect");
  supd.AddWorker("ticker", {"--print-every", "50"});
  supd.SetString("ticker", "StdoutLog", testing::TempPath("ticker.out.log"));
  supd.AddWorker("off", {});
  supd.SetDword("off", "Enabled", 0);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("ticker", IsRunning));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return Contains(supd.Supctl({"logs", "ticker", "-n", "3"}).out, "tick");
      },
      10s));

  const testing::ProcessOutput describe = supd.Supctl({"describe", "ticker"});
  EXPECT_EQ(describe.exit_code, 0u) << describe.err;
  EXPECT_TRUE(Contains(describe.out, "ticker: RUNNING")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "StopTimeoutMs")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "STARTING -> RUNNING")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "tick")) << describe.out;
  const testing::ProcessOutput json = supd.Supctl({"-o", "json", "describe", "ticker"});
  EXPECT_TRUE(Contains(json.out, "\"config\":{")) << json.out;

  const testing::ProcessOutput no_stderr = supd.Supctl({"logs", "ticker", "--stderr"});
  EXPECT_EQ(no_stderr.exit_code, 1u);
  EXPECT_TRUE(Contains(no_stderr.err, "not captured")) << no_stderr.err;
  EXPECT_EQ(supd.Supctl({"describe", "nosuch"}).exit_code, 4u);

  const testing::ProcessOutput events = supd.Supctl({"events", "-n", "50"});
  EXPECT_EQ(events.exit_code, 0u) << events.err;
  EXPECT_TRUE(Contains(events.out, "ticker  STARTING -> RUNNING")) << events.out;

  const testing::ProcessOutput health = supd.Supctl({"health"});
  EXPECT_EQ(health.exit_code, 4u) << health.out
                                  << health.err;  // "off" is not where a worker should be
  EXPECT_EQ(health.out, "supd: NOT_SERVING\n");
  EXPECT_EQ(supd.Supctl({"status"}).exit_code, 3u);  // the same predicate as status
  EXPECT_EQ(supd.Supctl({"health", "ticker"}).out, "ticker: SERVING\n");
  EXPECT_EQ(supd.Supctl({"health", "off"}).exit_code, 4u);
  const testing::ProcessOutput unknown = supd.Supctl({"health", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 4u);
  EXPECT_TRUE(Contains(unknown.err, "no such worker")) << unknown.err;
}

// What a worker's job uses, in status (CPU and MEM columns, the JSON fields) and describe: a
// worker that wrote 80 MB and kept a CPU busy shows both; a stopped one shows none.
TEST(ControlE2eTest, StatusAndDescribeShowWhatAWorkerUses) {
  SupdService supd("resources");
  supd.AddWorker("heavy", {"--touch-mb", "80", "--busy-ms", "300"});
  supd.AddWorker("off", {});
  supd.SetDword("off", "Enabled", 0);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("heavy", IsRunning));
  std::string json;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        json = supd.Supctl({"status", "heavy", "-o", "json"}).out;
        const std::size_t at = json.find("\"working_set_bytes\":");
        return at != std::string::npos &&
               std::stoull(json.substr(at + 20)) >= 80ull * 1024 * 1024 &&
               json.find("\"cpu_seconds\":0.0") == std::string::npos;
      },
      20s))
      << json;
  // Its own process, and under Wine the console host of its own console, which Wine puts in the
  // job.
  EXPECT_FALSE(Contains(json, "\"processes\":0,")) << json;

  const testing::ProcessOutput table = supd.Supctl({"status"});
  EXPECT_TRUE(Contains(table.out, "LAST-EXIT  CPU")) << table.out;
  EXPECT_TRUE(Contains(table.out, "  MEM  ")) << table.out;
  EXPECT_TRUE(Contains(table.out, "M  pid ")) << table.out;  // heavy's working set, in MiB
  const std::size_t off = table.out.find("\noff ");
  ASSERT_NE(off, std::string::npos) << table.out;
  std::istringstream off_row(table.out.substr(off + 1, table.out.find('\n', off + 1) - off - 1));
  std::vector<std::string> cells{std::istream_iterator<std::string>(off_row),
                                 std::istream_iterator<std::string>()};
  ASSERT_GE(cells.size(), 10u) << table.out;
  EXPECT_EQ(cells[8], "-") << table.out;  // CPU
  EXPECT_EQ(cells[9], "-") << table.out;  // MEM

  const testing::ProcessOutput top = supd.Supctl({"top", "--once", "--sort", "mem"});
  EXPECT_EQ(top.exit_code, 0u) << top.err;
  EXPECT_TRUE(Contains(top.out, "; 2 workers, 1 running; CPU ")) << top.out;
  EXPECT_LT(top.out.find("\nheavy "), top.out.find("\noff ")) << top.out;
  EXPECT_EQ(supd.Supctl({"top", "--once", "--sort", "size"}).exit_code, 2u);

  const testing::ProcessOutput describe = supd.Supctl({"describe", "heavy"});
  EXPECT_TRUE(Contains(describe.out, "  cpu ")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, " handles, i/o read ")) << describe.out;
}

// MemoryRestartMB as a real service: a worker whose job keeps 80 MB in its working set is
// restarted through its stop ladder with reason memory-limit, again each time it grows back; one
// under its threshold runs on. (MemoryLimitMB, which only real Windows enforces, is shown by
// JobLauncherTest and SupervisorMemoryTest.)
TEST(ControlE2eTest, AWorkerOverMemoryRestartMBIsRestartedForIt) {
  SupdService supd("memory");
  supd.AddWorker("bloated", {"--touch-mb", "80"});
  supd.SetDword("bloated", "MemoryRestartMB", 50);
  supd.SetDword("bloated", "MemoryCheckMs", 200);
  supd.SetDword("bloated", "BackoffInitialMs", 100);
  supd.AddWorker("lean", {});
  supd.SetDword("lean", "MemoryRestartMB", 50);
  supd.SetDword("lean", "MemoryCheckMs", 200);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  const std::optional<sup::v1::WorkerStatus> restarted = supd.WaitForWorker(
      "bloated", [](const sup::v1::WorkerStatus& w) { return w.restarts() >= 2; });
  ASSERT_TRUE(restarted.has_value()) << "bloated was not restarted twice";
  const testing::ProcessOutput describe = supd.Supctl({"describe", "bloated"});
  EXPECT_TRUE(Contains(describe.out, "-> STOPPING (memory-limit)")) << describe.out;
  EXPECT_TRUE(Contains(describe.out, "above MemoryRestartMB 50 at 2 checks in a row"))
      << describe.out;
  const sup::v1::WorkerStatus lean = supd.WorkerOrFail("lean");
  EXPECT_EQ(lean.restarts(), 0u);
  EXPECT_EQ(lean.state(), sup::v1::WorkerStatus::RUNNING);
}

// MetricsTextfile, for windows_exporter's textfile collector: written at start, replaced (never
// half-written) when a worker changes state, and a last time when supd stops, every worker down.
// (That the format parses is shown by MetricsTest with Debian's Prometheus parser.)
TEST(ControlE2eTest, TheMetricsTextfileFollowsTheWorkersAndEndsWithSupd) {
  SupdService supd("metrics");
  const std::string path = testing::TempPath("metrics-e2e.prom");
  ::DeleteFileW(Widen(path).c_str());
  supd.SetDaemonString("MetricsTextfile", path);
  supd.SetDaemonDword("MetricsIntervalMs", 60'000);  // only changes rewrite it during the test
  supd.AddWorker("api", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("api", IsRunning));
  const auto read = [&] {
    std::ifstream file(std::filesystem::path(Widen(path)), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  };
  std::string text;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        text = read();
        return Contains(text, "\nsup_worker_up{worker=\"api\"} 1\n");
      },
      10s))
      << text;
  EXPECT_TRUE(Contains(text, "sup_worker_process{worker=\"api\",process_id=\"")) << text;
  EXPECT_TRUE(Contains(text, "sup_worker_working_set_bytes{worker=\"api\"} ")) << text;
  EXPECT_EQ(text.rfind("\xEF\xBB\xBF", 0), std::string::npos);  // no BOM
  EXPECT_EQ(text.back(), '\n');

  ASSERT_EQ(supd.Supctl({"stop", "api", "--wait"}).exit_code, 0u);
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        text = read();
        return Contains(text, "\nsup_worker_state{worker=\"api\",state=\"STOPPED\"} 1\n");
      },
      10s))
      << text;
  ASSERT_EQ(supd.Supctl({"start", "api", "--wait"}).exit_code, 0u);
  ASSERT_SUPD_OK(supd.Stop());
  text = read();
  EXPECT_TRUE(Contains(text, "\nsup_worker_up{worker=\"api\"} 0\n")) << text;
  EXPECT_FALSE(Contains(text, "process_id=")) << text;
  ::DeleteFileW(Widen(path).c_str());
}

// An HTTP GET from this process (a load balancer's view): the whole answer, status line first,
// or what went wrong.
// A TCP connection to 127.0.0.1:`port` from the loopback address 127.0.0.`from`; INVALID_SOCKET
// if it cannot be made.
SOCKET ConnectLoopback(unsigned short port, int from = 1) {
  WSADATA wsa;
  ::WSAStartup(MAKEWORD(2, 2), &wsa);
  const SOCKET s = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = ::htonl(0x7F000000 | static_cast<ULONG>(from));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = ::htons(port);
  address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
  if (::bind(s, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0 ||
      ::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::closesocket(s);
    return INVALID_SOCKET;
  }
  return s;
}

std::string HttpGet(unsigned short port, const std::string& path,
                    const std::string& host = "localhost") {
  const SOCKET s = ConnectLoopback(port);
  if (s == INVALID_SOCKET) return "connect failed";
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  ::send(s, request.data(), static_cast<int>(request.size()), 0);
  std::string answer;
  char buffer[4096];
  for (int n; (n = ::recv(s, buffer, sizeof(buffer), 0)) > 0;) answer.append(buffer, n);
  ::closesocket(s);
  return answer;
}

// Sends `bytes` on a fresh connection and reads until supd closes it: what came back, or
// "still open" if the connection stayed open and silent for `quiet` (select, not SO_RCVTIMEO, so
// that nothing here can block past it).
std::string SendAndReadToClose(unsigned short port, const std::string& bytes,
                               std::chrono::milliseconds quiet) {
  const SOCKET s = ConnectLoopback(port);
  if (s == INVALID_SOCKET) return "connect failed";
  ::send(s, bytes.data(), static_cast<int>(bytes.size()), 0);
  std::string answer;
  char buffer[4096];
  while (true) {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(s, &readable);
    timeval wait{static_cast<long>(quiet.count() / 1000),
                 static_cast<long>(quiet.count() % 1000) * 1000};
    if (::select(0, &readable, nullptr, nullptr, &wait) <= 0) {
      ::closesocket(s);
      return "still open";
    }
    const int n = ::recv(s, buffer, sizeof(buffer), 0);
    if (n <= 0) break;  // closed (0) or reset (an unread request is answered with a reset)
    answer.append(buffer, n);
  }
  ::closesocket(s);
  return answer;
}

// HttpListen on loopback: /healthz follows the health pipe's answer (200, then 503 once a worker
// stops), /healthz/<worker> and /metrics answer, anything else is 404. (curl from Linux reaches
// the same listener under Wine; load balancers on Windows use it as they use any health URL.)
TEST(ControlE2eTest, TheHttpEndpointAnswersHealthAndMetrics) {
  SupdService supd("http");
  const auto port = static_cast<unsigned short>(testing::FreeTcpPort());
  supd.SetDaemonString("HttpListen", "127.0.0.1:" + std::to_string(port));
  supd.AddWorker("api", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("api", IsRunning));
  std::string answer;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        answer = HttpGet(port, "/healthz");
        return answer.rfind("HTTP/1.1 200", 0) == 0;
      },
      10s))
      << answer;
  EXPECT_TRUE(Contains(answer, "\r\n\r\nSERVING\n")) << answer;
  EXPECT_EQ(HttpGet(port, "/healthz/api").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(HttpGet(port, "/healthz/nosuch").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(HttpGet(port, "/").rfind("HTTP/1.1 404", 0), 0u);
  const std::string metrics = HttpGet(port, "/metrics");
  EXPECT_TRUE(Contains(metrics, "Content-Type: text/plain; version=0.0.4")) << metrics;
  EXPECT_TRUE(Contains(metrics, "\nsup_worker_up{worker=\"api\"} 1\n")) << metrics;

  ASSERT_EQ(supd.Supctl({"stop", "api", "--wait"}).exit_code, 0u);
  answer = HttpGet(port, "/healthz");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_TRUE(Contains(answer, "NOT_SERVING")) << answer;
}

// What a local attacker could do to the HTTP endpoint, each tried: take its port before supd
// binds it (before: lost for good, the squatter answered /healthz), hold every connection with
// sockets that send nothing (before: /healthz starved for everyone), and read it from a web page
// through DNS rebinding (a Host naming another site).
TEST(ControlE2eTest, TheHttpEndpointOutlastsATakenPortIdleSocketsAndForeignHosts) {
  SupdService supd("httpattack");
  const auto port = static_cast<unsigned short>(testing::FreeTcpPort());
  WSADATA wsa;
  ASSERT_EQ(::WSAStartup(MAKEWORD(2, 2), &wsa), 0);
  const SOCKET squatter = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = ::htons(port);
  address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(squatter, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(squatter, 1), 0);
  supd.SetDaemonString("HttpListen", "127.0.0.1:" + std::to_string(port));
  supd.AddWorker("api", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("api", IsRunning));  // the workers run meanwhile
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  testing::ProcessOutput status = supd.Supctl({"status"});
  EXPECT_TRUE(Contains(status.out, "supd: http endpoint not listening on " + listen + ": "))
      << status.out;
  EXPECT_TRUE(supd.WaitForLog(" error http endpoint not listening on " + listen));
  ::closesocket(squatter);
  std::string answer;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        answer = HttpGet(port, "/healthz");
        return answer.rfind("HTTP/1.1 200", 0) == 0;
      },
      20s))
      << answer;
  status = supd.Supctl({"status"});
  EXPECT_FALSE(Contains(status.out, "http endpoint not listening")) << status.out;

  // 40 idle connections from four other loopback addresses: each address keeps at most 8, which
  // take the 32 ordinary slots; /healthz still gets one of the slots kept for it.
  std::vector<SOCKET> idle;
  for (int from = 2; from <= 5; ++from) {
    for (int i = 0; i < 10; ++i) {
      const SOCKET s = ConnectLoopback(port, from);
      if (s != INVALID_SOCKET) idle.push_back(s);
    }
  }
  ASSERT_GE(idle.size(), 32u);
  answer = HttpGet(port, "/healthz");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  answer = HttpGet(port, "/metrics");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;  // only health while they hold on
  for (SOCKET s : idle) ::closesocket(s);

  // A header past 8 KiB is not read on: the connection is closed unanswered. A request never
  // finished is closed at its deadline (2 s), well before the 10 s this waits.
  const std::string huge =
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(16 * 1024, 'x') +
      "\r\n\r\n";
  EXPECT_EQ(SendAndReadToClose(port, huge, 10s), "");
  const auto half_started = std::chrono::steady_clock::now();
  EXPECT_EQ(SendAndReadToClose(port, "GET /healthz HTTP/1.1\r\nHost: loc", 10s), "");
  EXPECT_LT(std::chrono::steady_clock::now() - half_started, 9s);
  answer = HttpGet(port, "/healthz");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;  // and it serves on

  answer = HttpGet(port, "/healthz", "evil.example:" + std::to_string(port));
  EXPECT_EQ(answer.rfind("HTTP/1.1 421", 0), 0u) << answer;
  answer = HttpGet(port, "/metrics", "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST(ControlE2eTest, StopAllAndStartAllActOnEveryWorkerAndResetClearsCounters) {
  SupdService supd("all");
  supd.AddWorker("a", {"--stop-event-code", "0"});
  supd.AddWorker("b", {"--stop-event-code", "0"});
  supd.AddWorker("crashy", {"--exit-after", "50", "--exit-code", "1"});
  supd.SetDword("crashy", "MaxFailures", 1000);
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("a", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("b", IsRunning));
  ASSERT_TRUE(
      supd.WaitForWorker("crashy", [](const WorkerStatus& w) { return w.restarts() >= 2; }));

  // Stopped first, so that no new crash counts between the reset and the look at the counter.
  ASSERT_EQ(supd.Supctl({"--timeout", "20s", "stop", "crashy", "--wait"}).exit_code, 0u);
  ASSERT_GE(supd.WorkerOrFail("crashy").restarts(), 2u);
  const testing::ProcessOutput reset = supd.Supctl({"reset", "crashy"});
  EXPECT_EQ(reset.exit_code, 0u) << reset.out << reset.err;
  EXPECT_EQ(reset.out, "crashy: reset\n");
  EXPECT_EQ(supd.WorkerOrFail("crashy").restarts(), 0u)
      << "reset did not clear the restart counter";

  const testing::ProcessOutput stop = supd.Supctl({"--timeout", "20s", "stop", "all", "--wait"});
  EXPECT_EQ(stop.exit_code, 0u) << stop.out << stop.err;
  for (const std::string name : {"a", "b", "crashy"}) {
    EXPECT_TRUE(Contains(stop.out, name + ": ")) << stop.out;
    EXPECT_EQ(supd.WorkerOrFail(name).state(), WorkerStatus::STOPPED) << name;
  }
  const testing::ProcessOutput start = supd.Supctl({"--timeout", "20s", "start", "all"});
  EXPECT_EQ(start.exit_code, 0u) << start.out << start.err;
  EXPECT_TRUE(supd.WaitForWorker("a", IsRunning));
  EXPECT_TRUE(supd.WaitForWorker("b", IsRunning));
}

// An operator's stop is kept in the registry (State\StoppedByOperator): the worker stays down
// across a restart of the service until an operator starts it again.
TEST(ControlE2eTest, AnOperatorStopOutlivesARestartOfTheService) {
  SupdService supd("keepstop");
  supd.AddWorker("held", {"--stop-event-code", "0"});
  supd.AddWorker("free", {"--stop-event-code", "0"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("held", IsRunning));
  const testing::ProcessOutput stop = supd.Supctl({"--timeout", "20s", "stop", "held", "--wait"});
  ASSERT_EQ(stop.exit_code, 0u) << stop.out << stop.err;

  ASSERT_SUPD_OK(supd.Stop());
  ASSERT_SUPD_OK(supd.Start());
  ASSERT_TRUE(supd.WaitForWorker("free", IsRunning));
  const WorkerStatus held = supd.WorkerOrFail("held");
  EXPECT_EQ(held.state(), WorkerStatus::STOPPED) << "the operator's stop was forgotten";
  EXPECT_EQ(held.reason(), WorkerStatus::OPERATOR);

  ASSERT_EQ(supd.Supctl({"--timeout", "20s", "start", "held", "--wait"}).exit_code, 0u);
  ASSERT_SUPD_OK(supd.Stop());
  ASSERT_SUPD_OK(supd.Start());
  EXPECT_TRUE(supd.WaitForWorker("held", IsRunning)) << "the operator's start was forgotten";
}

TEST(ControlE2eTest, StopAndStartWaitForTheStateAsked) {
  SupdService supd("wait");
  supd.AddWorker("api", {"--stop-event-code", "0"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("api", IsRunning));
  // Global options go before or after the verb, as a user types them.
  const testing::ProcessOutput stop = supd.Supctl({"stop", "api", "--wait", "--timeout", "20s"});
  EXPECT_EQ(stop.exit_code, 0u) << stop.err;
  EXPECT_EQ(supd.WorkerOrFail("api").state(), WorkerStatus::STOPPED);  // at once, no waiting here
  const testing::ProcessOutput json = supd.Supctl({"status", "-o", "json"});
  EXPECT_EQ(json.exit_code, 3u) << json.err;  // not every worker serves
  EXPECT_TRUE(Contains(json.out, "\"name\":\"api\",\"state\":\"STOPPED\"")) << json.out;
  const testing::ProcessOutput start = supd.Supctl({"--timeout", "20s", "start", "api", "--wait"});
  EXPECT_EQ(start.exit_code, 0u) << start.err;
  EXPECT_EQ(supd.WorkerOrFail("api").state(), WorkerStatus::RUNNING);
}

constexpr const char* kNotApplied = "registry change not applied: AutoReload is 0";

// With AutoReload 0 a registry change waits (supd notices it and says so in its log) until
// `supctl update` applies it; reread shows what waits, then nothing.
TEST(ControlE2eTest, WithAutoReloadOffOnlyUpdateAppliesARegistryChange) {
  SupdService supd("update");
  supd.SetDaemonDword("AutoReload", 0);
  supd.AddWorker("a", {});
  supd.AddWorker("b", {});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("a", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("b", IsRunning));
  const std::uint32_t a_pid = supd.WorkerOrFail("a").pid();
  const std::uint32_t b_pid = supd.WorkerOrFail("b").pid();

  supd.SetDword("b", "MaxFailures", 9);
  supd.AddWorker("late", {});
  ASSERT_TRUE(supd.WaitForLog(kNotApplied));
  EXPECT_FALSE(supd.Worker("late").has_value()) << "a registry change applied with AutoReload 0";
  const testing::ProcessOutput waiting = supd.Supctl({"reread"});
  EXPECT_TRUE(Contains(waiting.out, "late")) << waiting.out;
  EXPECT_TRUE(Contains(waiting.out, "b")) << waiting.out;

  const testing::ProcessOutput update = supd.Supctl({"update"});
  EXPECT_EQ(update.exit_code, 0u) << update.err;
  EXPECT_TRUE(supd.Worker("late").has_value()) << "update did not add the new worker:\n"
                                               << update.out;
  EXPECT_TRUE(supd.WaitForWorker("late", IsRunning));
  EXPECT_EQ(supd.Supctl({"reread"}).out, "no changes\n");
  EXPECT_EQ(supd.WorkerOrFail("a").pid(), a_pid);
  EXPECT_EQ(supd.WorkerOrFail("b").pid(), b_pid);  // a policy change restarts nothing

  const testing::ProcessOutput unknown = supd.Supctl({"update", "zzz"});
  EXPECT_EQ(unknown.exit_code, 4u);
  EXPECT_TRUE(Contains(unknown.err, "zzz")) << unknown.err;
}

// The service controls an admin's script sends (`sc control <service> paramchange` and the
// user-defined 128) apply a waiting registry change; a new Command restarts the worker. Sent with
// ControlService, the call sc.exe makes: Wine's sc.exe has no `control` command.
TEST(ControlE2eTest, ParamchangeAndControl128ApplyAWaitingChange) {
  SupdService supd("reload");
  supd.SetDaemonDword("AutoReload", 0);
  supd.AddWorker("api", {"--print-every", "1000"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("api", IsRunning));

  std::size_t notices = 0;
  const auto change_command_then_send = [&](const std::vector<std::string>& arguments,
                                            DWORD control) {
    const std::uint32_t before = supd.WorkerOrFail("api").pid();
    supd.SetString("api", "Command", testing::TestWorkerCommand(arguments));
    ASSERT_TRUE(supd.WaitForLog(kNotApplied, ++notices));
    EXPECT_EQ(supd.WorkerOrFail("api").pid(), before) << "applied before control " << control;
    SERVICE_STATUS ignored{};
    ASSERT_TRUE(::ControlService(supd.handle(), control, &ignored))
        << "ControlService " << control << ": " << ::GetLastError();
    EXPECT_TRUE(supd.WaitForWorker(
        "api", [&](const WorkerStatus& w) { return IsRunning(w) && w.pid() != before; }))
        << "control " << control << " did not apply the new Command";
  };
  change_command_then_send({"--print-every", "2000"}, SERVICE_CONTROL_PARAMCHANGE);
  change_command_then_send({"--print-every", "3000"}, 128);
  EXPECT_EQ(supd.Supctl({"reread"}).out, "no changes\n");
}

// `supctl logs -f` and `supctl events -f` as an admin runs them (piped, say, into findstr): each
// line is printed as it happens, and both end with exit code 0 when the service stops.
TEST(ControlE2eTest, SupctlFollowersPrintAsItHappensAndEndWhenTheServiceStops) {
  SupdService supd("clifollow");
  supd.AddWorker("ticker", {"--print-every", "50"});
  supd.SetString("ticker", "StdoutLog", testing::TempPath("clifollow.out.log"));
  supd.AddWorker("other", {"--stop-event-code", "0"});
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("ticker", IsRunning));
  ASSERT_TRUE(supd.WaitForWorker("other", IsRunning));
  const auto follower = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {testing::ExecutableDirectory() + "\\supctl.exe", "--pipe",
                                         supd.control_pipe()});
    return testing::BackgroundProcess::Start(arguments);
  };
  Result<std::unique_ptr<testing::BackgroundProcess>> logs =
      follower({"logs", "ticker", "-f", "-n", "1"});
  Result<std::unique_ptr<testing::BackgroundProcess>> events =
      follower({"events", "-f", "-n", "1"});
  ASSERT_TRUE(logs.ok()) << logs.error().message();
  ASSERT_TRUE(events.ok()) << events.error().message();

  // One line of backlog, then new ones while it runs.
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return testing::CountOccurrences((*logs)->Out(), "tick") >= 5; }, 20s))
      << (*logs)->Out() << (*logs)->Err();
  // The backlog says the follower is connected; what comes after it was followed.
  ASSERT_TRUE(testing::WaitUntil([&] { return !(*events)->Out().empty(); }, 20s))
      << (*events)->Err();
  const std::size_t started_before =
      testing::CountOccurrences((*events)->Out(), "other  STARTING -> RUNNING");
  EXPECT_EQ(supd.Supctl({"restart", "other"}).exit_code, 0u);
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        const std::string out = (*events)->Out();
        return Contains(out, "other  RUNNING -> STOPPING (operator)") &&
               testing::CountOccurrences(out, "other  STARTING -> RUNNING") > started_before;
      },
      20s))
      << (*events)->Out();

  ASSERT_SUPD_OK(supd.Stop());
  EXPECT_EQ((*logs)->WaitForExit(20s), std::optional<unsigned long>(0)) << (*logs)->Err();
  EXPECT_EQ((*events)->WaitForExit(20s), std::optional<unsigned long>(0)) << (*events)->Err();
}

// A follower of a worker's output sees new lines as they come, and its stream ends (with a last
// frame) when the service stops.
TEST(ControlE2eTest, FollowedLogsStreamUntilTheServiceStops) {
  SupdService supd("follow");
  supd.AddWorker("ticker", {"--print-every", "50"});
  supd.SetString("ticker", "StdoutLog", testing::TempPath("follow.out.log"));
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(supd.WaitForWorker("ticker", IsRunning));

  Result<PipeClient> pipe = PipeClient::Connect(supd.control_pipe(), 10s);
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_logs()->set_worker("ticker");
  request.mutable_logs()->set_follow(true);
  ASSERT_TRUE(client.Call(request).ok());
  int streamed = 0;
  while (streamed < 3) {
    Result<sup::v1::Response> frame = client.Next();
    ASSERT_TRUE(frame.ok()) << frame.error().message();
    for (const std::string& line : frame->logs().lines()) streamed += Contains(line, "tick");
  }

  sup::v1::HealthRequest watch;
  watch.mutable_watch()->set_service("");
  Result<PipeClient> health_pipe = PipeClient::Connect(HealthPipeName(supd.name()), 10s);
  ASSERT_TRUE(health_pipe.ok()) << health_pipe.error().message();
  HealthClient health(*health_pipe);
  Result<sup::v1::HealthResponse> first = health.Call(watch);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->watch().status(), sup::v1::HealthCheckResponse::SERVING);

  ASSERT_SUPD_OK(supd.Stop());
  bool ended = false;
  while (!ended) {
    Result<sup::v1::Response> frame = client.Next();
    ASSERT_TRUE(frame.ok()) << frame.error().message();
    ended = frame->logs().end_of_stream();
  }
  Result<sup::v1::HealthResponse> last = health.Next();
  ASSERT_TRUE(last.ok()) << last.error().message();
  EXPECT_EQ(last->watch().status(), sup::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_TRUE(last->watch().end_of_stream());
}

}  // namespace
}  // namespace sup::win
