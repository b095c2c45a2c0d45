// Reading security descriptors back, for tests: the entries of a DACL with generic rights mapped
// to a file's (and pipe's) specific rights, as Windows maps them when it creates the object.
// Wine keeps descriptors and returns them but enforces none, so these are what Wine can show.
#pragma once

#include <windows.h>

#include <string>
#include <utility>
#include <vector>

namespace sup::testing {

// (SID as a string, mapped access mask), one per ACE, in order. A deny entry's SID reads
// "deny S-1-...", another kind "type N S-1-...": only allow entries are bare SIDs.
using AccessEntries = std::vector<std::pair<std::string, ACCESS_MASK>>;

AccessEntries DaclEntries(PSECURITY_DESCRIPTOR descriptor);
// The DACL of an SDDL string; empty if it does not parse.
AccessEntries SddlDacl(const std::string& sddl);
// The DACL a client reads from a pipe with GetSecurityInfo.
AccessEntries PipeDacl(const std::string& pipe_name);
// The DACL of a kernel object handle (opened with READ_CONTROL).
AccessEntries HandleDacl(HANDLE handle);
// The DACL of a file or folder.
AccessEntries FileDacl(const std::string& path);

}  // namespace sup::testing
