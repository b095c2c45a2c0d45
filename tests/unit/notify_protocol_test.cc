// The notify pipe's lines, as supd reads them and supctl notify writes them.
#include "common/notify_protocol.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

TEST(NotifyProtocolTest, TheFourMessagesAreRead) {
  EXPECT_EQ(*ParseNotifyLine("READY=1"), (NotifyMessage{NotifyKind::kReady, ""}));
  EXPECT_EQ(*ParseNotifyLine("WATCHDOG=1"), (NotifyMessage{NotifyKind::kWatchdog, ""}));
  EXPECT_EQ(*ParseNotifyLine("STOPPING=1"), (NotifyMessage{NotifyKind::kStopping, ""}));
  EXPECT_EQ(*ParseNotifyLine("STATUS=42 jobs done, 3 queued"),
            (NotifyMessage{NotifyKind::kStatus, "42 jobs done, 3 queued"}));
  EXPECT_EQ(*ParseNotifyLine("STATUS="), (NotifyMessage{NotifyKind::kStatus, ""}));
  EXPECT_EQ(ParseNotifyLine("STATUS=a=b")->status, "a=b");  // the first '=' splits
}

TEST(NotifyProtocolTest, StatusTextStaysOnOneLine) {
  EXPECT_EQ(ParseNotifyLine("STATUS=a\tb\x1b[31mred")->status, "a b [31mred");
  EXPECT_EQ(NotifyLine({NotifyKind::kStatus, "two\nlines"}), "STATUS=two lines\n");
}

TEST(NotifyProtocolTest, AnythingElseIsRefusedSayingWhy) {
  EXPECT_EQ(ParseNotifyLine("READY=2").error().message(), "\"READY=2\": READY takes 1");
  EXPECT_EQ(ParseNotifyLine("ready=1").error().message(),
            "\"ready=1\": not one of READY, WATCHDOG, STATUS, STOPPING");
  EXPECT_EQ(ParseNotifyLine("READY").error().message(), "\"READY\": not KEY=VALUE");
  EXPECT_EQ(ParseNotifyLine("").error().message(), "\"\": not KEY=VALUE");
  const std::string huge = "STATUS=" + std::string(kMaxNotifyLineBytes, 'x');
  EXPECT_EQ(ParseNotifyLine(huge).error().message(),
            "\"STATUS=" + std::string(57, 'x') + "...\": longer than 4096 bytes");
}

TEST(NotifyProtocolTest, WhatIsWrittenReadsBack) {
  for (const NotifyMessage& message :
       {NotifyMessage{NotifyKind::kReady, ""}, NotifyMessage{NotifyKind::kWatchdog, ""},
        NotifyMessage{NotifyKind::kStopping, ""}, NotifyMessage{NotifyKind::kStatus, "ok"}}) {
    std::string line = NotifyLine(message);
    ASSERT_EQ(line.back(), '\n');
    line.pop_back();
    EXPECT_EQ(*ParseNotifyLine(line), message);
  }
}

}  // namespace
}  // namespace sup
