#include "common/config/config_file.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "common/case_insensitive.h"

namespace sup::config {

namespace {

constexpr std::string_view kRegHeader = "Windows Registry Editor Version 5.00";

// UTF-8 <-> UTF-16 code units, for the .reg file and its hex(2)/hex(7) values. Anything that is
// not a valid character (a stray byte, an overlong or truncated sequence, a lone surrogate)
// becomes U+FFFD rather than an error, so what is read is always valid text and writing it back
// gives the same text.
std::u16string ToUtf16(std::string_view text) {
  std::u16string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80                    ? 1
                               : byte >= 0xC2 && byte <= 0xDF ? 2
                               : byte >= 0xE0 && byte <= 0xEF ? 3
                               : byte >= 0xF0 && byte <= 0xF4 ? 4
                                                              : 0;
    std::uint32_t code = length == 1   ? byte
                         : length == 2 ? byte & 0x1F
                         : length == 3 ? byte & 0x0F
                                       : byte & 0x07;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    valid =
        valid && code >= kSmallest[length] && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
    if (!valid) {
      out.push_back(u'\uFFFD');
      ++i;
      continue;
    }
    i += length;
    if (code >= 0x10000) {
      code -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (code >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (code & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(code));
    }
  }
  return out;
}

std::string ToUtf8(std::u16string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::uint32_t code = text[i];
    if (code >= 0xD800 && code < 0xDC00 && i + 1 < text.size() && text[i + 1] >= 0xDC00 &&
        text[i + 1] < 0xE000) {
      code = 0x10000 + ((code - 0xD800) << 10) + (text[++i] - 0xDC00);
    } else if (code >= 0xD800 && code < 0xE000) {
      code = 0xFFFD;  // a lone surrogate
    }
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }
  return out;
}

// ---- .reg writing ----

std::string Quoted(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// hex(N): the little-endian bytes of UTF-16 strings, each NUL-terminated.
std::string HexOfStrings(int type, const std::vector<std::string>& items, bool list_terminator) {
  std::u16string units;
  for (const std::string& item : items) {
    units += ToUtf16(item);
    units.push_back(u'\0');
  }
  if (list_terminator) units.push_back(u'\0');
  std::string hex = "hex(" + std::to_string(type) + "):";
  char byte[4];
  for (std::size_t i = 0; i < units.size(); ++i) {
    std::snprintf(byte, sizeof(byte), "%02x,", units[i] & 0xFF);
    hex += byte;
    std::snprintf(byte, sizeof(byte), "%02x,", units[i] >> 8);
    hex += byte;
  }
  hex.pop_back();  // the last comma
  return hex;
}

std::string RegValue(const RawValue& value) {
  char text[32];
  switch (value.type) {
    case RawType::kString: return Quoted(value.text);
    case RawType::kExpandString: return HexOfStrings(2, {value.text}, false);
    case RawType::kMultiString: return HexOfStrings(7, value.list, true);
    case RawType::kDword:
      std::snprintf(text, sizeof(text), "dword:%08x", static_cast<unsigned>(value.number));
      return text;
    case RawType::kQword: {
      std::string hex = "hex(b):";
      for (int i = 0; i < 8; ++i) {
        std::snprintf(text, sizeof(text), "%02x%s",
                      static_cast<unsigned>((value.number >> (8 * i)) & 0xFF), i < 7 ? "," : "");
        hex += text;
      }
      return hex;
    }
    case RawType::kOther: break;
  }
  return {};
}

void AppendKey(std::string& out, const std::string& key, const RawValues& values) {
  out += "\r\n[" + key + "]\r\n";
  for (const auto& [name, value] : values) {
    if (value.type == RawType::kOther) continue;  // nothing sup reads; not exported
    out += Quoted(name) + "=" + RegValue(value) + "\r\n";
  }
}

// ---- .reg reading ----

Error LineError(std::size_t line, const std::string& what) {
  return Error(ErrorKind::kInvalidArgument, "line " + std::to_string(line) + ": " + what);
}

// The bytes of `hex:..`-style data ("aa,bb,cc").
Result<std::vector<std::uint8_t>> HexBytes(std::string_view data, std::size_t line) {
  std::vector<std::uint8_t> bytes;
  std::size_t i = 0;
  while (i < data.size()) {
    while (i < data.size() && (data[i] == ',' || data[i] == ' ')) ++i;
    if (i >= data.size()) break;
    unsigned value = 0;
    int digits = 0;
    while (i < data.size() && std::isxdigit(static_cast<unsigned char>(data[i])) && digits < 2) {
      value = value * 16 + static_cast<unsigned>(
                               std::isdigit(static_cast<unsigned char>(data[i]))
                                   ? data[i] - '0'
                                   : std::tolower(static_cast<unsigned char>(data[i])) - 'a' + 10);
      ++i;
      ++digits;
    }
    if (digits == 0)
      return LineError(line, "\"" + std::string(data.substr(i, 8)) + "\" is not hex data");
    bytes.push_back(static_cast<std::uint8_t>(value));
  }
  return bytes;
}

std::vector<std::string> UnitsToStrings(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::string> items;
  std::u16string current;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    const char16_t unit = static_cast<char16_t>(bytes[i] | (bytes[i + 1] << 8));
    if (unit == u'\0') {
      if (current.empty()) break;  // the list's terminator: REG_MULTI_SZ holds no empty strings
      items.push_back(ToUtf8(current));
      current.clear();
    } else {
      current.push_back(unit);
    }
  }
  if (!current.empty()) items.push_back(ToUtf8(current));
  return items;
}

// "text" with \\ and \" escapes; `rest` is left after the closing quote.
std::optional<std::string> Unquote(std::string_view text, std::string_view& rest) {
  if (text.empty() || text[0] != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[++i];
    } else if (text[i] == '"') {
      rest = text.substr(i + 1);
      return out;
    } else {
      out += text[i];
    }
  }
  return std::nullopt;
}

