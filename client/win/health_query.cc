#include "client/win/health_query.h"

#include "client/win/supd_connection.h"
#include "common/protocol_client.h"

namespace sup::client::win {

Result<sup::v1::HealthCheckResponse> AskHealth(const std::string& pipe_name,
                                               const std::string& service,
                                               std::chrono::milliseconds timeout) {
  sup::v1::HealthRequest request;
  request.mutable_check()->set_service(service);
  HealthConnection connection;
  Result<sup::v1::HealthResponse> response = CallSupd(pipe_name, timeout, request, connection);
  if (!response) return response.error();
  return response->check();
}

}  // namespace sup::client::win
