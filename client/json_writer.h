// A minimal streaming JSON writer for supctl's `-o json` output: objects, arrays, strings with
// full escaping, integers and booleans. Keys appear in the order written, so output is stable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sup::client {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Uint(std::uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  void AppendQuoted(std::string_view text);

  std::string out_;
  // Per open container: whether it already has an element (to place commas).
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace sup::client
