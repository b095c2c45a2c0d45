#include "common/pipe_names.h"

#include <cctype>

#include "common/case_insensitive.h"

namespace sup {
namespace {

constexpr std::string_view kPipeRoot = "\\\\.\\pipe\\";
constexpr std::string_view kProtectedPrefixes[] = {
    kAdministratorsPipePrefix, kNetworkServicePipePrefix, kLocalServicePipePrefix};

}  // namespace

std::optional<std::string> PipeNameProblem(std::string_view name, std::size_t max_chars) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  if (name.empty() || name.size() > max_chars)
    return quoted + " is not 1 to " + std::to_string(max_chars) + " characters long";
  if (name.find('\\') != std::string_view::npos) return quoted + " contains a backslash";
  return std::nullopt;
}

std::optional<std::string> PipePrefixProblem(std::string_view prefix) {
  for (char c : prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return "\"" + std::string(prefix) + "\" may only contain letters, digits, '.', '_' and '-'";
  }
  const std::size_t longest = std::max(ControlPipeName("").size(), HealthPipeName("").size());
  if (prefix.empty() || prefix.size() + longest > kMaxServedPipeNameChars) {
    return "\"" + std::string(prefix) + "\" is not 1 to " +
           std::to_string(kMaxServedPipeNameChars - longest) + " characters long";
  }
  return std::nullopt;
}

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
