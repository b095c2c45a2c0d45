#include "client/json.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

TEST(JsonTest, KeysKeepTheOrderTheyWereSetIn) {
  Json value;
  value["name"] = "api";
  value["state"] = "RUNNING";
  value["a"] = Json::array({-1, 1, true, nullptr});
  EXPECT_EQ(JsonLine(value), "{\"name\":\"api\",\"state\":\"RUNNING\",\"a\":[-1,1,true,null]}\n");
}

TEST(JsonTest, EscapesStringsAndReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(JsonLine(Json::array({"q\"b\\n\n\t\x01 é"})), "[\"q\\\"b\\\\n\\n\\t\\u0001 é\"]\n");
  // "café" in code page 1252: the é is one byte 0xE9, not UTF-8.
  EXPECT_EQ(JsonLine(Json::array({"caf\xe9"})), "[\"caf\xef\xbf\xbd\"]\n");
}

}  // namespace
}  // namespace sup::client
