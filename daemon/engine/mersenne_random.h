// The engine's randomness in supd (backoff jitter): a 64-bit Mersenne Twister seeded once from
// std::random_device. Tests use a fixed sequence instead.
#pragma once

#include <random>

#include "daemon/engine/ports.h"

namespace sup::engine {

class MersenneRandom final : public RandomSource {
 public:
  double NextUnit() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_{std::random_device{}()};
};

}  // namespace sup::engine
