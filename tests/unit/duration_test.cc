#include "client/duration.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30'000));
  EXPECT_EQ(*ParseDuration("2m"), milliseconds(120'000));
  EXPECT_EQ(*ParseDuration("7"), milliseconds(7'000));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(DurationTest, RefusesMalformedAndAbsurdValues) {
  for (const char* text :
       {"", "s", "-1s", "1.5s", "10h", "10 s", "abc", "99999999999s", "20000m"}) {
    Result<milliseconds> parsed = ParseDuration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find(std::string("\"") + text + "\""), std::string::npos);
  }
}

}  // namespace
}  // namespace sup::client
