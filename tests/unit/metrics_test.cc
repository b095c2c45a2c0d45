#include "daemon/control/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace sup::control {
namespace {

using namespace std::chrono_literals;

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// Two workers: "api" running with resources, "batch" exited with code 3 after two restarts.
MetricsInput SampleInput() {
  MetricsInput input;
  input.version = "0.1.0";
  input.now = std::chrono::system_clock::time_point(1'700'000'000s);
  engine::WorkerSnapshot api;
  api.name = "api";
  api.state = WorkerState::kRunning;
  api.health = Health::kHealthy;
  api.ready = true;
  api.pid = 4812;
  api.uptime = 100s;
  engine::WorkerSnapshot batch;
  batch.name = "batch";
  batch.state = WorkerState::kExited;
  batch.restarts = 2;
  batch.last_exit_code = 3;
  input.workers = {api, batch};
  ResourceSample sample;
  sample.cpu_user = 1500ms;
  sample.cpu_kernel = 250ms;
  sample.working_set_bytes = 47'400'000;
  sample.private_bytes = 40'000'000;
  sample.processes = 2;
  sample.io_read_bytes = 4096;
  sample.io_write_bytes = 1500;
  input.resources["api"] = sample;
  input.requests[{"status", "ok"}] = 7;
  input.requests[{"stop", "permission_denied"}] = 1;
  return input;
}

TEST(MetricsTest, EveryWorkerHasItsSeriesAndOnlyRunningOnesHaveAProcessAndResources) {
  const std::string text = "\n" + RenderMetrics(SampleInput());
  EXPECT_TRUE(Has(text, "sup_build_info{version=\"0.1.0\"} 1")) << text;
  EXPECT_TRUE(Has(text, "# TYPE sup_worker_restarts_total counter")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_up{worker=\"api\"} 1")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_up{worker=\"batch\"} 0")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_state{worker=\"batch\",state=\"EXITED\"} 1")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_state{worker=\"batch\",state=\"RUNNING\"} 0")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_restarts_total{worker=\"batch\"} 2")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_last_exit_code{worker=\"batch\"} 3")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_process{worker=\"api\",process_id=\"4812\"} 1")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_start_time_seconds{worker=\"api\"} 1699999900")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_cpu_seconds_total{worker=\"api\",mode=\"user\"} 1.5")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_cpu_seconds_total{worker=\"api\",mode=\"kernel\"} 0.25"))
      << text;
  EXPECT_TRUE(Has(text, "sup_worker_working_set_bytes{worker=\"api\"} 47400000")) << text;
  EXPECT_TRUE(Has(text, "sup_worker_io_bytes_total{worker=\"api\",direction=\"write\"} 1500"))
      << text;
  EXPECT_EQ(text.find("process_id=\"0\""), std::string::npos) << text;
  EXPECT_EQ(text.find("sup_worker_working_set_bytes{worker=\"batch\""), std::string::npos);
  EXPECT_TRUE(Has(text, "sup_control_requests_total{verb=\"status\",result=\"ok\"} 7")) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

#if !defined(_WIN32)
// An independent parser, Debian's python3-prometheus-client, reads what supd writes: every family
// and sample, with the values rendered. (Natively only: there is no Python under Wine.)
TEST(MetricsTest, APrometheusParserReadsEveryFamilyAndSample) {
  const std::string path = ::testing::TempDir() + "sup-metrics-test.prom";
  {
    std::ofstream file(path, std::ios::binary);
    file << RenderMetrics(SampleInput());
  }
  const std::string script =
      "import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families as parse\n"
      "families = {f.name: f for f in parse(open(sys.argv[1]).read())}\n"
      "samples = sum(len(f.samples) for f in families.values())\n"
      "assert families['sup_worker_restarts'].type == 'counter', families.keys()\n"
      "cpu = [s for s in families['sup_worker_cpu_seconds'].samples if s.labels['mode'] == "
      "'user']\n"
      "assert cpu[0].value == 1.5, cpu\n"
      "print(len(families), samples)\n";
  const std::string script_path = path + ".py";
  std::ofstream(script_path) << script;
  const std::string command =
      "/usr/bin/python3 " + script_path + " " + path + " > " + path + ".out";
  ASSERT_EQ(std::system(command.c_str()), 0) << "the parser refused the metrics";
  std::ifstream out(path + ".out");
  std::string counts;
  std::getline(out, counts);
  // 16 families; 1 + 1 + 2 requests + 2 up + 14 states + 2 ready + 2 healthy + 2 restarts + 1
  // exit code + 1 process + 1 start time + 2 cpu + 1 working set + 1 private + 1 processes + 2 io.
  EXPECT_EQ(counts, "16 36");
}
#endif

}  // namespace
}  // namespace sup::control
