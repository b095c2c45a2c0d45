// libFuzzer target: the engine model of tests/model driven from fuzz input. The bytes choose the
// schedule (configurations, commands, exits, probes, time), and every invariant the model checks
// after every step must hold. A failure aborts with the broken rule and the shrunk schedule.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "engine_model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sup::model::ByteChoices choices(data, size);
  const std::vector<sup::model::Step> schedule =
      sup::model::GenerateSchedule(choices, std::min<std::size_t>(60, 1 + size / 8));
  const std::optional<std::string> failure = sup::model::RunSchedule(schedule);
  if (!failure) return 0;
  const std::vector<sup::model::Step> shortest = sup::model::Shrink(schedule);
  std::fprintf(stderr, "engine model: %s\nshortest failing schedule:\n", failure->c_str());
  for (const sup::model::Step& step : shortest)
    std::fprintf(stderr, "  %s\n", step.ToString().c_str());
  std::abort();
}
