// libFuzzer target: the .reg and JSON readers of `supctl config import`, on arbitrary files.
//
// Input: byte 0 picks the reader (bit 0: JSON); the rest is the file. Checks, beyond "no crash,
// no sanitizer report, no leak": whatever a reader accepts, written back out in the same format
// and read again, is the same configuration (so export after import loses nothing but values of
// types sup never writes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/config/config_file.h"

namespace {

const std::string kRoot = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup";

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

bool SameValues(const sup::config::RawValues& a, const sup::config::RawValues& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, value] : a) {
    const auto other = b.find(name);
    if (other == b.end() || other->second.type != value.type || other->second.text != value.text ||
        other->second.list != value.list || other->second.number != value.number) {
      return false;
    }
  }
  return true;
}

// Values of types sup never writes (REG_BINARY, ...) are not exported.
sup::config::RawValues Writable(const sup::config::RawValues& values) {
  sup::config::RawValues kept;
  for (const auto& [name, value] : values) {
    if (value.type != sup::config::RawType::kOther) kept[name] = value;
  }
  return kept;
}

bool Same(const sup::config::RawConfig& read, const sup::config::RawConfig& reread) {
  if (!SameValues(Writable(read.daemon), reread.daemon) ||
      read.workers.size() != reread.workers.size())
    return false;
  for (const auto& [name, worker] : read.workers) {
    const auto other = reread.workers.find(name);
    if (other == reread.workers.end() || !SameValues(Writable(worker.values), other->second.values))
      return false;
    std::size_t probes = 0;
    for (const auto& [probe, values] : worker.probes) {
      const auto other_probe = other->second.probes.find(probe);
      if (other_probe == other->second.probes.end()) {
        if (!Writable(values).empty()) return false;
        continue;
      }
      ++probes;
      if (!SameValues(Writable(values), other_probe->second)) return false;
    }
    if (probes != other->second.probes.size()) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sup;
  if (size < 1 || size > 64 * 1024) return 0;
  const bool json = data[0] & 1;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  sup::Result<sup::config::RawConfig> first =
      json ? config::FromJson(file) : config::FromRegFile(file, kRoot);
  if (!first) return 0;
  const std::string written = json ? config::ToJson(*first) : config::ToRegFile(*first, kRoot);
  sup::Result<sup::config::RawConfig> second =
      json ? config::FromJson(written) : config::FromRegFile(written, kRoot);
  Require(second.ok());
  Require(Same(*first, *second));
  return 0;
}
