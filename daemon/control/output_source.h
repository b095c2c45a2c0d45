// Workers' captured output, for Describe and Logs: the control plane's port (the engine never
// reads output). daemon/output/win/output_store implements it; tests use a fake.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/fanout.h"
#include "common/result.h"

namespace sup::control {

enum class OutputStream { kStdout, kStderr };

class OutputSource {
 public:
  virtual ~OutputSource() = default;
  // The last `lines` lines kept in memory, oldest first; an error naming why there are none (no
  // such worker, or that stream is not captured).
  virtual Result<std::vector<std::string>> Tail(const std::string& worker, OutputStream stream,
                                                std::size_t lines) const = 0;
  // What is failing with the worker's log files now ("stdout: log rotation failing since ...:
  // sharing violation"), or nullopt: shown in status descriptions and describe.
  virtual std::optional<std::string> Problem(const std::string& worker) const = 0;
  // Every line from now on, as it is written: the lines of each chunk read, together. `on_end`
  // is called once if the stream ends for good: the worker was removed, or the stream now goes
  // to another file (or none). Restarts of the worker do not end it.
  virtual Result<Subscription> Follow(const std::string& worker, OutputStream stream,
                                      std::function<void(const std::vector<std::string>&)> on_lines,
                                      std::function<void()> on_end) = 0;
};

}  // namespace sup::control
