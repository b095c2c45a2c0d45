#include "common/config/value_parse.h"

#include <algorithm>
#include <charconv>
#include <functional>

#include "common/format.h"

namespace sup::config {
namespace {

constexpr std::uint64_t kMaxDword = 0xffffffff;

std::string JoinChoices(std::span<const std::string_view> choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + std::string(choices[i]);
  return out;
}

// An exit code as written by an admin: decimal (possibly negative) or 0x-hex, normalised to the
// unsigned 32-bit value GetExitCodeProcess reports.
std::optional<std::int64_t> ParseExitCode(std::string_view text) {
  bool negative = false;
  int base = 10;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  std::uint64_t magnitude = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (negative ? magnitude > 0x80000000ULL : magnitude > kMaxDword) return std::nullopt;
  const std::uint64_t code = negative ? (0x100000000ULL - magnitude) & kMaxDword : magnitude;
  return static_cast<std::int64_t>(code);
}

bool IsString(const RawValue& raw) {
  return raw.type == RawType::kString || raw.type == RawType::kExpandString;
}

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

// The RawValue a row's default_text stands for, as if an admin had written it.
RawValue DefaultAsRaw(ValueKind kind, std::string_view text) {
  switch (kind) {
    case ValueKind::kUint:
    case ValueKind::kBool: {
      std::uint64_t number = 0;
      std::from_chars(text.data(), text.data() + text.size(), number);
      return RawValue::Qword(number);
    }
    case ValueKind::kStringList:
    case ValueKind::kChoiceList:
    case ValueKind::kExitCodes: return RawValue::MultiString(SplitComma(text));
    case ValueKind::kString:
    case ValueKind::kChoice:
    case ValueKind::kEncoding:
    case ValueKind::kAccount: break;
  }
  return RawValue::String(std::string(text));
}

template <typename T>
std::string JoinTexts(const std::vector<T>& items,
                      const std::function<std::string(const T&)>& text) {
  std::string joined;
  for (const T& item : items) joined += (joined.empty() ? "" : ",") + text(item);
  return joined;
}

}  // namespace

std::optional<std::size_t> ChoiceIndex(std::span<const std::string_view> choices,
                                       std::string_view text) {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (EqualsIgnoringCase(choices[i], text)) return i;
  }
  return std::nullopt;
}

std::string FormatParsedValue(ValueKind kind, std::span<const std::string_view> choices,
                              const ParsedValue& value) {
  switch (kind) {
    case ValueKind::kString: return std::get<std::string>(value);
    case ValueKind::kEncoding: return OutputEncodingName(std::get<OutputEncoding>(value));
    case ValueKind::kAccount: return std::get<WorkerAccount>(value).ToString();
    case ValueKind::kStringList:
      return JoinTexts<std::string>(std::get<std::vector<std::string>>(value),
                                    [](const std::string& s) { return s; });
    case ValueKind::kUint:
    case ValueKind::kBool: return std::to_string(std::get<std::uint64_t>(value));
    case ValueKind::kChoice: return std::string(choices[std::get<std::uint64_t>(value)]);
    case ValueKind::kChoiceList:
      return JoinTexts<std::int64_t>(
          std::get<std::vector<std::int64_t>>(value),
          [&](const std::int64_t& index) { return std::string(choices[index]); });
    case ValueKind::kExitCodes:
      return JoinTexts<std::int64_t>(std::get<std::vector<std::int64_t>>(value),
                                     [](const std::int64_t& code) { return std::to_string(code); });
  }
  return {};
}

std::optional<OutputEncoding> ParseOutputEncoding(std::string_view text) {
  using Kind = OutputEncoding::Kind;
  for (const auto& [name, kind] : {std::pair{"auto", Kind::kAuto},
                                   {"utf-8", Kind::kUtf8},
                                   {"utf8", Kind::kUtf8},
                                   {"ansi", Kind::kAnsi},
                                   {"oem", Kind::kOem}}) {
    if (EqualsIgnoringCase(text, name)) return OutputEncoding{kind, 0};
  }
  std::uint32_t code_page = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code_page);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || code_page < 1 ||
      code_page > 65535) {
    return std::nullopt;
  }
  return OutputEncoding{Kind::kCodePage, code_page};
}

std::string OutputEncodingName(const OutputEncoding& encoding) {
  switch (encoding.kind) {
    case OutputEncoding::Kind::kAuto: return "auto";
    case OutputEncoding::Kind::kUtf8: return "utf-8";
    case OutputEncoding::Kind::kAnsi: return "ansi";
    case OutputEncoding::Kind::kOem: return "oem";
    case OutputEncoding::Kind::kCodePage: return std::to_string(encoding.code_page);
  }
  return "auto";
}

