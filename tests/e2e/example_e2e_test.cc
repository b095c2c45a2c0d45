// The example configuration of config/example.reg, imported with `supctl config import` into the
// test's own key and run by supd as a service: web-api (HTTP liveness, TCP readiness), the
// queue-consumer that depends on it, and the run-once report-batch. What a new user does first:
// status once the batch is done, restart of a worker another depends on, a Command change and
// Enabled=0 of it.
#include <windows.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "common/win/unique_handle.h"
#include "free_port.h"
#include "process_runner.h"
#include "supd_service.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using sup::v1::WorkerStatus;
using testing::SupdService;

using testing::Contains;

void ReplaceAll(std::wstring& text, const std::wstring& from, const std::wstring& to) {
  for (std::size_t at = text.find(from); at != std::wstring::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::wstring RegEscaped(std::wstring text) {
  ReplaceAll(text, L"\\", L"\\\\");
  return text;
}

// config/example.reg (UTF-16LE, as regedit writes it) with its key, program path and port made
// this test's own, written to a temp file for `supctl config import`.
std::string ExampleFor(const SupdService& supd, int port) {
  const std::string source = std::string("Z:") + SUP_SOURCE_DIR + "/config/example.reg";
  std::ifstream in(source, std::ios::binary);
  EXPECT_TRUE(in) << source;
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::wstring text(bytes.size() / 2, L'\0');
  std::memcpy(text.data(), bytes.data(), text.size() * sizeof(wchar_t));
  EXPECT_EQ(text.front(), L'\xFEFF');
  const std::string config_key = supd.config_key();
  const std::wstring key =
      std::wstring(config_key.begin(), config_key.end()).substr(5);  // past "HKLM\"
  ReplaceAll(text, L"HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]", L"HKEY_LOCAL_MACHINE\\" + key + L"]");
  ReplaceAll(text, L"HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\", L"HKEY_LOCAL_MACHINE\\" + key + L"\\");
  const std::string worker = testing::ExecutableDirectory() + "\\testworker.exe";
  ReplaceAll(text, RegEscaped(L"C:\\Program Files\\Sup\\examples\\testworker.exe"),
             RegEscaped(std::wstring(worker.begin(), worker.end())));
  ReplaceAll(text, L"18080", std::to_wstring(port));
  const std::string path = testing::TempPath("example.reg");
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(text.data()),
            static_cast<std::streamsize>(text.size() * sizeof(wchar_t)));
  return path;
}

std::uint32_t Pid(const SupdService& supd, const std::string& worker) {
  std::optional<WorkerStatus> status = supd.Worker(worker);
  return status ? status->pid() : 0;
}

bool Serving(const WorkerStatus& w) { return w.serving(); }

TEST(ExampleE2eTest, RestartChangeAndDisableOfAWorkerOthersDependOn) {
  SupdService supd("example");
  const std::string example = ExampleFor(supd, testing::FreeTcpPort());
  const testing::ProcessOutput imported =
      supd.Supctl({"config", "import", example, "--config-key", supd.config_key()});
  ASSERT_EQ(imported.exit_code, 0u) << imported.out << imported.err;
  supd.SetDaemonString("LogDirectory", testing::TempPath("example-logs"));
  ASSERT_SUPD_OK(supd.InstallAndStart());

  // Once report-batch is done (it exits 0 after 3 s) and the others run and are ready, status
  // exits 0, and the health pipe agrees.
  ASSERT_TRUE(testing::WaitUntil([&] { return supd.Supctl({"status"}).exit_code == 0; }, 60s))
      << supd.Supctl({"status"}).out;
  const std::optional<WorkerStatus> batch = supd.Worker("report-batch");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->state(), WorkerStatus::EXITED);
  EXPECT_TRUE(batch->done());
  EXPECT_TRUE(Contains(supd.Supctl({"status"}).out, "done")) << supd.Supctl({"status"}).out;
  const testing::ProcessOutput health = supd.Supctl({"health"});
  EXPECT_EQ(health.exit_code, 0u) << health.out << health.err;
  EXPECT_EQ(health.out, "supd: SERVING\n");

  // restart of web-api: queue-consumer goes down first and comes back after it, both with new
  // processes; --wait returns only then.
  const std::uint32_t web = Pid(supd, "web-api"), queue = Pid(supd, "queue-consumer");
  ASSERT_NE(web, 0u);
  ASSERT_NE(queue, 0u);
  const testing::ProcessOutput restart =
      supd.Supctl({"--timeout", "60s", "restart", "web-api", "--wait"});
  EXPECT_EQ(restart.exit_code, 0u) << restart.out << restart.err;
  EXPECT_EQ(restart.out, "web-api: restarted\nqueue-consumer: restarted (depends on web-api)\n");
  const std::optional<WorkerStatus> web_after = supd.Worker("web-api");
  const std::optional<WorkerStatus> queue_after = supd.Worker("queue-consumer");
  ASSERT_TRUE(web_after && queue_after);
  EXPECT_TRUE(web_after->serving());
  EXPECT_TRUE(queue_after->serving());
  EXPECT_NE(web_after->pid(), 0u);
  EXPECT_NE(queue_after->pid(), 0u);
  EXPECT_NE(web_after->pid(), web);
  EXPECT_NE(queue_after->pid(), queue);
  EXPECT_TRUE(testing::ProcessGone(web, 5s));
  EXPECT_TRUE(testing::ProcessGone(queue, 5s));

  // The same in JSON: one object per worker, the dependent naming why.
  const testing::ProcessOutput json =
      supd.Supctl({"-o", "json", "--timeout", "60s", "restart", "web-api", "--wait"});
  EXPECT_EQ(json.exit_code, 0u) << json.out << json.err;
  EXPECT_TRUE(Contains(
      json.out,
      R"j("worker":"queue-consumer","outcome":"done","message":"restarted (depends on web-api)","dependency_of":"web-api")j"))
      << json.out;

  // A Command change of web-api restarts both.
  const std::uint32_t web_before_change = Pid(supd, "web-api"),
                      queue_before_change = Pid(supd, "queue-consumer");
  const std::string port = std::to_string(testing::FreeTcpPort());
  supd.SetString("web-api", "Command",
                 testing::TestWorkerCommand({"--http", port, "--print-every", "4000"}));
  supd.SetString("web-api\\Probes\\Liveness", "Target", "http://127.0.0.1:" + port + "/healthz");
  supd.SetString("web-api\\Probes\\Readiness", "Target", "127.0.0.1:" + port);
  EXPECT_TRUE(supd.WaitForWorker(
      "queue-consumer",
      [&](const WorkerStatus& w) { return w.serving() && w.pid() != queue_before_change; }, 60s));
  EXPECT_TRUE(supd.WaitForWorker("web-api", [&](const WorkerStatus& w) {
    return w.serving() && w.pid() != web_before_change;
  }));

  // Enabled=0 of web-api stops both; status and health say so.
  supd.SetDword("web-api", "Enabled", 0);
  EXPECT_TRUE(supd.WaitForWorker(
      "queue-consumer", [](const WorkerStatus& w) { return w.state() == WorkerStatus::STOPPED; },
      30s));
  EXPECT_TRUE(supd.WaitForWorker(
      "web-api", [](const WorkerStatus& w) { return w.state() == WorkerStatus::STOPPED; }, 30s));
  EXPECT_EQ(supd.WorkerOrFail("queue-consumer").description(), "waiting for web-api");
  EXPECT_EQ(supd.Supctl({"status"}).exit_code, 3u);
  EXPECT_EQ(supd.Supctl({"health"}).exit_code, 4u);
  EXPECT_TRUE(testing::ProcessGone(web_after->pid(), 5s));

  // And back.
  supd.SetDword("web-api", "Enabled", 1);
  EXPECT_TRUE(supd.WaitForWorker("queue-consumer", Serving, 60s));
  EXPECT_TRUE(testing::WaitUntil([&] { return supd.Supctl({"status"}).exit_code == 0; }, 30s));
}

// The README's example commands, as written between its examples markers.
std::vector<std::vector<std::string>> ReadmeExamples() {
  std::ifstream in(std::string("Z:") + SUP_SOURCE_DIR + "/README.md", std::ios::binary);
  EXPECT_TRUE(in) << "README.md not reachable from here";
  std::vector<std::vector<std::string>> commands;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "<!-- examples:begin -->") inside = true;
    if (line == "<!-- examples:end -->") break;
    if (!inside || !line.starts_with("supctl ")) continue;
    std::istringstream words(line.substr(7));
    std::vector<std::string> command;
    for (std::string word; words >> word;) command.push_back(word);
    commands.push_back(command);
  }
  return commands;
}

