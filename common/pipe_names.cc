#include "common/pipe_names.h"

#include "common/case_insensitive.h"

namespace sup {
namespace {

constexpr std::string_view kPipeRoot = "\\\\.\\pipe\\";
constexpr std::string_view kProtectedPrefixes[] = {
    kAdministratorsPipePrefix, kNetworkServicePipePrefix, kLocalServicePipePrefix};

}  // namespace

std::optional<std::string> ProtectedPipeName(std::string_view pipe_name, PipeCreator creator) {
  switch (creator) {
    case PipeCreator::kAdministrator:
      return std::string(kAdministratorsPipePrefix) + std::string(pipe_name);
    case PipeCreator::kNetworkService:
      return std::string(kNetworkServicePipePrefix) + std::string(pipe_name);
    case PipeCreator::kLocalService:
      return std::string(kLocalServicePipePrefix) + std::string(pipe_name);
    case PipeCreator::kOther: break;
  }
  return std::nullopt;
}

std::vector<std::string> PipeNamesToTry(std::string_view given) {
  if (given.starts_with(kPipeRoot)) return {std::string(given.substr(kPipeRoot.size()))};
  if (given.find('\\') != std::string_view::npos) return {std::string(given)};
  std::vector<std::string> names;
  for (std::string_view prefix : kProtectedPrefixes)
    names.push_back(std::string(prefix) + std::string(given));
  names.emplace_back(given);
  return names;
}

bool IsProtectedPipeName(std::string_view pipe_name) {
  if (pipe_name.starts_with(kPipeRoot)) pipe_name.remove_prefix(kPipeRoot.size());
  // The named-pipe file system compares names without regard to case.
  for (std::string_view prefix : kProtectedPrefixes) {
    if (pipe_name.size() > prefix.size() && StartsWithIgnoringCase(pipe_name, prefix)) return true;
  }
  return false;
}

std::string InstancePipeName(std::string_view pipe_name) {
  const std::size_t last = pipe_name.find_last_of('\\');
  return std::string(last == std::string_view::npos ? pipe_name : pipe_name.substr(last + 1));
}

}  // namespace sup
