#include "common/command_line.h"

#include <cctype>

namespace sup {

std::string QuoteWindowsArgument(std::string_view argument) {
  if (!argument.empty() && argument.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(argument);
  }
  // Backslashes are literal except before a quote: there 2n (+1 for an escaped quote) stand for n.
  std::string quoted = "\"";
  std::size_t backslashes = 0;
  for (char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      quoted.append(backslashes * 2 + 1, '\\');
    } else {
      quoted.append(backslashes, '\\');
    }
    backslashes = 0;
    quoted += c;
  }
  quoted.append(backslashes * 2, '\\');  // they precede the closing quote
  quoted += '"';
  return quoted;
}

std::string JoinWindowsCommandLine(const std::vector<std::string>& arguments) {
  std::string line;
  for (const std::string& argument : arguments) {
    if (!line.empty()) line += ' ';
    line += QuoteWindowsArgument(argument);
  }
  return line;
}

namespace {

bool EndsWithProgramExtension(std::string_view piece) {
  if (piece.size() < 4) return false;
  std::string extension(piece.substr(piece.size() - 4));
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".exe" || extension == ".com" || extension == ".bat" || extension == ".cmd";
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::optional<std::string> QuoteAmbiguousProgram(std::string_view command) {
  std::size_t start = 0;
  while (start < command.size() && IsBlank(command[start])) ++start;
  if (start == command.size() || command[start] == '"') return std::nullopt;
  std::size_t end = start;
  for (bool first = true;; first = false) {
    std::size_t piece_start = end;
    while (piece_start < command.size() && IsBlank(command[piece_start])) ++piece_start;
    if (piece_start == command.size()) return std::nullopt;
    const char lead = command[piece_start];
    if (!first && (lead == '-' || lead == '/' || lead == '"')) return std::nullopt;
    std::size_t piece_end = piece_start;
    while (piece_end < command.size() && !IsBlank(command[piece_end])) ++piece_end;
    if (EndsWithProgramExtension(command.substr(piece_start, piece_end - piece_start))) {
      if (first) return std::nullopt;  // the program is the first piece: no space in it
      return QuoteWindowsArgument(command.substr(start, piece_end - start)) +
             std::string(command.substr(piece_end));
    }
    end = piece_end;
  }
}

}  // namespace sup
