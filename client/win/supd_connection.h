// supctl's connection to supd's control or health pipe: connected, then checked that the process
// serving it is supd (client/server_trust.h) before any answer is believed.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/protocol_client.h"
#include "common/result.h"
#include "common/win/pipe_client.h"

namespace sup::client::win {

// Connects to \\.\pipe\<pipe_name> (PipeClient::Connect) and checks who serves it; a server that
// is not supd is kUnavailable, with a message that names the program and its pid.
Result<sup::win::PipeClient> ConnectToSupd(const std::string& pipe_name,
                                           std::chrono::milliseconds timeout);

// A connection to supd and the protocol client on it; a stream reads on with client->Next().
template <typename Request, typename Response>
struct SupdConnection {
  std::unique_ptr<sup::win::PipeClient> pipe;
  std::unique_ptr<ProtocolClient<Request, Response>> client;
};

// Connects (ConnectToSupd) and makes `request` the connection's first call. While supd refuses
// the connection because this account holds its share of the pipe's connections
// (kResourceExhausted: other supctl streams of the same user, say; or the connection closed
// unanswered, which is how supd refuses an account that already has a refusal waiting), connects
// again every 100 ms until `timeout`, as a client of a busy pipe waits for a free instance.
template <typename Request, typename Response>
Result<Response> CallSupd(const std::string& pipe_name, std::chrono::milliseconds timeout,
                          const Request& request, SupdConnection<Request, Response>& connection);

using ControlConnection = SupdConnection<sup::v1::Request, sup::v1::Response>;
using HealthConnection = SupdConnection<sup::v1::HealthRequest, sup::v1::HealthResponse>;

}  // namespace sup::client::win
