// Which pipes belong to the supd instance supctl talks to: the one rule every command uses.
// Portable string code, unit-tested natively.
#pragma once

#include <string>
#include <string_view>

#include "common/config/config_model.h"

namespace sup::client {

// The control pipe is --pipe, or without it the ControlPipe value of the default configuration key.
// `configured` is that key's daemon values (the defaults when the key cannot be read).
//
// The health pipe of the instance whose control pipe is `control_pipe`: the configured HealthPipe
// when that is the configured instance (its HealthPipe may be set apart from its ControlPipe);
// else, for "<P>-control" (an instance started with --pipe-prefix P), "<P>-health"; else the
// configured HealthPipe. A name given with its
// \\.\pipe\ prefix gets one too.
std::string HealthPipeFor(std::string_view control_pipe, const DaemonConfig& configured);

}  // namespace sup::client
