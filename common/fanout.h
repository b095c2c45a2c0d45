// One publisher, any number of subscribers, on one thread (the io thread): worker output lines
// to `supctl logs -f` followers, engine events to `supctl events -f` and health watchers.
//
// A Subscription unsubscribes when destroyed, and is safe to destroy after the Fanout is gone (a
// follower may outlive the worker whose output it followed). Subscribers may subscribe or
// unsubscribe (themselves or others) from inside a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace sup {

class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      Cancel();
      cancel_ = std::exchange(other.cancel_, nullptr);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { Cancel(); }

  void Cancel() {
    if (cancel_) std::exchange(cancel_, nullptr)();
  }
  explicit operator bool() const { return static_cast<bool>(cancel_); }

 private:
  std::function<void()> cancel_;
};

// One subscription made of two, cancelled together (a stream's lines and its end).
inline Subscription Combine(Subscription first, Subscription second) {
  auto both =
      std::make_shared<std::pair<Subscription, Subscription>>(std::move(first), std::move(second));
  return Subscription([both] {
    both->first.Cancel();
    both->second.Cancel();
  });
}

template <typename... Args>
class Fanout {
 public:
  using Callback = std::function<void(Args...)>;

  Subscription Subscribe(Callback callback) {
    const std::uint64_t id = state_->next_id++;
    state_->callbacks.emplace(id, std::make_shared<Callback>(std::move(callback)));
    return Subscription([weak = std::weak_ptr<State>(state_), id] {
      if (std::shared_ptr<State> state = weak.lock()) state->callbacks.erase(id);
    });
  }

  void Publish(Args... args) const {
    if (state_->callbacks.empty()) return;
    // Snapshots, so callbacks may change the set (or destroy this Fanout); one cancelled
    // meanwhile is skipped.
    const std::shared_ptr<State> state = state_;
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Callback>>> current(
        state->callbacks.begin(), state->callbacks.end());
    for (const auto& [id, callback] : current) {
      if (state->callbacks.contains(id)) (*callback)(args...);
    }
  }

  std::size_t size() const { return state_->callbacks.size(); }

 private:
  struct State {
    std::uint64_t next_id = 1;
    std::map<std::uint64_t, std::shared_ptr<Callback>> callbacks;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace sup
