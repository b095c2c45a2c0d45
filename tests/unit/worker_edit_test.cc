#include "client/config/worker_edit.h"

#include <gtest/gtest.h>

#include "common/worker_sid.h"

namespace sup::client {
namespace {

// The registry in memory, counting writes so a refused edit can be seen to write nothing.
class MemoryStore final : public config::ConfigStore {
 public:
  Result<config::RawConfig> Read() override { return config; }
  Result<void> SetWorkerValue(const std::string& worker, const std::string& key,
                              const config::RawValue& value) override {
    ++writes;
    const std::size_t slash = key.rfind('\\');
    if (slash == std::string::npos) {
      config.workers[worker].values[key] = value;
    } else {
      config.workers[worker].probes[key.substr(7, slash - 7)][key.substr(slash + 1)] =
          value;  // after "Probes\"
    }
    return Ok();
  }
  Result<void> DeleteWorkerValue(const std::string& worker, const std::string& key) override {
    ++writes;
    config.workers[worker].values.erase(key);
    return Ok();
  }
  Result<void> DeleteWorker(const std::string& worker) override {
    ++writes;
    config.workers.erase(worker);
    return Ok();
  }
  Result<void> SetDaemonValue(const std::string& key, const config::RawValue& value) override {
    ++writes;
    config.daemon[key] = value;
    return Ok();
  }
  Result<void> Clear() override {
    ++writes;
    config = {};
    return Ok();
  }

  config::RawConfig config;
  int writes = 0;
};

TEST(WorkerEditTest, TextBecomesTheRegistryTypeTheSchemaWants) {
  EXPECT_EQ(ParseWorkerSetting("StopTimeoutMs", "5000")->type, config::RawType::kDword);
  EXPECT_EQ(ParseWorkerSetting("stoptimeoutms", "5000")->number, 5000u);
  EXPECT_EQ(ParseWorkerSetting("Command", "a.exe")->type, config::RawType::kString);
  EXPECT_EQ(ParseWorkerSetting("Command", "%ProgramFiles%\\a.exe")->type,
            config::RawType::kExpandString);
  Result<config::RawValue> steps = ParseWorkerSetting("StopSteps", "event, terminate");
  ASSERT_TRUE(steps.ok()) << steps.error().message();
  EXPECT_EQ(steps->list, (std::vector<std::string>{"event", "terminate"}));
  EXPECT_EQ(ParseWorkerSetting("Enabled", "no")->number, 0u);
  EXPECT_EQ(ParseWorkerSetting("Probes\\liveness\\PeriodMs", "2000")->number, 2000u);
}

TEST(WorkerEditTest, RefusesUnknownKeysWrongTypesAndOutOfRangeValuesWithTheSchemasWords) {
  Result<config::RawValue> unknown = ParseWorkerSetting("StopTimeout", "5");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("unknown worker value \"StopTimeout\": one of Command,"),
            std::string::npos)
      << unknown.error().message();

  // NAME=VALUE, as sc.exe writes it, is told how to write it here.
  Result<config::RawValue> joined = ParseWorkerSetting("MemoryRestartMB=500", "");
  ASSERT_FALSE(joined.ok());
  EXPECT_EQ(joined.error().message(),
            "\"MemoryRestartMB=500\" is a value and its name in one: give them apart, as in "
            "`supctl worker set WORKER MemoryRestartMB 500`");

  Result<config::RawValue> word = ParseWorkerSetting("StopTimeoutMs", "ten");
  ASSERT_FALSE(word.ok());
  EXPECT_NE(word.error().message().find("StopTimeoutMs: expected a whole number, found \"ten\" ("),
            std::string::npos)
      << word.error().message();

  Result<config::RawValue> range = ParseWorkerSetting("LogBackups", "5000");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message().find("LogBackups: expected a REG_DWORD"), std::string::npos)
      << range.error().message();
  EXPECT_NE(range.error().message().find("0 to 1000"), std::string::npos)
      << range.error().message();

  Result<config::RawValue> choice = ParseWorkerSetting("Restart", "sometimes");
  ASSERT_FALSE(choice.ok());
  EXPECT_NE(choice.error().message().find("found \"sometimes\""), std::string::npos);

  EXPECT_FALSE(ParseWorkerSetting("Enabled", "maybe").ok());
  EXPECT_FALSE(ParseWorkerSetting("Probes\\Sideways\\Target", "x").ok());
  EXPECT_FALSE(ParseWorkerSetting("Probes\\Liveness\\Colour", "x").ok());
}

TEST(WorkerEditTest, AddWritesTheCommandAndSettingsOfAValidWorker) {
  MemoryStore store;
  ASSERT_TRUE(AddWorker(store, "api", "api.exe --port 80",
                        {{"StopTimeoutMs", "2000"},
                         {"Probes\\Liveness\\Type", "tcp"},
                         {"Probes\\Liveness\\Target", "127.0.0.1:80"}})
                  .ok());
  const config::RawWorker& api = store.config.workers.at("api");
  EXPECT_EQ(api.values.at("Command").text, "api.exe --port 80");
  EXPECT_EQ(api.values.at("StopTimeoutMs").number, 2000u);
  EXPECT_EQ(api.probes.at("Liveness").at("Target").text, "127.0.0.1:80");
}

