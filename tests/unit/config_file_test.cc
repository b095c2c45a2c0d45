#include "common/config/config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/config/validate.h"

namespace sup::client {
namespace {

const std::string kRoot = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup";

config::RawConfig EveryType() {
  config::RawConfig config;
  config.daemon["LogLevel"] = config::RawValue::String("info");
  config.daemon["LogDirectory"] =
      config::RawValue{config::RawType::kExpandString, "%ProgramData%\\Sup\\logs", {}, 0};
  config::RawWorker& api = config.workers["api"];
  api.values["Command"] =
      config::RawValue::String("\"C:\\Program Files\\api.exe\" --name \"x\" — ünïcode");
  api.values["StopSteps"] = config::RawValue::MultiString({"event", "terminate"});
  api.values["Environment"] = config::RawValue::MultiString({});
  api.values["StopTimeoutMs"] = config::RawValue::Dword(5000);
  api.values["LogMaxBytes"] = config::RawValue::Qword(0x123456789ull);
  api.probes["Liveness"]["Target"] = config::RawValue::String("127.0.0.1:80");
  config.workers["idle"];  // a worker key without values
  return config;
}

void ExpectSameValues(const config::RawValues& a, const config::RawValues& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, value] : a) {
    ASSERT_TRUE(b.contains(name)) << name;
    const config::RawValue& other = b.at(name);
    EXPECT_EQ(value.type, other.type) << name;
    EXPECT_EQ(value.text, other.text) << name;
    EXPECT_EQ(value.list, other.list) << name;
    EXPECT_EQ(value.number, other.number) << name;
  }
}

void ExpectSame(const config::RawConfig& a, const config::RawConfig& b) {
  ExpectSameValues(a.daemon, b.daemon);
  ASSERT_EQ(a.workers.size(), b.workers.size());
  for (const auto& [name, worker] : a.workers) {
    ASSERT_TRUE(b.workers.contains(name)) << name;
    ExpectSameValues(worker.values, b.workers.at(name).values);
    ASSERT_EQ(worker.probes.size(), b.workers.at(name).probes.size());
    for (const auto& [probe, values] : worker.probes)
      ExpectSameValues(values, b.workers.at(name).probes.at(probe));
  }
}

TEST(ConfigFileTest, RegFileIsUtf16WithTheRegeditHeaderAndRoundTripsEveryType) {
  const std::string file = config::ToRegFile(EveryType(), kRoot);
  ASSERT_GE(file.size(), 4u);
  EXPECT_EQ(file.substr(0, 4), std::string("\xFF\xFEW\0", 4));
  Result<config::RawConfig> back = config::FromRegFile(file, kRoot);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ExpectSame(EveryType(), *back);
}

TEST(ConfigFileTest, ReadsWhatRegExportWrites) {
  const std::string exported =
      "Windows Registry Editor Version 5.00\r\n\r\n"
      "; a comment\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n"
      "\"LogLevel\"=\"debug\"\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\State]\r\n"
      "\"StoppedByOperator\"=hex(7):61,00,00,00,00,00\r\n\r\n"
      "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\Workers\\a]\r\n"
      "@=\"\"\r\n"
      "\"Command\"=\"a.exe\"\r\n"
      "\"DependsOn\"=hex(7):62,00,00,00,63,00,00,\\\r\n"
      "  00,00,00\r\n"
      "\"StopTimeoutMs\"=dword:00001388\r\n";
  Result<config::RawConfig> config = config::FromRegFile(exported, kRoot);
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->daemon.at("LogLevel").text, "debug");
  EXPECT_FALSE(
      config->daemon.contains("StoppedByOperator"));  // operator state is not configuration
  const config::RawWorker& a = config->workers.at("a");
  EXPECT_EQ(a.values.at("DependsOn").list, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(a.values.at("StopTimeoutMs").number, 5000u);
}

// A UTF-8 file with bytes that are no character: they read as U+FFFD, so what is imported is
// valid text and exports back exactly (the fuzzer found the byte kept as it was).
TEST(ConfigFileTest, InvalidUtf8ReadsAsReplacementCharacters) {
  const std::string file =
      "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\Workers\\a]\n\"Command\"=\"a.e\x81"
      "e\"\n";
  Result<config::RawConfig> config = config::FromRegFile(file, kRoot);
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->workers.at("a").values.at("Command").text,
            "a.e\xEF\xBF\xBD"
            "e");
  Result<config::RawConfig> back = config::FromRegFile(config::ToRegFile(*config, kRoot), kRoot);
  ASSERT_TRUE(back.ok());
  ExpectSame(*config, *back);
}

