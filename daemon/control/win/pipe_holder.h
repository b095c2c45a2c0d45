// Who serves a pipe name supd is about to create: a local user may create supd's well-known names
// (\\.\pipe\sup-control) while supd is down, and answer its clients. supd asks before it creates
// the first instance of a name (FILE_FLAG_FIRST_PIPE_INSTANCE refuses a taken name on Windows, but
// says nothing about who took it, and Wine does not enforce the flag), so it can refuse or wait
// for the name and say who holds it.
#pragma once

#include <optional>
#include <string>

namespace sup::win {

// Who serves \\.\pipe\<pipe_name> now: "pid 4242 (C:\\Users\\mallory\\squat.exe)", "pid 4242" when
// its program cannot be read, "a process that refused supd's connection" when its DACL keeps supd
// out; nullopt when nobody does. Connects as a client at identification level (the holder may
// learn that supd asked, never act as supd) and disconnects at once.
std::optional<std::string> PipeHolder(const std::string& pipe_name);

}  // namespace sup::win
