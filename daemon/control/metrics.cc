#include "daemon/control/metrics.h"

#include <cstdio>
#include <iterator>

#include "common/worker_state.h"

namespace sup::control {
namespace {

// Writes metric families: HELP and TYPE once per family, then its samples.
class Exposition {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    out_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
  }
  // `labels`: already formatted, `worker="api",mode="user"`.
  void Sample(std::string_view name, const std::string& labels, double value) {
    char number[64];
    std::snprintf(number, sizeof(number), "%.15g", value);
    out_ += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + number + "\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + EscapeLabelValue(value) + "\"";
}

std::string WorkerLabel(const engine::WorkerSnapshot& worker) {
  return Label("worker", worker.name);
}

double Seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

namespace {

// supd's own families: its build, its last reload, the requests it answered.
void RenderDaemonFamilies(Exposition& out, const MetricsInput& input) {
  out.Family("sup_build_info", "gauge", "supd's version; always 1.");
  out.Sample("sup_build_info", Label("version", input.version), 1);
  out.Family("sup_config_last_reload_successful", "gauge",
             "Whether the last configuration read was applied (1) or refused (0).");
  out.Sample("sup_config_last_reload_successful", "", input.last_reload_successful ? 1 : 0);
  out.Family("sup_control_requests_total", "counter",
             "Control pipe requests answered since supd started, by verb and result.");
  for (const auto& [key, count] : input.requests) {
    out.Sample("sup_control_requests_total",
               Label("verb", key.first) + "," + Label("result", key.second),
               static_cast<double>(count));
  }
}

// The families of every configured worker, so that a worker's series never vanish while it is
// configured.
void RenderWorkerFamilies(Exposition& out, const MetricsInput& input) {
  const auto each = [&](std::string_view name, std::string_view type, std::string_view help,
                        const auto& value_of) {
    out.Family(name, type, help);
    for (const engine::WorkerSnapshot& worker : input.workers) value_of(worker);
  };
  each("sup_worker_up", "gauge", "Whether the worker's process runs (state RUNNING).",
       [&](const engine::WorkerSnapshot& w) {
         out.Sample("sup_worker_up", WorkerLabel(w), w.state == WorkerState::kRunning ? 1 : 0);
       });
  each("sup_worker_state", "gauge", "The worker's state: 1 for the current one, 0 for the others.",
       [&](const engine::WorkerSnapshot& w) {
         for (std::size_t i = 0; i < std::size(kWorkerStateNames); ++i) {
           out.Sample("sup_worker_state",
                      WorkerLabel(w) + "," + Label("state", kWorkerStateNames[i]),
                      static_cast<std::size_t>(w.state) == i ? 1 : 0);
         }
       });
  each("sup_worker_ready", "gauge", "Whether the worker is ready (readiness probe, or running).",
       [&](const engine::WorkerSnapshot& w) {
         out.Sample("sup_worker_ready", WorkerLabel(w), w.ready ? 1 : 0);
       });
  each("sup_worker_healthy", "gauge", "Whether the worker's liveness is HEALTHY.",
       [&](const engine::WorkerSnapshot& w) {
         out.Sample("sup_worker_healthy", WorkerLabel(w), w.health == Health::kHealthy ? 1 : 0);
       });
  each("sup_worker_restarts_total", "counter", "Restarts since supd started or the last reset.",
       [&](const engine::WorkerSnapshot& w) {
         out.Sample("sup_worker_restarts_total", WorkerLabel(w), w.restarts);
       });
  out.Family("sup_worker_last_exit_code", "gauge", "Exit code of the worker's last process.");
  for (const engine::WorkerSnapshot& w : input.workers) {
    if (w.last_exit_code)
      out.Sample("sup_worker_last_exit_code", WorkerLabel(w),
                 static_cast<double>(*w.last_exit_code));
  }
}

// The families of the running workers only: a stopped worker has no process, start time or
// resources.
void RenderProcessFamilies(Exposition& out, const MetricsInput& input,
                           const std::vector<const engine::WorkerSnapshot*>& running) {
  out.Family("sup_worker_process", "gauge",
             "The worker's process id as a label (joins windows_exporter's process metrics); 1.");
  for (const engine::WorkerSnapshot* w : running)
    out.Sample("sup_worker_process",
               WorkerLabel(*w) + "," + Label("process_id", std::to_string(w->pid)), 1);
  out.Family("sup_worker_start_time_seconds", "gauge",
             "When the worker's process started, in seconds since the Unix epoch.");
  for (const engine::WorkerSnapshot* w : running) {
    const auto started = input.now - w->uptime;
    out.Sample("sup_worker_start_time_seconds", WorkerLabel(*w),
               std::chrono::duration<double>(started.time_since_epoch()).count());
  }
  const auto resource = [&](std::string_view name, std::string_view type, std::string_view help,
                            const auto& emit) {
    out.Family(name, type, help);
    for (const engine::WorkerSnapshot* w : running) {
      if (const auto found = input.resources.find(w->name); found != input.resources.end())
        emit(*w, found->second);
    }
  };
  resource("sup_worker_cpu_seconds_total", "counter",
           "CPU time of the worker's job since its process started, by mode.",
           [&](const engine::WorkerSnapshot& w, const ResourceSample& r) {
             out.Sample("sup_worker_cpu_seconds_total",
                        WorkerLabel(w) + "," + Label("mode", "user"), Seconds(r.cpu_user));
             out.Sample("sup_worker_cpu_seconds_total",
                        WorkerLabel(w) + "," + Label("mode", "kernel"), Seconds(r.cpu_kernel));
           });
  resource("sup_worker_working_set_bytes", "gauge", "Working set of the worker's processes.",
           [&](const engine::WorkerSnapshot& w, const ResourceSample& r) {
             out.Sample("sup_worker_working_set_bytes", WorkerLabel(w),
                        static_cast<double>(r.working_set_bytes));
           });
  resource("sup_worker_private_bytes", "gauge", "Private bytes of the worker's processes.",
           [&](const engine::WorkerSnapshot& w, const ResourceSample& r) {
             out.Sample("sup_worker_private_bytes", WorkerLabel(w),
                        static_cast<double>(r.private_bytes));
           });
  resource("sup_worker_processes", "gauge", "Processes in the worker's job.",
           [&](const engine::WorkerSnapshot& w, const ResourceSample& r) {
             out.Sample("sup_worker_processes", WorkerLabel(w), r.processes);
           });
  resource(
      "sup_worker_io_bytes_total", "counter",
      "Bytes the worker's job read and wrote since its process started.",
      [&](const engine::WorkerSnapshot& w, const ResourceSample& r) {
        out.Sample("sup_worker_io_bytes_total", WorkerLabel(w) + "," + Label("direction", "read"),
                   static_cast<double>(r.io_read_bytes));
        out.Sample("sup_worker_io_bytes_total", WorkerLabel(w) + "," + Label("direction", "write"),
                   static_cast<double>(r.io_write_bytes));
      });
}

}  // namespace

std::string RenderMetrics(const MetricsInput& input) {
  Exposition out;
  RenderDaemonFamilies(out, input);
  RenderWorkerFamilies(out, input);
  std::vector<const engine::WorkerSnapshot*> running;
  for (const engine::WorkerSnapshot& w : input.workers)
    if (w.pid != 0) running.push_back(&w);
  RenderProcessFamilies(out, input, running);
  return out.Take();
}

}  // namespace sup::control
