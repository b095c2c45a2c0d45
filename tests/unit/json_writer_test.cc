#include "client/json_writer.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

TEST(JsonWriterTest, WritesNestedContainersWithCommas) {
  JsonWriter json;
  json.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Uint(1).Bool(true).Null().EndArray();
  json.Key("c").BeginObject().EndObject().EndObject();
  EXPECT_EQ(json.str(), R"({"a":-1,"b":[1,true,null],"c":{}})");
}

TEST(JsonWriterTest, EscapesStrings) {
  JsonWriter json;
  json.BeginArray().String("q\"b\\n\n\t\x01 é").EndArray();
  EXPECT_EQ(json.str(), "[\"q\\\"b\\\\n\\n\\t\\u0001 é\"]");
}

}  // namespace
}  // namespace sup::client
