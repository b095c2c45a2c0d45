#include "client/instance_pipes.h"

namespace sup::client {
namespace {

constexpr std::string_view kPipeFolder = "\\\\.\\pipe\\";
constexpr std::string_view kControlSuffix = "-control";

}  // namespace

std::string HealthPipeFor(std::string_view control_pipe, const DaemonConfig& configured) {
  std::string_view folder;
  if (control_pipe.starts_with(kPipeFolder)) {
    folder = kPipeFolder;
    control_pipe.remove_prefix(kPipeFolder.size());
  }
  if (control_pipe == configured.control_pipe) return std::string(folder) + configured.health_pipe;
  if (control_pipe.size() > kControlSuffix.size() && control_pipe.ends_with(kControlSuffix)) {
    control_pipe.remove_suffix(kControlSuffix.size());
    return std::string(folder) + std::string(control_pipe) + "-health";
  }
  return std::string(folder) + configured.health_pipe;
}

}  // namespace sup::client
