// A loopback TCP port nobody listens on now, for a test worker's HTTP server or a probe that
// must find nothing: fixed numbers collide with whatever else runs on the machine.
#pragma once

namespace sup::testing {

int FreeTcpPort();

}  // namespace sup::testing