Result<RawValue> ParseRegData(std::string_view data, std::size_t line) {
  std::string_view rest;
  if (std::optional<std::string> text = Unquote(data, rest)) return RawValue::String(*text);
  if (data == "-") return LineError(line, "deleting a value is not supported by import");
  if (data.starts_with("dword:")) {
    const std::string_view digits = data.substr(6);
    std::uint32_t number = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), number, 16);
    if (digits.size() != 8 || error != std::errc() || end != digits.data() + digits.size()) {
      return LineError(line, "dword:" + std::string(digits) + " is not 8 hex digits");
    }
    return RawValue::Dword(number);
  }
  unsigned type = 3;  // hex: is REG_BINARY
  std::size_t colon = 4;
  if (data.starts_with("hex(")) {
    const std::size_t close = data.find("):");
    if (close == std::string_view::npos) return LineError(line, "hex( without ):");
    const std::string_view digits = data.substr(4, close - 4);
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), type, 16);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return LineError(line, "hex(" + std::string(digits) + ") is not a registry type");
    }
    colon = close + 2;
  } else if (!data.starts_with("hex:")) {
    return LineError(line, "a value must be \"text\", dword:XXXXXXXX or hex(N):..");
  }
  Result<std::vector<std::uint8_t>> bytes = HexBytes(data.substr(colon), line);
  if (!bytes) return bytes.error();
  switch (type) {
    case 1:
    case 2: {
      std::vector<std::string> strings = UnitsToStrings(*bytes);
      RawValue value = RawValue::String(strings.empty() ? "" : strings.front());
      if (type == 2) value.type = RawType::kExpandString;
      return value;
    }
    case 7: return RawValue::MultiString(UnitsToStrings(*bytes));
    case 4:
    case 0xb: {
      std::uint64_t number = 0;
      for (std::size_t i = 0; i < bytes->size() && i < 8; ++i)
        number |= static_cast<std::uint64_t>((*bytes)[i]) << (8 * i);
      return type == 4 ? RawValue::Dword(static_cast<std::uint32_t>(number))
                       : RawValue::Qword(number);
    }
    default: return RawValue{RawType::kOther, {}, {}, 0};
  }
}