TEST(ConfigFileTest, RefusesWhatItCannotImportNamingTheLine) {
  const std::string header = "Windows Registry Editor Version 5.00\r\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "no \"Windows Registry Editor Version 5.00\" header"},
      {"nonsense\r\n", "line 1: expected the header"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\r\n",
       "line 2: the key [HKEY_LOCAL_MACHINE\\SOFTWARE\\Other] is not below"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup\\Elsewhere]\r\n",
       "is not part of sup's configuration"},
      {header + "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n", "deleting a key is not supported"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n\"x\"=-\r\n", "line 3: deleting a value"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n\"x\"=dword:12\r\n",
       "line 3: dword:12 is not 8 hex digits"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n\"x\"=dword:zzzzzzzz\r\n",
       "is not 8 hex digits"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\n\"x\"=hex(2\xc4\xa9):00,00\r\n",
       "is not a registry type"},
      {header + "\"x\"=\"y\"\r\n", "line 2: a value before the first [key]"},
      {header + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Sup]\r\nx=y\r\n",
       "line 3: expected \"Name\"=value"},
  };
  for (const auto& [text, says] : bad) {
    Result<config::RawConfig> config = config::FromRegFile(text, kRoot);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.error().message().find(says), std::string::npos) << config.error().message();
  }
}

TEST(ConfigFileTest, JsonRoundTripsEveryTypeReadably) {
  const std::string json = config::ToJson(EveryType());
  EXPECT_NE(json.find("\"StopTimeoutMs\": 5000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"expand\": \"%ProgramData%\\\\Sup\\\\logs\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"qword\": 4886718345"), std::string::npos) << json;
  Result<config::RawConfig> back = config::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ExpectSame(EveryType(), *back);
}

TEST(ConfigFileTest, RefusesMalformedJsonNamingWhere) {
  EXPECT_NE(config::FromJson("{").error().message().find("not valid JSON"), std::string::npos);
  EXPECT_NE(config::FromJson("{\"extra\": 1}").error().message().find("unknown member \"extra\""),
            std::string::npos);
  EXPECT_NE(config::FromJson("{\"workers\": {\"a\": {\"Command\": true}}}")
                .error()
                .message()
                .find("workers\\a\\Command: expected"),
            std::string::npos);
  EXPECT_NE(config::FromJson("{\"daemon\": {\"X\": -1}}").error().message().find("daemon\\X"),
            std::string::npos);
  EXPECT_NE(config::FromJson("{\"daemon\": {\"X\": 99999999999}}")
                .error()
                .message()
                .find("above 32 bits"),
            std::string::npos);
}

TEST(ConfigFileTest, FormatFollowsTheNameOrTheExtension) {
  EXPECT_EQ(*config::ParseConfigFormat("JSON"), config::ConfigFormat::kJson);
  EXPECT_FALSE(config::ParseConfigFormat("xml").ok());
  EXPECT_EQ(config::FormatOfPath("C:\\backup\\sup.json"), config::ConfigFormat::kJson);
  EXPECT_EQ(config::FormatOfPath("sup.reg"), config::ConfigFormat::kReg);
}

// The example every new user imports first is read by the .reg reader and accepted whole by
// the schema: three valid workers, no error.
TEST(ConfigFileTest, TheExampleConfigurationIsValid) {
  std::ifstream file(SUP_SOURCE_DIR "/config/example.reg", std::ios::binary);
  if (!file)
    GTEST_SKIP() << "source tree not reachable from here (under Wine the native run checks it)";
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  Result<config::RawConfig> raw = config::FromRegFile(bytes, kRoot);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  const ValidatedConfig config = config::ValidateConfig(*raw);
  EXPECT_TRUE(config.daemon_errors.empty());
  for (const auto& [name, errors] : config.invalid_workers)
    ADD_FAILURE() << name << ": " << errors.front().ToString();
  ASSERT_EQ(config.workers.size(), 3u);
  EXPECT_EQ(config.workers.at("queue-consumer").policy.depends_on,
            std::vector<std::string>{"web-api"});
  EXPECT_EQ(config.workers.at("web-api").policy.probes.size(), 2u);
  EXPECT_EQ(config.workers.at("report-batch").policy.restart, RestartMode::kOnFailure);
}

}  // namespace
}  // namespace sup::client
