// The engine against thousands of random schedules (engine_model.h). A failure prints its seed
// and the shortest schedule that still fails, as text; each one found becomes a file in
// regressions/, replayed by every run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "engine_model.h"
#include "schedule_text.h"

namespace sup::model {
namespace {

constexpr std::size_t kStepsPerSchedule = 80;

// How many seeds a run covers: SUP_MODEL_SCHEDULES, else 3000 (a few seconds).
std::uint64_t ScheduleCount() {
  const char* text = std::getenv("SUP_MODEL_SCHEDULES");
  return text ? std::strtoull(text, nullptr, 10) : 3000;
}

// Each flavour of the run (native, sanitizers, Wine) covers seeds of its own: the same base gives
// each of them other schedules.
constexpr std::uint64_t kFlavourOffset = std::uint64_t{SUP_MODEL_FLAVOUR} << 48;

// The first seed of this run: SUP_MODEL_SEED, else a new one each run (printed, so that a run that
// failed can be repeated), so that CI runs add up instead of repeating one another.
std::uint64_t BaseSeed() {
  if (const char* text = std::getenv("SUP_MODEL_SEED")) return std::strtoull(text, nullptr, 10);
  std::random_device random;
  return ((std::uint64_t{random()} << 32) | random()) & ((std::uint64_t{1} << 47) - 1);
}

// Runs the schedule of `seed`; on a failure, reports the seed and the shrunk schedule.
void CheckSeed(std::uint64_t seed) {
  SeededChoices choices(seed);
  const std::vector<Step> schedule = GenerateSchedule(choices, kStepsPerSchedule);
  const std::optional<std::string> failure = RunSchedule(schedule);
  if (!failure) return;
  const std::vector<Step> shortest = Shrink(schedule);
  std::string steps;
  for (std::size_t i = 0; i < shortest.size(); ++i)
    steps += "\n  " + std::to_string(i) + ": " + shortest[i].ToString();
  ADD_FAILURE() << "seed " << seed << " (SUP_MODEL_SEED=" << seed - kFlavourOffset
                << " SUP_MODEL_SCHEDULES=1 repeats it): " << *failure
                << "\nshortest failing schedule (" << shortest.size()
                << " steps), failing with: " << RunSchedule(shortest).value_or("(passes?)") << steps
                << "\nto keep it, as tests/model/regressions/<what-it-found>.txt:\n"
                << ScheduleToText(shortest);
}

TEST(EngineModelTest, RandomSchedulesKeepEveryInvariant) {
  const std::uint64_t count = ScheduleCount();
  const std::uint64_t base = BaseSeed();
  std::printf("model: %llu schedules from SUP_MODEL_SEED=%llu (flavour %d)\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(base),
              SUP_MODEL_FLAVOUR);
  for (std::uint64_t seed = base; seed < base + count; ++seed) {
    CheckSeed(seed + kFlavourOffset);
    if (HasFailure()) return;  // one shrunk failure is worth reading; thousands are not
  }
}

// Schedules that once failed, kept as files (regressions/): what they found stays fixed whatever
// the generator becomes. A new failure's shrunk schedule goes there too (ScheduleToText).
TEST(EngineModelTest, RegressionSchedulesStayFixed) {
  const std::filesystem::path folder = SUP_SOURCE_DIR "/tests/model/regressions";
  std::size_t replayed = 0;
  for (const std::filesystem::directory_entry& entry :
       std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    Result<std::vector<Step>> schedule = ScheduleFromText(text.str());
    ASSERT_TRUE(schedule) << entry.path().filename().string() << ": " << schedule.error().message();
    EXPECT_EQ(RunSchedule(*schedule), std::nullopt) << entry.path().filename().string();
    ++replayed;
  }
  // A folder that went missing must not pass green.
  EXPECT_GE(replayed, 11u) << folder.string();
}

// Each seed's schedule is its own: neighbouring seeds once shared every step after the first
// few (the generator's state was seed * G + 1, stepped by G: draw k of seed s was draw k-1 of
// seed s + 1), so 3 000 schedules were about 23 independent ones.
TEST(EngineModelTest, NeighbouringSeedsMakeIndependentSchedules) {
  constexpr std::uint64_t kSeeds = 1000;
  std::set<std::string> tails;
  std::set<std::string> steps;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SeededChoices choices(seed);
    const std::vector<Step> schedule = GenerateSchedule(choices, kStepsPerSchedule);
    std::string tail;
    for (std::size_t i = 10; i < schedule.size(); ++i) {
      tail += schedule[i].ToString() + "\n";
      steps.insert(schedule[i].ToString());
    }
    tails.insert(tail);
  }
  std::printf("model: %zu distinct schedule tails and %zu distinct steps in seeds 1-%llu\n",
              tails.size(), steps.size(), static_cast<unsigned long long>(kSeeds));
  EXPECT_EQ(tails.size(), kSeeds);
}

// A schedule read back from its text is the same schedule.
TEST(EngineModelTest, ASchedulesTextReadsBackAsTheSameSchedule) {
  SeededChoices choices(7);
  const std::vector<Step> schedule = GenerateSchedule(choices, kStepsPerSchedule);
  Result<std::vector<Step>> back = ScheduleFromText(ScheduleToText(schedule));
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->size(), schedule.size());
  for (std::size_t i = 0; i < schedule.size(); ++i)
    EXPECT_EQ((*back)[i].ToString(), schedule[i].ToString()) << "step " << i;
  Result<std::vector<Step>> bad = ScheduleFromText("# a comment\nstop 0 0 a\njump 1 0 -\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "line 3: no step is called jump");
}

// No false alarm: a dependent that waits for good (its dependency stopped by an operator) is
// where it should be. (That the model catches a broken engine was shown by breaking the engine:
// Available() ignoring a pending intent, or a restart leaving the worker operator-stopped.)
TEST(EngineModelTest, ADependentWaitingForAStoppedDependencyBreaksNoRule) {
  Step reload;
  reload.kind = Step::Kind::kReload;
  reload.config.workers["a"].values["Command"] = config::RawValue::String("a.exe");
  reload.config.workers["b"].values["Command"] = config::RawValue::String("b.exe");
  reload.config.workers["b"].values["DependsOn"] = config::RawValue::MultiString({"a"});
  Step advance;
  advance.kind = Step::Kind::kAdvance;
  advance.number = 5000;
  EXPECT_EQ(RunSchedule({reload, advance}), std::nullopt);
  // The same, with a dependency that can never be ready because nothing may start it: the
  // model's own check of the launcher must stay silent, and the engine must keep b waiting.
  Step stop;
  stop.kind = Step::Kind::kStop;
  stop.workers = {"a"};
  Step start_b;
  start_b.kind = Step::Kind::kStart;
  start_b.workers = {"b"};
  EXPECT_EQ(RunSchedule({reload, advance, stop, advance, start_b, advance}), std::nullopt);
}

}  // namespace
}  // namespace sup::model
