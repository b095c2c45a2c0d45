// `supctl top`: every worker's state and resources, refreshed every interval until q or Ctrl+C,
// like top, pm2 monit and docker stats. `--once` prints one frame (for scripts; with -o json, the
// status document). Output that is not a console gets one frame after another.
#pragma once

#include <chrono>

#include "client/global_options.h"
#include "client/render.h"

namespace sup::client::win {

struct TopOptions {
  bool once = false;
  TopSort sort = TopSort::kCpu;
  std::chrono::milliseconds interval{2000};
};

int RunTop(const GlobalOptions& options, const TopOptions& top);

}  // namespace sup::client::win