// Every example command of the README works, as written, against the example configuration:
// the global options this test needs (its own pipe and key) go after the command, where a user
// may put them too.
TEST(ExampleE2eTest, EveryReadmeExampleRunsAsWritten) {
  const std::vector<std::vector<std::string>> examples = ReadmeExamples();
  ASSERT_GE(examples.size(), 10u) << "the README's examples block is missing or short";
  SupdService supd("readme");
  const std::string example = ExampleFor(supd, testing::FreeTcpPort());
  ASSERT_EQ(supd.Supctl({"config", "import", example, "--config-key", supd.config_key()}).exit_code,
            0u);
  supd.SetDaemonString("LogDirectory", testing::TempPath("readme-logs"));
  ASSERT_SUPD_OK(supd.InstallAndStart());
  ASSERT_TRUE(testing::WaitUntil([&] { return supd.Supctl({"status"}).exit_code == 0; }, 60s))
      << supd.Supctl({"status"}).out;
  for (std::vector<std::string> command : examples) {
    std::string shown = "supctl";
    for (const std::string& word : command) shown += " " + word;
    if (command[0] == "worker" || command[0] == "config") {
      command.insert(command.end(), {"--config-key", supd.config_key()});
    }
    const testing::ProcessOutput ran = supd.Supctl(command);
    EXPECT_EQ(ran.exit_code, 0u) << shown << "\n" << ran.out << ran.err;
    EXPECT_FALSE(ran.out.empty()) << shown;
  }
}

}  // namespace
}  // namespace sup::win
