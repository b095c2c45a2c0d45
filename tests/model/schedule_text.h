// Schedules as text, one step per line, so that a failing schedule, shrunk, can be kept in a file
// and replayed by every later run (tests/model/regressions/): a seed stops meaning anything once
// the generator changes, a schedule does not.
//
//   # what it found (lines starting with # are comments)
//   reload 0 0 - {"daemon":{},"workers":{"a":{"Command":"a.exe"}}}
//   stop 0 0 a,b
//   exit 1 0 c
//   advance 5000 0 -
//
// Each line: the kind, the number, success (0 or 1), the workers (comma-separated, "-" for none:
// all, for a command), and for a reload the configuration as `supctl config export` writes JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engine_model.h"

namespace sup::model {

std::string ScheduleToText(const std::vector<Step>& schedule);
// The schedule `text` holds; an error names the line that is not a step.
Result<std::vector<Step>> ScheduleFromText(std::string_view text);

}  // namespace sup::model
