#include "client/json.h"

namespace sup::client {

std::string JsonLine(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sup::client