// Where a key of the file goes: the daemon's values, a worker's, a probe's, or nowhere.
struct KeyTarget {
  enum class Kind { kDaemon, kWorker, kProbe, kIgnored } kind = Kind::kIgnored;
  std::string worker;
  std::string probe;
};

Result<KeyTarget> LocateKey(std::string_view key, const std::string& root, std::size_t line) {
  if (key.size() < root.size() || !EqualsIgnoringCase(key.substr(0, root.size()), root) ||
      (key.size() > root.size() && key[root.size()] != '\\')) {
    return LineError(line, "the key [" + std::string(key) + "] is not below " + root);
  }
  std::vector<std::string> parts;
  std::string_view rest = key.substr(root.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the backslash
    const std::size_t slash = rest.find('\\');
    parts.emplace_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  KeyTarget target;
  if (parts.empty()) {
    target.kind = KeyTarget::Kind::kDaemon;
  } else if (EqualsIgnoringCase(parts[0], "State")) {
    target.kind = KeyTarget::Kind::kIgnored;  // operator intent, not configuration
  } else if (!EqualsIgnoringCase(parts[0], "Workers") || parts.size() > 4 ||
             (parts.size() >= 3 && !EqualsIgnoringCase(parts[2], "Probes"))) {
    return LineError(line, "the key [" + std::string(key) + "] is not part of sup's configuration");
  } else if (parts.size() == 2) {
    target = {KeyTarget::Kind::kWorker, parts[1], ""};
  } else if (parts.size() == 4) {
    target = {KeyTarget::Kind::kProbe, parts[1], parts[3]};
  }
  return target;
}

// The file's text as UTF-8 lines, continuation lines (ending in '\') joined.
std::vector<std::pair<std::size_t, std::string>> LogicalLines(std::string_view bytes) {
  std::string text;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    std::u16string units;
    for (std::size_t i = 2; i + 1 < bytes.size(); i += 2) {
      units.push_back(static_cast<char16_t>(static_cast<unsigned char>(bytes[i]) |
                                            (static_cast<unsigned char>(bytes[i + 1]) << 8)));
    }
    text = ToUtf8(units);
  } else {
    // UTF-8 (REGEDIT4 files are ASCII), made valid the same way as UTF-16 text.
    text = ToUtf8(ToUtf16(bytes.starts_with("\xEF\xBB\xBF") ? bytes.substr(3) : bytes));
  }
  std::vector<std::pair<std::size_t, std::string>> lines;
  std::size_t number = 0;
  std::string pending;
  std::size_t pending_start = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (pending.empty()) pending_start = number;
    std::string_view trimmed = line;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
      trimmed.remove_prefix(1);
    pending += trimmed;
    if (!pending.empty() && pending.back() == '\\' && pending.find("=hex") != std::string::npos) {
      pending.pop_back();
    } else {
      lines.emplace_back(pending_start, pending);
      pending.clear();
    }
    start = end + 1;
  }
  return lines;
}

// ---- JSON ----

nlohmann::ordered_json ValueToJson(const RawValue& value) {
  switch (value.type) {
    case RawType::kString: return value.text;
    case RawType::kExpandString: return {{"expand", value.text}};
    case RawType::kMultiString: return value.list;
    case RawType::kDword: return value.number;
    case RawType::kQword: return {{"qword", value.number}};
    case RawType::kOther: break;
  }
  return nullptr;
}

nlohmann::ordered_json ValuesToJson(const RawValues& values) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, value] : values) {
    if (value.type != RawType::kOther) object[name] = ValueToJson(value);
  }
  return object;
}

