#include "common/msi_import_command.h"

namespace sup {
namespace {

bool IsSlash(char c) { return c == '\\' || c == '/'; }

// "C:..." (a drive) or "\..." (the root of the current drive): not taken from SourceDir.
bool IsAbsolute(std::string_view path) {
  return (path.size() >= 2 && path[1] == ':') || (!path.empty() && IsSlash(path[0]));
}

Error Refused(std::string_view value, std::string_view why) {
  return Error(ErrorKind::kInvalidArgument,
               "CONFIG_FILE=" + std::string(value) + " is refused: " + std::string(why));
}

}  // namespace

Result<std::vector<std::string>> MsiImportCommand(std::string_view action_data) {
  const std::size_t first = action_data.find('|');
  const std::size_t second =
      first == std::string_view::npos ? first : action_data.find('|', first + 1);
  if (second == std::string_view::npos || first == 0) {
    return Error(ErrorKind::kInternal,
                 "the package is broken: its import action was not given supctl's path, the "
                 "package's folder and CONFIG_FILE");
  }
  const std::string_view supctl = action_data.substr(0, first);
  const std::string_view source_dir = action_data.substr(first + 1, second - first - 1);
  const std::string_view value = action_data.substr(second + 1);
  if (value.empty()) return Refused(value, "it is empty: give the path of a .reg or .json file");
  if (value[0] == '-') {
    return Refused(value,
                   "it begins with '-', which supctl would read as an option: give the path of a "
                   ".reg or .json file");
  }
  if (value.size() >= 2 && IsSlash(value[0]) && IsSlash(value[1])) {
    return Refused(value,
                   "it is a network or device path; the installer reads it as this computer's "
                   "account, which would authenticate to that host: copy the file to a local "
                   "folder only administrators may write");
  }
  if (value.size() >= 4 && IsSlash(value[0]) && value[1] == '?' && value[2] == '?' &&
      IsSlash(value[3])) {
    return Refused(value, "it is an NT path: give a path such as C:\\deploy\\workers.reg");
  }
  std::string path(value);
  if (!IsAbsolute(value)) {
    if (source_dir.empty())
      return Refused(value, "it is relative, and the package's folder is not known");
    path = std::string(source_dir);
    if (!IsSlash(path.back())) path += '\\';
    path += value;
    // SourceDir is where msiexec read the package from, chosen by the administrator who
    // started the install: a share there is theirs, not CONFIG_FILE's choice.
  }
  return std::vector<std::string>{std::string(supctl), "config", "import", path};
}

}  // namespace sup
