// supctl's global options: accepted anywhere on the command line, used by every command module.
#pragma once

#include <chrono>
#include <string>

#include "common/protocol.h"

namespace sup::client {

enum class OutputFormat { kTable, kJson };

struct GlobalOptions {
  std::string pipe = ControlPipeName();  // --pipe, else the configured ControlPipe
  std::string health_pipe;               // the same instance's (client/instance_pipes.h)
  OutputFormat output = OutputFormat::kTable;
  std::chrono::milliseconds timeout{10'000};
  bool timeout_given = false;  // --timeout on the line: the service commands wait 30 s otherwise

  bool json() const { return output == OutputFormat::kJson; }
};

}  // namespace sup::client
