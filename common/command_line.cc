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
  const auto is_path = [](std::string_view piece) {
    return piece.find_first_of("\\/") != std::string_view::npos;
  };
  const auto quoted = [&](std::size_t program_end) {
    return QuoteWindowsArgument(command.substr(start, program_end - start)) +
           std::string(command.substr(program_end));
  };
  // Without an extension: a path that goes on in a later piece ("C:\Program Files\app") is as
  // ambiguous (CreateProcess tries C:\Program.exe first); the program ends with that piece.
  bool first_is_path = false;
  std::size_t path_end = 0;  // the end of the last later piece that is a path
  std::size_t end = start;
  for (bool first = true;; first = false) {
    std::size_t piece_start = end;
    while (piece_start < command.size() && IsBlank(command[piece_start])) ++piece_start;
    const bool argument = piece_start == command.size() ||
                          (!first && (command[piece_start] == '-' || command[piece_start] == '/' ||
                                      command[piece_start] == '"'));
    if (argument) {
      if (first_is_path && path_end > 0) return quoted(path_end);
      return std::nullopt;
    }
    std::size_t piece_end = piece_start;
    while (piece_end < command.size() && !IsBlank(command[piece_end])) ++piece_end;
    const std::string_view piece = command.substr(piece_start, piece_end - piece_start);
    if (EndsWithProgramExtension(piece)) {
      if (first) return std::nullopt;  // the program is the first piece: no space in it
      return quoted(piece_end);
    }
    if (first) first_is_path = is_path(piece);
    if (!first && is_path(piece)) path_end = piece_end;
    end = piece_end;
  }
}

}  // namespace sup
