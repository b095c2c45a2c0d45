#include "common/config/schema_doc.h"

#include "common/config/config_schema.h"

namespace sup::config {
namespace {

std::string TypeText(ValueKind kind, std::uint64_t min, std::uint64_t max,
                     std::span<const std::string_view> choices) {
  std::string joined;
  for (std::string_view choice : choices)
    joined += (joined.empty() ? "" : ", ") + std::string(choice);
  switch (kind) {
    case ValueKind::kString: return "REG_SZ / REG_EXPAND_SZ";
    case ValueKind::kStringList: return "REG_MULTI_SZ";
    case ValueKind::kUint:
      return "REG_DWORD / REG_QWORD, " + std::to_string(min) + " to " + std::to_string(max);
    case ValueKind::kBool: return "REG_DWORD, 0 or 1";
    case ValueKind::kChoice: return "REG_SZ: " + joined;
    case ValueKind::kChoiceList: return "REG_MULTI_SZ of: " + joined;
    case ValueKind::kExitCodes: return "REG_MULTI_SZ of exit codes, or REG_DWORD";
    case ValueKind::kEncoding: return "REG_SZ: auto, utf-8, ansi, oem or a code page number";
    case ValueKind::kAccount:
      return "REG_SZ: LocalSystem, LocalService, NetworkService, .\\name, DOMAIN\\name, "
             "name@domain or DOMAIN\\name$";
  }
  return "";
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

template <typename Target>
std::string Table(std::span<const SchemaValue<Target>> schema) {
  std::string out = "| value | type | default | meaning |\n|---|---|---|---|\n";
  for (const SchemaValue<Target>& row : schema) {
    const std::string default_text = row.required ? "(required)"
                                     : row.default_text.empty()
                                         ? "(empty)"
                                         : "`" + std::string(row.default_text) + "`";
    out += "| `" + std::string(row.name) + "` | " +
           Escape(TypeText(row.kind, row.min, row.max, row.choices)) + " | " +
           Escape(default_text) + " | " + Escape(row.description) + " |\n";
  }
  return out;
}

}  // namespace

std::string RenderSchemaMarkdown() {
  return "### Daemon values (`HKLM\\SOFTWARE\\Sup`)\n\n" + Table(DaemonSchema()) +
         "\n### Worker values (`Workers\\<name>`)\n\n" + Table(WorkerSchema()) +
         "\n### Probe values (`Workers\\<name>\\Probes\\Startup`, `Liveness`, `Readiness`)\n\n" +
         Table(ProbeSchema());
}

}  // namespace sup::config
