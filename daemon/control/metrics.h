// supd's Prometheus metrics in the text exposition format 0.0.4, for windows_exporter's textfile
// collector and (later) an HTTP /metrics: one portable renderer for both. Names after Prometheus'
// conventions: `sup_` prefix, base units (seconds, bytes), `_total` counters, a `worker` label;
// a pid only in `sup_worker_process{process_id}`, which joins windows_exporter's per-process
// metrics to a worker (its `process` collector cannot tell apart workers sharing an image). No
// timestamps (windows_exporter refuses them). Pure: the caller gathers what is rendered.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "daemon/control/resource_source.h"
#include "daemon/engine/worker_snapshot.h"

namespace sup::control {

struct MetricsInput {
  std::string version;                              // sup_build_info
  std::vector<engine::WorkerSnapshot> workers;      // every configured worker
  std::map<std::string, ResourceSample> resources;  // the running ones
  std::chrono::system_clock::time_point now;        // for start times
  bool last_reload_successful = true;
  // Control requests answered, by (verb, result).
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests;
};

std::string RenderMetrics(const MetricsInput& input);

// A label value with \, " and line breaks escaped as the format requires.
std::string EscapeLabelValue(std::string_view value);

}  // namespace sup::control
