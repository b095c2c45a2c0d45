// Each worker's own SID, made as Windows makes a service's: S-1-5-80- followed by the SHA-1 of
// the upper-cased name in UTF-16LE, read as five little-endian 32-bit sub-authorities. The name
// hashed is "SUP-<WORKER>", which no service has, so the SID is the worker's alone and the same
// on every machine: an admin grants a worker its data folder with
// `icacls D:\data /grant *S-1-5-80-...:M` before it first runs.
#pragma once

#include <string>
#include <string_view>

namespace sup {

// The SID of the service name `name` (as the SCM computes it; ASCII names, as sup's are).
std::string ServiceNameSid(std::string_view name);
// The SID of the worker `worker` (a valid worker name: ASCII).
std::string WorkerSid(std::string_view worker);

}  // namespace sup
