// Worker output in replies that fit the frame limit (MaxFrameBytes): a worker printing 60 000-byte
// lines must not make `describe` or `logs` a frame supd cannot send. Very long lines are cut with
// a marker saying how much was cut; a tail drops its oldest lines first and says so in a first
// line; a followed chunk is split over several frames, dropping nothing. The log files keep
// everything. Pure code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sup::control {

// The longest line a reply carries whole (the rest is cut with a marker).
inline constexpr std::size_t kMaxReplyLineBytes = 16 * 1024;

// What a line costs in a reply besides its bytes: the field tag and its length (a varint).
inline constexpr std::size_t kLineOverheadBytes = 6;

// `line` cut to at most `max_bytes` (not splitting a UTF-8 character), with " [... N bytes cut]"
// appended when anything was cut. A line that fits is returned as it is.
std::string CutLine(std::string_view line, std::size_t max_bytes = kMaxReplyLineBytes);

// The newest of `lines` that fit `budget` bytes (each line cut first), oldest first; when older
// lines are left out, the first line says how many. Never more than `budget`, even if that leaves
// only part of the newest line.
std::vector<std::string> FitTail(std::vector<std::string> lines, std::size_t budget);

// Every line of `lines` (each cut first), in order, grouped so that each group fits `budget`.
std::vector<std::vector<std::string>> SplitToFit(std::vector<std::string> lines,
                                                 std::size_t budget);

}  // namespace sup::control
