// One Check on a supd health pipe, for `supctl health` and for the service commands that must
// know supd answers (start, set, status).
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "sup/v1/health.pb.h"

namespace sup::client::win {

// The health of `service` ("" for supd as a whole) on the pipe `pipe_name`: its serving status,
// and supd's own reason when it has one; an error if supd cannot be reached within `timeout` or
// answers with one (NOT_FOUND for an unknown worker).
Result<sup::v1::HealthCheckResponse> AskHealth(const std::string& pipe_name,
                                               const std::string& service,
                                               std::chrono::milliseconds timeout);

}  // namespace sup::client::win
