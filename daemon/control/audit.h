// Who asked supd to change something, and what came of it: every request of a verb that changes
// what runs (start, stop, restart, reset, update), allowed or refused, is one record. supd writes
// each as an info line in its log and an event log entry (id 1004), at most a few a minute per
// account (AuditLimit below: a script looping on `supctl restart` must not fill either). An admin
// asking "who stopped the api last night" finds the account there.
// Portable; the dispatcher hands records to an AuditSink on the io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/rate_limit.h"

namespace sup::control {

struct AuditRecord {
  std::string account;               // DOMAIN\user of the caller, "" if unknown
  std::string role;                  // "administrator", "operator", "no role"
  std::string verb;                  // "stop"
  std::vector<std::string> workers;  // as asked; "all" for all
  std::string result;                // "ok", or the error's kind ("permission_denied", "not_found")
};

// Where records go (the daemon: its log and the event log; tests: a recorder).
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Audit(const AuditRecord& record) = 0;
};

// Whether a record of `account` may be written now: at most `burst` a minute per account, the
// next one let through saying how many were not (RateLimit per account). Accounts beyond
// kMaxAccounts share one limit, so that many accounts cannot grow this without bound.
class AuditLimit {
 public:
  static constexpr int kBurst = 20;
  static constexpr std::size_t kMaxAccounts = 64;

  std::optional<std::uint64_t> Allow(const std::string& account,
                                     std::chrono::steady_clock::time_point now) {
    auto found = limits_.find(account);
    if (found == limits_.end()) {
      const std::string key = limits_.size() < kMaxAccounts ? account : std::string("(others)");
      found = limits_.try_emplace(key, kBurst, std::chrono::minutes(1)).first;
    }
    return found->second.Allow(now);
  }

 private:
  std::map<std::string, RateLimit> limits_;
};

}  // namespace sup::control
