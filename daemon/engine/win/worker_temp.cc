#include "daemon/engine/win/worker_temp.h"

#include "common/win/own_folder.h"
#include "common/worker_sid.h"

namespace sup::win {

std::string WorkerTempSddl(const std::string& worker, const std::string& supd_sid) {
  return OwnFolderSddl("", supd_sid) + "(A;OICI;FA;;;" + WorkerSid(worker) + ")";
}

Result<std::string> EnsureWorkerTemp(const std::string& worker, const std::string& supd_sid) {
  Result<std::string> data = SupDataFolder();
  if (!data) return data.error();
  const std::string temp = *data + "\\temp";
  if (Result<std::optional<std::string>> made =
          EnsureOwnFolder(temp, OwnFolderSddl("", supd_sid), ForeignWriterAction::kRepair);
      !made) {
    return made.error().WithContext("the workers' TEMP folder");
  }
  const std::string own = temp + "\\" + worker;
  if (Result<std::optional<std::string>> made = EnsureOwnFolder(
          own, WorkerTempSddl(worker, supd_sid), ForeignWriterAction::kRepair, {WorkerSid(worker)});
      !made) {
    return made.error().WithContext("the worker's TEMP folder");
  }
  return own;
}

}  // namespace sup::win