Result<RawValue> ValueFromJson(const nlohmann::json& json, const std::string& where) {
  auto refuse = [&where](const std::string& found) {
    return Error(ErrorKind::kInvalidArgument,
                 where +
                     ": expected a string, {\"expand\": string}, an array of strings, a number or "
                     "{\"qword\": number}, found " +
                     found);
  };
  if (json.is_string()) return RawValue::String(json.get<std::string>());
  if (json.is_number_unsigned() || (json.is_number_integer() && json.get<std::int64_t>() >= 0)) {
    const std::uint64_t number = json.get<std::uint64_t>();
    if (number > 0xFFFFFFFFu)
      return refuse(std::to_string(number) + " (above 32 bits: write {\"qword\": ...})");
    return RawValue::Dword(static_cast<std::uint32_t>(number));
  }
  if (json.is_array()) {
    std::vector<std::string> items;
    for (const nlohmann::json& item : json) {
      if (!item.is_string()) return refuse("an array holding " + item.dump());
      items.push_back(item.get<std::string>());
    }
    return RawValue::MultiString(items);
  }
  if (json.is_object() && json.size() == 1 && json.contains("expand") &&
      json["expand"].is_string()) {
    return RawValue{RawType::kExpandString, json["expand"].get<std::string>(), {}, 0};
  }
  if (json.is_object() && json.size() == 1 && json.contains("qword") &&
      json["qword"].is_number_unsigned()) {
    return RawValue::Qword(json["qword"].get<std::uint64_t>());
  }
  return refuse(json.dump());
}

Result<RawValues> ValuesFromJson(const nlohmann::json& json, const std::string& where,
                                 bool allow_probes) {
  if (!json.is_object()) return Error(ErrorKind::kInvalidArgument, where + ": expected an object");
  RawValues values;
  for (const auto& [name, value] : json.items()) {
    if (allow_probes && name == "Probes") continue;
    Result<RawValue> parsed = ValueFromJson(value, where + "\\" + name);
    if (!parsed) return parsed.error();
    values[name] = *parsed;
  }
  return values;
}

}  // namespace

Result<ConfigFormat> ParseConfigFormat(std::string_view name) {
  if (EqualsIgnoringCase(name, "reg")) return ConfigFormat::kReg;
  if (EqualsIgnoringCase(name, "json")) return ConfigFormat::kJson;
  return Error(ErrorKind::kInvalidArgument,
               "format \"" + std::string(name) + "\" is not reg or json");
}

ConfigFormat FormatOfPath(std::string_view path) {
  return path.size() >= 5 && EqualsIgnoringCase(path.substr(path.size() - 5), ".json")
             ? ConfigFormat::kJson
             : ConfigFormat::kReg;
}

std::string ToRegFile(const RawConfig& config, const std::string& root) {
  std::string text = std::string(kRegHeader) + "\r\n";
  AppendKey(text, root, config.daemon);
  if (!config.workers.empty()) AppendKey(text, root + "\\Workers", {});
  for (const auto& [name, worker] : config.workers) {
    AppendKey(text, root + "\\Workers\\" + name, worker.values);
    for (const auto& [probe, values] : worker.probes)
      AppendKey(text, root + "\\Workers\\" + name + "\\Probes\\" + probe, values);
  }
  const std::u16string units = ToUtf16(text);
  std::string bytes = "\xFF\xFE";
  for (char16_t unit : units) {
    bytes.push_back(static_cast<char>(unit & 0xFF));
    bytes.push_back(static_cast<char>(unit >> 8));
  }
  return bytes;
}

