// supctl's `-o json` output, written with nlohmann-json: objects keep the order their keys were
// set in (ordered_json), so scripts and people see name, state, ... as documented.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sup::client {

using Json = nlohmann::ordered_json;

// One line of compact JSON. Bytes that are not UTF-8 (a worker's output in a code page) become
// U+FFFD instead of failing the whole output.
std::string JsonLine(const Json& value);

}  // namespace sup::client
