// Who may hold how many of a pipe's connections, so that no single client locks the others out
// (README, "Fairness"): each account may hold only a share of the instances, and on the control
// pipe some instances are kept for administrators. A stream (logs -f, events -f, health watch)
// holds its connection, so the same share caps an account's streams. Portable: the Windows side
// works out the account of each client when it connects. Threading: any thread (a connection
// served on one thread may close while another is admitted on another).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <variant>

namespace sup::control {

// The account a client's process runs as, read when it connects (before it has sent anything).
struct ClientAccount {
  std::string sid;  // "S-1-5-21-...", or "" when it could not be read (all such share one share)
  bool administrator = false;  // SYSTEM or a member of Administrators (not a filtered UAC token)
};

struct ConnectionLimits {
  int instances = 32;                   // the pipe's instances (PipeInstances)
  int reserved_for_administrators = 0;  // of those, kept for administrators
  int per_account = 8;                  // the most one account may hold
};

// The limits supd uses for a pipe of `instances` instances: a quarter of what is open to everyone
// per account, and on the control pipe an eighth kept for administrators.
ConnectionLimits DefaultConnectionLimits(int instances, bool keep_some_for_administrators);

class ConnectionQuota {
 public:
  // An admitted connection's place in the quota, given back when this is destroyed or Released.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { Release(); }
    void Release();

   private:
    friend class ConnectionQuota;
    enum class Kind { kNone, kAdmitted, kRefused };
    Hold(ConnectionQuota& quota, ClientAccount account, Kind kind);
    ConnectionQuota* quota_ = nullptr;
    ClientAccount account_;
    Kind kind_ = Kind::kNone;
  };

  // An admitted connection.
  struct Admitted {
    Hold hold;
  };
  // A refused connection that is told why: it is answered with `reason` at its first request, then
  // closed. Each account has at most one of these waiting; `hold` keeps its place until closed.
  struct RefusedWithReply {
    Hold hold;
    std::string reason;
  };
  // A refused connection closed at once, unanswered: its account already has a refusal waiting.
  struct RefusedSilently {
    std::string reason;
  };
  using Decision = std::variant<Admitted, RefusedWithReply, RefusedSilently>;

  explicit ConnectionQuota(ConnectionLimits limits) : limits_(limits) {}
  ConnectionQuota(const ConnectionQuota&) = delete;
  ConnectionQuota& operator=(const ConnectionQuota&) = delete;

  Decision Admit(const ClientAccount& account);

  // Connections `sid` holds (admitted ones only).
  int HeldBy(const std::string& sid) const;
  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct AccountUse {
    int admitted = 0;
    bool refusal_waiting = false;
  };
  void Give(const ClientAccount& account, Hold::Kind kind);
  void TakeBack(const ClientAccount& account, Hold::Kind kind);

  ConnectionLimits limits_;
  mutable std::mutex mutex_;  // guards what follows
  std::map<std::string, AccountUse> accounts_;
  int held_by_others_ = 0;  // admitted connections of accounts that are not administrators
};

}  // namespace sup::control
