// supctl's connection to supd's control or health pipe: connected, then checked that the process
// serving it is supd (client/server_trust.h) before any answer is believed.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "common/win/pipe_client.h"

namespace sup::client::win {

// Connects to \\.\pipe\<pipe_name> (PipeClient::Connect) and checks who serves it; a server that
// is not supd is kUnavailable, with a message that names the program and its pid.
Result<sup::win::PipeClient> ConnectToSupd(const std::string& pipe_name,
                                           std::chrono::milliseconds timeout);

}  // namespace sup::client::win
