#include "daemon/control/connection_quota.h"

#include <algorithm>
#include <utility>

namespace sup::control {

ConnectionLimits DefaultConnectionLimits(int instances, bool keep_some_for_administrators) {
  ConnectionLimits limits;
  limits.instances = std::max(instances, 1);
  limits.reserved_for_administrators =
      keep_some_for_administrators && limits.instances > 1 ? std::max(limits.instances / 8, 1) : 0;
  limits.per_account = std::max((limits.instances - limits.reserved_for_administrators) / 4, 1);
  return limits;
}

ConnectionQuota::Hold::Hold(ConnectionQuota& quota, ClientAccount account, Kind kind)
    : quota_(&quota), account_(std::move(account)), kind_(kind) {
  quota_->Give(account_, kind_);
}

ConnectionQuota::Hold::Hold(Hold&& other) noexcept
    : quota_(std::exchange(other.quota_, nullptr)),
      account_(std::move(other.account_)),
      kind_(std::exchange(other.kind_, Kind::kNone)) {}

ConnectionQuota::Hold& ConnectionQuota::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    Release();
    quota_ = std::exchange(other.quota_, nullptr);
    account_ = std::move(other.account_);
    kind_ = std::exchange(other.kind_, Kind::kNone);
  }
  return *this;
}

void ConnectionQuota::Hold::Release() {
  if (quota_) quota_->TakeBack(account_, kind_);
  quota_ = nullptr;
  kind_ = Kind::kNone;
}

ConnectionQuota::Decision ConnectionQuota::Admit(const ClientAccount& account) {
  std::lock_guard lock(mutex_);  // Give, through the Hold made here, runs under it
  const AccountUse& use = accounts_[account.sid];
  std::string reason;
  if (use.admitted >= limits_.per_account) {
    reason = "this account already holds " + std::to_string(use.admitted) +
             (use.admitted == 1 ? " connection" : " connections") +
             ", the most one account may hold; close some (streams such as logs -f, events -f "
             "and health watches each hold one)";
  } else if (!account.administrator &&
             held_by_others_ >= limits_.instances - limits_.reserved_for_administrators) {
    reason = "every connection open to non-administrators is taken (" +
             std::to_string(held_by_others_) + "); the other " +
             std::to_string(limits_.reserved_for_administrators) +
             " are kept for administrators; try again later";
  } else {
    return Admitted{Hold(*this, account, Hold::Kind::kAdmitted)};
  }
  if (use.refusal_waiting) return RefusedSilently{std::move(reason)};
  return RefusedWithReply{Hold(*this, account, Hold::Kind::kRefused), std::move(reason)};
}

int ConnectionQuota::HeldBy(const std::string& sid) const {
  std::lock_guard lock(mutex_);
  const auto found = accounts_.find(sid);
  return found == accounts_.end() ? 0 : found->second.admitted;
}

void ConnectionQuota::Give(const ClientAccount& account, Hold::Kind kind) {
  AccountUse& use = accounts_[account.sid];
  if (kind == Hold::Kind::kRefused) {
    use.refusal_waiting = true;
    return;
  }
  ++use.admitted;
  if (!account.administrator) ++held_by_others_;
}

void ConnectionQuota::TakeBack(const ClientAccount& account, Hold::Kind kind) {
  std::lock_guard lock(mutex_);
  const auto found = accounts_.find(account.sid);
  if (found == accounts_.end()) return;
  AccountUse& use = found->second;
  if (kind == Hold::Kind::kRefused) {
    use.refusal_waiting = false;
  } else if (kind == Hold::Kind::kAdmitted) {
    --use.admitted;
    if (!account.administrator) --held_by_others_;
  }
  if (use.admitted == 0 && !use.refusal_waiting) accounts_.erase(found);
}

}  // namespace sup::control
