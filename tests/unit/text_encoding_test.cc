#include "common/text_encoding.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

const std::string kFffd(kReplacementCharacter);

TEST(TextEncodingTest, ValidUtf8StaysAsItIs) {
  for (std::string_view text : {"", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC 5",
                                "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
    EXPECT_EQ(ToValidUtf8(text), text);
  }
}

TEST(TextEncodingTest, ACodePageByteBecomesOneReplacementCharacter) {
  EXPECT_FALSE(IsValidUtf8("caf\xE9"));
  EXPECT_EQ(ToValidUtf8("caf\xE9"), "caf" + kFffd);
  EXPECT_EQ(ToValidUtf8("\xE9t\xE9"), kFffd + "t" + kFffd);
}

TEST(TextEncodingTest, MaximalSubpartsAreReplacedAsUnicodeRecommends) {
  // A truncated sequence is one U+FFFD, whether at the end or before another character.
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), kFffd);
  EXPECT_EQ(ToValidUtf8("\xE2\x82"
                        "A"),
            kFffd + "A");
  EXPECT_EQ(ToValidUtf8("\xF0\x9F\x98"), kFffd);
  // Overlong forms, surrogates and values above U+10FFFF: every byte on its own.
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\xE0\x80\xAF"), kFffd + kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\xFF\xFE"), kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\x80"
                        "abc"),
            kFffd + "abc");
  for (std::string_view bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\xE2\x82"})
    EXPECT_FALSE(IsValidUtf8(bad));
}

TEST(TextEncodingTest, APrefixNeverSplitsACharacter) {
  EXPECT_EQ(Utf8Prefix("a\xC3\xA9z", 2), "a");
  EXPECT_EQ(Utf8Prefix("a\xC3\xA9z", 3), "a\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x98\x80", 3), "");
  EXPECT_EQ(Utf8Prefix("short", 100), "short");
}

}  // namespace
}  // namespace sup
