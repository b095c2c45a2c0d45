// Engine snapshots in the sup.v1 protocol's terms, for Status replies.
#pragma once

#include "daemon/core/supervisor.h"
#include "sup/v1/control.pb.h"

namespace sup::core {

sup::v1::WorkerStatus ToWireStatus(const WorkerSnapshot& snapshot);

// An engine event with its wall-clock time, worked out from `clock` (events carry steady time).
sup::v1::Event ToWireEvent(const Event& event, const Clock& clock);

}  // namespace sup::core
