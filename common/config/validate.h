// The configuration as supd applies it: every value read by its schema row (config_schema.h), the
// checks that involve more than one value (pipe names, probe targets, dependencies, shared log
// files), and the verdict per worker. Every error is collected and names its key and value; a
// worker with an error is left out, the others are unaffected.
#pragma once

#include <string>
#include <string_view>

#include "common/config/config_model.h"
#include "common/config/config_store.h"
#include "common/config/raw_config.h"
#include "common/result.h"

namespace sup::config {

// Worker names: [A-Za-z0-9._-]{1,64}, and not a DOS device name (CON, NUL.txt, COM1, ...).
bool IsValidWorkerName(std::string_view name);

// Validates the whole configuration, collecting every error; a worker with any error is left out
// of `workers` and listed in `invalid_workers`, and the others are unaffected. Invalid daemon
// values change nothing: `daemon` is then `in_force` (the values supd runs with), or the
// defaults at the first reading, and the workers' default log paths resolve against it.
ValidatedConfig ValidateConfig(const RawConfig& raw, const DaemonConfig* in_force = nullptr);

// supd logs a worker's Account on only while it holds SeTcbPrivilege (as LocalSystem). When it
// runs as an account without it (its virtual account, a gMSA: `supd_account`), every worker whose
// Account is not LocalSystem is moved to `invalid_workers` with an error saying why; its
// dependents stay valid and wait, as for any invalid worker.
void RefuseAccountsSupdCannotLogOn(ValidatedConfig& config, const std::string& supd_account);

// The one way in: reads `source` and validates what it holds (ValidateConfig). Only a source that
// cannot be read is an error ("reading the configuration: ..."); invalid values are in the result.
Result<ValidatedConfig> ReadConfig(ConfigSource& source, const DaemonConfig* in_force = nullptr);

// The daemon values `source` holds, or the defaults when it cannot be read or one of them is
// invalid: for what must be known before supd runs (its log, the pipe supctl verifies).
DaemonConfig DaemonValuesOrDefaults(ConfigSource& source);

}  // namespace sup::config