Result<ParsedValue> ParseRawValue(ValueKind kind, std::uint64_t min, std::uint64_t max,
                                  std::span<const std::string_view> choices, const RawValue& raw) {
  const auto expected = [](std::string text) {
    return Error(ErrorKind::kInvalidArgument, std::move(text));
  };
  switch (kind) {
    case ValueKind::kString: {
      const std::string range =
          " of " + std::to_string(min) + " to " + std::to_string(max) + " characters";
      if (!IsString(raw) || raw.text.size() < min || raw.text.size() > max) {
        return expected("a REG_SZ or REG_EXPAND_SZ" + range);
      }
      return ParsedValue(raw.text);
    }
    case ValueKind::kStringList:
      if (raw.type != RawType::kMultiString) return expected("a REG_MULTI_SZ");
      return ParsedValue(raw.list);
    case ValueKind::kUint:
      if ((raw.type != RawType::kDword && raw.type != RawType::kQword) || raw.number < min ||
          raw.number > max) {
        return expected("a REG_DWORD or REG_QWORD from " + std::to_string(min) + " to " +
                        std::to_string(max));
      }
      return ParsedValue(raw.number);
    case ValueKind::kBool:
      if (raw.type != RawType::kDword && raw.type != RawType::kQword)
        return expected("a REG_DWORD 0 or 1");
      if (raw.number > 1) return expected("a REG_DWORD 0 or 1");
      return ParsedValue(raw.number);
    case ValueKind::kEncoding: {
      const std::optional<OutputEncoding> encoding =
          IsString(raw) ? ParseOutputEncoding(raw.text) : std::nullopt;
      if (!encoding)
        return expected("a REG_SZ: auto, utf-8, ansi, oem or a code page number from 1 to 65535");
      return ParsedValue(*encoding);
    }
    case ValueKind::kAccount: {
      const std::string what =
          "a REG_SZ: LocalSystem, LocalService, NetworkService, .\\name, DOMAIN\\name, "
          "name@domain or DOMAIN\\name$";
      if (!IsString(raw)) return expected(what);
      Result<WorkerAccount> account = ParseWorkerAccount(raw.text);
      if (!account) return expected("a REG_SZ account: " + account.error().message());
      return ParsedValue(*account);
    }
    case ValueKind::kChoice: {
      const std::optional<std::size_t> index =
          IsString(raw) ? ChoiceIndex(choices, raw.text) : std::nullopt;
      if (!index) return expected("a REG_SZ, one of " + JoinChoices(choices));
      return ParsedValue(static_cast<std::uint64_t>(*index));
    }
    case ValueKind::kChoiceList: {
      const std::string what = "a REG_MULTI_SZ of " + JoinChoices(choices) + ", each at most once";
      if (raw.type != RawType::kMultiString) return expected(what);
      std::vector<std::int64_t> indexes;
      for (const std::string& item : raw.list) {
        const std::optional<std::size_t> index = ChoiceIndex(choices, item);
        if (!index) return expected(what + " (\"" + item + "\" is not one)");
        if (std::find(indexes.begin(), indexes.end(), static_cast<std::int64_t>(*index)) !=
            indexes.end()) {
          return expected(what + " (\"" + item + "\" is there twice)");
        }
        indexes.push_back(static_cast<std::int64_t>(*index));
      }
      return ParsedValue(indexes);
    }
    case ValueKind::kExitCodes: {
      const std::string what = "a REG_MULTI_SZ of exit codes (decimal or 0x hex) or one REG_DWORD";
      if (raw.type == RawType::kDword)
        return ParsedValue(std::vector<std::int64_t>{static_cast<std::int64_t>(raw.number)});
      if (raw.type != RawType::kMultiString) return expected(what);
      std::vector<std::int64_t> codes;
      for (const std::string& item : raw.list) {
        const std::optional<std::int64_t> code = ParseExitCode(item);
        if (!code) return expected(what);
        codes.push_back(*code);
      }
      return ParsedValue(codes);
    }
  }
  return expected("a supported value");
}

template <typename Target>
Result<ParsedValue> ParseDefault(const SchemaValue<Target>& row) {
  return ParseRawValue(row.kind, row.min, row.max, row.choices,
                       DefaultAsRaw(row.kind, row.default_text));
}
template Result<ParsedValue> ParseDefault(const SchemaValue<DaemonConfig>&);
template Result<ParsedValue> ParseDefault(const SchemaValue<WorkerConfig>&);
template Result<ParsedValue> ParseDefault(const SchemaValue<ProbeConfig>&);

}  // namespace sup::config