TEST(WorkerEditTest, RefusedEditsWriteNothing) {
  MemoryStore store;
  ASSERT_TRUE(AddWorker(store, "api", "api.exe", {}).ok());
  const int writes = store.writes;
  EXPECT_FALSE(AddWorker(store, "api", "again.exe", {}).ok());  // exists
  EXPECT_FALSE(AddWorker(store, "bad name", "x.exe", {}).ok());
  EXPECT_FALSE(AddWorker(store, "web", "", {}).ok());  // Command too short
  Result<void> dangling = AddWorker(store, "web", "web.exe", {{"DependsOn", "nosuch"}});
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.error().message().find(
                "Workers\\web would not be valid:\n  Workers\\web\\DependsOn: expected names "
                "of configured workers, found unknown worker \"nosuch\""),
            std::string::npos)
      << dangling.error().message();
  EXPECT_FALSE(AddWorker(store, "web", "web.exe", {{"NoSuchKey", "1"}}).ok());
  EXPECT_FALSE(
      AddWorker(store, "web", "web.exe", {{"Probes\\Liveness\\Type", "tcp"}}).ok());  // no Target
  EXPECT_FALSE(SetWorkerSetting(store, "api", "BackoffInitialMs", "-1").ok());
  EXPECT_EQ(SetWorkerSetting(store, "nosuch", "Enabled", "0").error().kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(UnsetWorkerSetting(store, "api", "Command").ok());  // required
  EXPECT_EQ(store.writes, writes);
}

TEST(WorkerEditTest, SetUnsetAndRemoveRoundTrip) {
  MemoryStore store;
  ASSERT_TRUE(AddWorker(store, "api", "api.exe", {}).ok());
  ASSERT_TRUE(SetWorkerSetting(store, "api", "MaxFailures", "9").ok());
  EXPECT_EQ(store.config.workers.at("api").values.at("MaxFailures").number, 9u);
  ASSERT_TRUE(UnsetWorkerSetting(store, "api", "maxfailures").ok());
  EXPECT_FALSE(store.config.workers.at("api").values.contains("MaxFailures"));
  ASSERT_TRUE(RemoveWorker(store, "api").ok());
  EXPECT_TRUE(store.config.workers.empty());
  EXPECT_EQ(RemoveWorker(store, "api").error().kind(), ErrorKind::kNotFound);
}

TEST(WorkerEditTest, AWorkerOthersDependOnStays) {
  MemoryStore store;
  ASSERT_TRUE(AddWorker(store, "db", "db.exe", {}).ok());
  ASSERT_TRUE(AddWorker(store, "api", "api.exe", {{"DependsOn", "db"}}).ok());
  Result<void> removed = RemoveWorker(store, "db");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().message(),
            "worker api depends on db (remove it from its DependsOn first)");
}

TEST(WorkerEditTest, ImportMergesOrReplacesAfterValidatingEverything) {
  MemoryStore store;
  ASSERT_TRUE(AddWorker(store, "old", "old.exe", {}).ok());
  config::RawConfig incoming;
  incoming.daemon["LogLevel"] = config::RawValue::String("debug");
  incoming.workers["api"].values["Command"] = config::RawValue::String("api.exe");
  incoming.workers["api"].probes["Liveness"]["Type"] = config::RawValue::String("tcp");
  incoming.workers["api"].probes["Liveness"]["Target"] = config::RawValue::String("127.0.0.1:80");

  ASSERT_TRUE(ImportConfig(store, incoming, /*replace=*/false).ok());
  EXPECT_TRUE(store.config.workers.contains("old"));
  EXPECT_EQ(store.config.workers.at("api").probes.at("Liveness").at("Target").text, "127.0.0.1:80");
  EXPECT_EQ(store.config.daemon.at("LogLevel").text, "debug");

  ASSERT_TRUE(ImportConfig(store, incoming, /*replace=*/true).ok());
  EXPECT_FALSE(store.config.workers.contains("old"));
  EXPECT_TRUE(store.config.workers.contains("api"));

  const int writes = store.writes;
  config::RawConfig broken = incoming;
  broken.daemon["LogLevel"] = config::RawValue::String("loud");
  broken.workers["web"].values["Command"] = config::RawValue::Dword(1);
  Result<void> refused = ImportConfig(store, broken, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("nothing imported"), std::string::npos);
  EXPECT_NE(refused.error().message().find("LogLevel"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("Workers\\web\\Command"), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(store.writes, writes);
}

TEST(WorkerEditTest, ShowListsValuesWithTheirTypes) {
  config::RawWorker worker;
  worker.values["Command"] = config::RawValue::String("api.exe");
  worker.values["StopSteps"] = config::RawValue::MultiString({"event", "terminate"});
  worker.probes["Liveness"]["PeriodMs"] = config::RawValue::Dword(500);
  EXPECT_EQ(RenderWorker("api", worker),
            "api\n  worker SID " + WorkerSid("api") +
                " (grant it a folder: icacls <folder> /grant *SID:M)\n"
                "  Command = api.exe (REG_SZ)\n  StopSteps = event,terminate (REG_MULTI_SZ)\n"
                "  Probes\\Liveness\\PeriodMs = 500 (REG_DWORD)\n");
}

}  // namespace
}  // namespace sup::client
