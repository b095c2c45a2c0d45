// The MSI's configuration import (CONFIG_FILE) as the custom action DLL runs it. What msiexec's
// command line gives is data, never arguments: whoever runs msiexec chooses CONFIG_FILE, and the
// import runs as SYSTEM, so the value becomes exactly one argument of `supctl config import`, or
// the install fails saying why. Portable string code, unit-tested natively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sup {

// The ImportConfig action's CustomActionData, "<supctl.exe>|<SourceDir>|<CONFIG_FILE>" (the
// package sets it: neither a program path nor a folder holds '|', so everything after the second
// '|' is CONFIG_FILE, whatever it holds), as supctl's arguments: {supctl, "config", "import",
// path}. A relative CONFIG_FILE is taken from SourceDir (the MSI's folder: the installer runs
// elsewhere than msiexec's current folder). Refused, with a message for the install log:
//  - an empty value, or one beginning with '-' (it would be read as an option: "--replace");
//  - a network path (\\host\share\x.reg, //host/..., \\?\UNC\...) or a device or NT path
//    (\\.\, \\?\, \??\): reading it as SYSTEM makes the computer's account authenticate to that
//    host, and whoever answers chooses the workers that run as SYSTEM;
//  - data that is not the package's shape (a broken package).
Result<std::vector<std::string>> MsiImportCommand(std::string_view action_data);

}  // namespace sup