Result<RawConfig> FromRegFile(std::string_view bytes, const std::string& root) {
  const std::vector<std::pair<std::size_t, std::string>> lines = LogicalLines(bytes);
  RawConfig config;
  bool header = false;
  std::optional<KeyTarget> current;
  for (const auto& [number, line] : lines) {
    if (line.empty() || line[0] == ';') continue;
    if (!header) {
      if (line != kRegHeader && line != "REGEDIT4") {
        return LineError(number, "expected the header \"" + std::string(kRegHeader) + "\"");
      }
      header = true;
      continue;
    }
    if (line[0] == '[') {
      if (line.back() != ']') return LineError(number, "a key line must end in ]");
      if (line.size() > 1 && line[1] == '-')
        return LineError(number, "deleting a key is not supported by import");
      Result<KeyTarget> target =
          LocateKey(std::string_view(line).substr(1, line.size() - 2), root, number);
      if (!target) return target.error();
      current = *target;
      if (current->kind == KeyTarget::Kind::kWorker) config.workers[current->worker];
      continue;
    }
    if (!current) return LineError(number, "a value before the first [key]");
    if (line[0] == '@') continue;  // a key's default value: nothing for sup
    std::string_view rest;
    std::optional<std::string> name = Unquote(line, rest);
    if (!name || rest.empty() || rest[0] != '=')
      return LineError(number, "expected \"Name\"=value");
    Result<RawValue> value = ParseRegData(rest.substr(1), number);
    if (!value) return value.error();
    switch (current->kind) {
      case KeyTarget::Kind::kDaemon: config.daemon[*name] = *value; break;
      case KeyTarget::Kind::kWorker: config.workers[current->worker].values[*name] = *value; break;
      case KeyTarget::Kind::kProbe:
        config.workers[current->worker].probes[current->probe][*name] = *value;
        break;
      case KeyTarget::Kind::kIgnored: break;
    }
  }
  if (!header)
    return Error(ErrorKind::kInvalidArgument,
                 "an empty file: no \"" + std::string(kRegHeader) + "\" header");
  return config;
}

std::string ToJson(const RawConfig& config) {
  nlohmann::ordered_json json;
  json["daemon"] = ValuesToJson(config.daemon);
  json["workers"] = nlohmann::ordered_json::object();
  for (const auto& [name, worker] : config.workers) {
    nlohmann::ordered_json object = ValuesToJson(worker.values);
    if (!worker.probes.empty()) {
      object["Probes"] = nlohmann::ordered_json::object();
      for (const auto& [probe, values] : worker.probes)
        object["Probes"][probe] = ValuesToJson(values);
    }
    json["workers"][name] = object;
  }
  // Text from the registry is valid UTF-8 (it was converted from UTF-16); replace rather than
  // throw should that ever not hold.
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<RawConfig> FromJson(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Error(ErrorKind::kInvalidArgument, "the file is not valid JSON");
  if (!json.is_object())
    return Error(ErrorKind::kInvalidArgument, "expected an object with \"daemon\" and \"workers\"");
  RawConfig config;
  for (const auto& [key, value] : json.items()) {
    if (key != "daemon" && key != "workers") {
      return Error(ErrorKind::kInvalidArgument,
                   "unknown member \"" + key + "\": expected \"daemon\" and \"workers\"");
    }
  }
  if (json.contains("daemon")) {
    Result<RawValues> daemon = ValuesFromJson(json["daemon"], "daemon", false);
    if (!daemon) return daemon.error();
    config.daemon = *daemon;
  }
  if (json.contains("workers")) {
    if (!json["workers"].is_object())
      return Error(ErrorKind::kInvalidArgument, "workers: expected an object");
    for (const auto& [name, worker] : json["workers"].items()) {
      const std::string where = "workers\\" + name;
      Result<RawValues> values = ValuesFromJson(worker, where, true);
      if (!values) return values.error();
      RawWorker& raw = config.workers[name];
      raw.values = *values;
      if (worker.contains("Probes")) {
        if (!worker["Probes"].is_object())
          return Error(ErrorKind::kInvalidArgument, where + "\\Probes: expected an object");
        for (const auto& [probe, probe_values] : worker["Probes"].items()) {
          Result<RawValues> parsed =
              ValuesFromJson(probe_values, where + "\\Probes\\" + probe, false);
          if (!parsed) return parsed.error();
          raw.probes[probe] = *parsed;
        }
      }
    }
  }
  return config;
}

}  // namespace sup::config
