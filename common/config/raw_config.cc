#include "common/config/raw_config.h"

namespace sup::config {

std::string_view RawTypeName(RawType type) {
  switch (type) {
    case RawType::kString: return "REG_SZ";
    case RawType::kExpandString: return "REG_EXPAND_SZ";
    case RawType::kMultiString: return "REG_MULTI_SZ";
    case RawType::kDword: return "REG_DWORD";
    case RawType::kQword: return "REG_QWORD";
    case RawType::kOther: return "an unsupported registry type";
  }
  return "?";
}

std::string DescribeRawValue(const RawValue& value) {
  std::string out(RawTypeName(value.type));
  switch (value.type) {
    case RawType::kString:
    case RawType::kExpandString: return out + " \"" + value.text + "\"";
    case RawType::kMultiString: {
      out += " [";
      for (std::size_t i = 0; i < value.list.size(); ++i)
        out += (i ? ", \"" : "\"") + value.list[i] + "\"";
      return out + "]";
    }
    case RawType::kDword:
    case RawType::kQword: return out + " " + std::to_string(value.number);
    case RawType::kOther: return out;
  }
  return out;
}

}  // namespace sup::config
