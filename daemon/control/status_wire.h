// Engine snapshots in the sup.v1 protocol's terms, for Status replies.
#pragma once

#include "daemon/engine/supervisor.h"
#include "sup/v1/control.pb.h"

namespace sup::control {

sup::v1::WorkerStatus ToWireStatus(const engine::WorkerSnapshot& snapshot);

// An engine event with its wall-clock time, worked out from `clock` (events carry steady time).
sup::v1::Event ToWireEvent(const engine::Event& event, const Clock& clock);

}  // namespace sup::control
