#include "daemon/control/reply_fit.h"

#include <gtest/gtest.h>

#include <numeric>

#include "common/text_encoding.h"

namespace sup::control {
namespace {

std::size_t Cost(const std::vector<std::string>& lines) {
  return std::accumulate(lines.begin(), lines.end(), std::size_t{0},
                         [](std::size_t sum, const std::string& line) {
                           return sum + line.size() + kLineOverheadBytes;
                         });
}

TEST(ReplyFitTest, ALongLineIsCutWithAMarkerSayingHowMuch) {
  const std::string line(60'000, 'x');
  const std::string cut = CutLine(line, 1000);
  EXPECT_LE(cut.size(), 1000u);
  const std::string marker = " [... 59022 bytes cut]";  // 978 bytes kept, then the marker
  EXPECT_EQ(cut.size(), 978u + marker.size());
  EXPECT_EQ(cut.substr(978), marker);
  EXPECT_EQ(cut.find_first_not_of('x'), 978u);
  EXPECT_EQ(CutLine("short", 1000), "short");
}

TEST(ReplyFitTest, ACutNeverSplitsACharacter) {
  std::string line;
  for (int i = 0; i < 1000; ++i) line += "\xC3\xA9";  // é, two bytes each
  const std::string cut = CutLine(line, 101);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_LE(cut.size(), 101u);
}

TEST(ReplyFitTest, ATailDropsItsOldestLinesAndSaysHowMany) {
  std::vector<std::string> lines;
  for (int i = 0; i < 20; ++i) lines.push_back("line " + std::to_string(i) + std::string(90, '.'));
  const std::vector<std::string> fitted = FitTail(lines, 1000);
  EXPECT_LE(Cost(fitted), 1000u);
  ASSERT_GE(fitted.size(), 3u);
  EXPECT_EQ(fitted.back(), lines.back());  // the newest are kept
  const std::size_t kept = fitted.size() - 1;
  EXPECT_EQ(fitted.front(), "[... " + std::to_string(20 - kept) +
                                " older lines left out to fit the reply; the log file has them]");
  EXPECT_EQ(fitted[1], lines[20 - kept]);
  // Everything fits: nothing is said.
  EXPECT_EQ(FitTail({"a", "b"}, 1000), (std::vector<std::string>{"a", "b"}));
}

TEST(ReplyFitTest, LongLinesAreCutBeforeAnyLineIsLeftOut) {
  // 20 lines of 60 000 bytes (1.2 MB) in a 1 MiB reply: every line stays, each cut to 16 KiB.
  const std::vector<std::string> fitted =
      FitTail(std::vector<std::string>(20, std::string(60'000, 'z')), 1024 * 1024 - 64);
  ASSERT_EQ(fitted.size(), 20u);
  for (const std::string& line : fitted) {
    EXPECT_LE(line.size(), kMaxReplyLineBytes);
    EXPECT_NE(line.find("bytes cut]"), std::string::npos);
  }
}

TEST(ReplyFitTest, ATailOfOneHugeLineKeepsWhatFits) {
  const std::vector<std::string> fitted = FitTail({std::string(70'000, 'y')}, 4000);
  ASSERT_EQ(fitted.size(), 1u);
  EXPECT_LE(Cost(fitted), 4000u);
  EXPECT_NE(fitted[0].find("bytes cut]"), std::string::npos);
  EXPECT_TRUE(FitTail({"anything"}, 3).empty());  // not even the field itself fits
}

TEST(ReplyFitTest, FollowedLinesAreSplitOverFramesAndNoneIsLost) {
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) lines.push_back(std::to_string(i) + std::string(100, '-'));
  const std::vector<std::vector<std::string>> groups = SplitToFit(lines, 1000);
  ASSERT_GT(groups.size(), 1u);
  std::vector<std::string> joined;
  for (const auto& group : groups) {
    EXPECT_LE(Cost(group), 1000u);
    joined.insert(joined.end(), group.begin(), group.end());
  }
  EXPECT_EQ(joined, lines);
}

}  // namespace
}  // namespace sup::control
