// Each worker's own TEMP folder: <ProgramData>\Sup\temp\<worker>, which SYSTEM, Administrators,
// supd and the worker's SID may write, named in the worker's TEMP and TMP. A reduced worker may
// not write into files it creates in the machine's C:\Windows\Temp (its write restriction wants
// a restricting SID granted on them: the worker SID is, here), and no worker reads or plants
// another's temporary files. Made on a file worker as the worker starts; what is inside stays
// across restarts (supd deletes nothing there).
#pragma once

#include <string>

#include "common/result.h"

namespace sup::win {

// The folder (made, or checked as supd's own) for `worker`; `supd_sid`: the account supd runs as.
Result<std::string> EnsureWorkerTemp(const std::string& worker, const std::string& supd_sid);

// The folder's DACL, in SDDL.
std::string WorkerTempSddl(const std::string& worker, const std::string& supd_sid);

}  // namespace sup::win
