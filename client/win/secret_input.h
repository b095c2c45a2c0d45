// Reading a password for `supctl worker set-password` so it never appears on a command line or a
// screen: typed at the console without echo (asked twice), or read from standard input (--stdin,
// for scripts: `Get-Content pw.txt | supctl worker set-password web --stdin`).
#pragma once

#include <string>

#include "common/result.h"

namespace sup::client::win {

// Asks `prompt` on the console with echo off, twice; different answers are an error. Without a
// console (input redirected) an error says to use --stdin.
Result<std::string> AskSecretTwice(const std::string& prompt);

// Standard input up to its end (or the first line end), without the line end. At most 1024 bytes.
Result<std::string> ReadSecretFromStdin();

// Overwrites `secret`'s characters before it goes.
void Wipe(std::string& secret);

}  // namespace sup::client::win
