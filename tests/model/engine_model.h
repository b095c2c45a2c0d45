// Model-based testing of the supervision engine: a schedule of random steps (operator commands,
// process exits, spawn failures, probe results, reloads that add, remove, change and break
// workers and their dependencies, time passing, a shutdown at the end) drives the real
// Supervisor over fakes, and after every step the invariants are checked: the engine's own
// (Supervisor::CheckInvariants) and the ones only an observer of its ports can see.
//
// A schedule is data, so a failing one can be replayed and shrunk; every step is meaningful in
// any state (an exit of a worker with no process does nothing), so any subsequence is a schedule.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/config/raw_config.h"

namespace sup::model {

// Where the choices of a schedule come from: a seeded generator, or a fuzzer's bytes.
class Choices {
 public:
  virtual ~Choices() = default;
  // A number in [0, bound); bound > 0.
  virtual std::uint32_t Below(std::uint32_t bound) = 0;
  bool OneIn(std::uint32_t n) { return Below(n) == 0; }
};

// splitmix64's output function: a 64-bit value mixed so that neighbouring inputs share nothing.
std::uint64_t Mix64(std::uint64_t value);

class SeededChoices final : public Choices {
 public:
  // The generator starts from the seed mixed: a state of seed * G, stepped by G per draw, made draw
  // k of seed s draw k-1 of seed s + 1, and neighbouring seeds the same schedule a step apart.
  explicit SeededChoices(std::uint64_t seed) : state_(Mix64(seed)) {}
  std::uint32_t Below(std::uint32_t bound) override;

 private:
  std::uint64_t state_;
};

// Reads choices from bytes; once they run out every choice is 0.
class ByteChoices final : public Choices {
 public:
  ByteChoices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint32_t Below(std::uint32_t bound) override;
  bool exhausted() const { return used_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t used_ = 0;
};

struct Step {
  enum class Kind {
    kReload,
    kStart,
    kStop,
    kRestart,
    kReset,
    kExit,
    kSpawnFailure,
    kProbe,
    kAdvance,
    kSlowLaunch,  // a worker's starts go on elsewhere, or not; the one under way ends
    kMemory,      // a working set reading, or a job at its memory limit
    kShutdown,
    kDeaf,         // a worker's processes heed only terminate (1), or every stop step again (0)
    kLateExit,     // the exit of a worker's earlier process, reported late (a stale pid)
    kRestartSupd,  // supd ends (its workers with it) and starts again over its state store
    kUndelivered,  // the last stop step sent to a worker's process (maybe an earlier one) did not
                   // reach it, as the launcher reports a Ctrl+C whose console cannot be attached
    kNotify,       // a worker's process (or an earlier one: number + 4) says READY=1 (0),
                   // WATCHDOG=1 (1), STOPPING=1 (2) or STATUS= (3) through its notify pipe
  };
  Kind kind = Kind::kAdvance;
  std::vector<std::string> workers;  // commands: empty means all; others: the one worker
  std::int64_t number = 0;           // exit code, milliseconds, probe kind, message, or on/off
  bool success = false;              // probe result
  config::RawConfig config;          // reload
  std::string ToString() const;
};

// A random schedule of `length` steps, ending in a shutdown and a few steps after it. About one
// schedule in five also shuts down early, at a step drawn once (uniformly), and goes on after it.
std::vector<Step> GenerateSchedule(Choices& choices, std::size_t length);

// Runs `schedule` from a fresh engine, checking every invariant after every step, then lets the
// engine settle with cooperative processes and checks that nothing is stuck. The first broken
// rule, with the step it broke at; nothing when all held.
std::optional<std::string> RunSchedule(const std::vector<Step>& schedule);

// The shortest schedule found by removing steps from `schedule` that still fails.
std::vector<Step> Shrink(std::vector<Step> schedule);

}  // namespace sup::model
