#include "daemon/control/audit.h"

namespace sup::control {

std::string DescribeAudit(const AuditRecord& record) {
  std::string workers;
  for (const std::string& worker : record.workers)
    workers += (workers.empty() ? " " : ", ") + worker;
  return record.verb + workers + " by " +
         (record.account.empty() ? std::string("an unknown account") : record.account) + " (" +
         record.role + "): " + record.result;
}

}  // namespace sup::control
