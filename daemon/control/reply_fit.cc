#include "daemon/control/reply_fit.h"

#include <algorithm>

#include "common/text_encoding.h"

namespace sup::control {
namespace {

std::string CutMarker(std::size_t cut) { return " [... " + std::to_string(cut) + " bytes cut]"; }

std::string LeftOutLine(std::size_t count) {
  return "[... " + std::to_string(count) + (count == 1 ? " older line" : " older lines") +
         " left out to fit the reply; the log file has them]";
}

std::size_t Cost(const std::string& line) { return line.size() + kLineOverheadBytes; }

// The line cut so that it costs at most `budget`, or "" if not even a marker fits.
std::string CutToCost(const std::string& line, std::size_t budget) {
  if (Cost(line) <= budget) return line;
  if (budget <= kLineOverheadBytes) return {};
  return CutLine(line, budget - kLineOverheadBytes);
}

}  // namespace

std::string CutLine(std::string_view line, std::size_t max_bytes) {
  if (line.size() <= max_bytes) return std::string(line);
  // The marker's own length depends on the number it shows: size it for the largest cut.
  const std::size_t marker = CutMarker(line.size()).size();
  if (max_bytes <= marker) return std::string(Utf8Prefix(line, max_bytes));
  const std::string_view kept = Utf8Prefix(line, max_bytes - marker);
  return std::string(kept) + CutMarker(line.size() - kept.size());
}

std::vector<std::string> FitTail(std::vector<std::string> lines, std::size_t budget) {
  for (std::string& line : lines) line = CutLine(line);
  std::size_t used = 0;
  std::size_t first = lines.size();  // lines[first..] are kept
  while (first > 0 && used + Cost(lines[first - 1]) <= budget) used += Cost(lines[--first]);
  if (first == lines.size() && !lines.empty()) {
    // Not even the newest line fits whole: as much of it as fits.
    std::string newest = CutToCost(lines.back(), budget);
    return newest.empty() ? std::vector<std::string>{} : std::vector<std::string>{newest};
  }
  std::vector<std::string> kept(std::make_move_iterator(lines.begin() + first),
                                std::make_move_iterator(lines.end()));
  if (first > 0) {
    // Make room for the line that says what was left out, dropping more if needed.
    std::size_t left_out = first;
    while (!kept.empty() && used + Cost(LeftOutLine(left_out)) > budget) {
      used -= Cost(kept.front());
      kept.erase(kept.begin());
      ++left_out;
    }
    if (used + Cost(LeftOutLine(left_out)) <= budget)
      kept.insert(kept.begin(), LeftOutLine(left_out));
  }
  return kept;
}

std::vector<std::vector<std::string>> SplitToFit(std::vector<std::string> lines,
                                                 std::size_t budget) {
  std::vector<std::vector<std::string>> groups;
  std::size_t used = 0;
  for (std::string& line : lines) {
    std::string cut = CutToCost(CutLine(line), budget);
    if (groups.empty() || used + Cost(cut) > budget) {
      groups.emplace_back();
      used = 0;
    }
    used += Cost(cut);
    groups.back().push_back(std::move(cut));
  }
  return groups;
}

}  // namespace sup::control
