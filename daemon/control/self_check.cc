#include "daemon/control/self_check.h"

#include <algorithm>

namespace sup::control {

using std::chrono::milliseconds;

SelfCheck::SelfCheck(const Clock& clock, milliseconds limit)
    : clock_(clock), limit_ms_(limit.count()), last_beat_ms_(Now()) {}

std::int64_t SelfCheck::Now() const {
  return std::chrono::duration_cast<milliseconds>(clock_.SteadyNow().time_since_epoch()).count();
}

void SelfCheck::Beat() { last_beat_ms_ = Now(); }

void SelfCheck::SetLimit(milliseconds limit) { limit_ms_ = limit.count(); }

milliseconds SelfCheck::period() const {
  return std::clamp(limit() / 5, milliseconds(200), milliseconds(10'000));
}

std::optional<milliseconds> SelfCheck::Overdue() const {
  const std::int64_t silent = Now() - last_beat_ms_.load();
  if (silent <= limit_ms_.load()) return std::nullopt;
  return milliseconds(silent);
}

std::optional<std::string> SelfCheck::Problem() const {
  const std::optional<milliseconds> overdue = Overdue();
  if (!overdue) return std::nullopt;
  return "supervision has not answered for " + std::to_string(overdue->count() / 1000) + " s";
}

}  // namespace sup::control
