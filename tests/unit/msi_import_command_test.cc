#include "common/msi_import_command.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

using Arguments = std::vector<std::string>;
constexpr char kSupctl[] = "C:\\Program Files\\Sup\\supctl.exe";

Result<Arguments> Command(const std::string& source_dir, const std::string& config_file) {
  return MsiImportCommand(std::string(kSupctl) + "|" + source_dir + "|" + config_file);
}

TEST(MsiImportCommandTest, AnAbsolutePathIsOneArgumentAsGiven) {
  Result<Arguments> command = Command("D:\\media\\", "C:\\deploy\\workers.reg");
  ASSERT_TRUE(command) << command.error().message();
  EXPECT_EQ(*command, (Arguments{kSupctl, "config", "import", "C:\\deploy\\workers.reg"}));
  command = Command("D:\\media\\", "\\deploy\\workers.json");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->back(), "\\deploy\\workers.json");
}

TEST(MsiImportCommandTest, ARelativePathIsThePackagesFolders) {
  Result<Arguments> command = Command("D:\\media\\", "workers.reg");
  ASSERT_TRUE(command) << command.error().message();
  EXPECT_EQ(command->back(), "D:\\media\\workers.reg");
  command = Command("D:\\media", "sub dir\\workers.reg");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->back(), "D:\\media\\sub dir\\workers.reg");
  // An administrator who installs from a share chose that share.
  command = Command("\\\\deploy\\sup\\", "workers.reg");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->back(), "\\\\deploy\\sup\\workers.reg");
}

TEST(MsiImportCommandTest, BarsAndOptionsInTheValueStayInsideTheOneArgument) {
  // The attack: "good.reg|--replace" used to become a second argument that wiped the
  // configuration.
  Result<Arguments> command = Command("D:\\media\\", "C:\\sup\\good.reg|--replace");
  ASSERT_TRUE(command) << command.error().message();
  EXPECT_EQ(*command, (Arguments{kSupctl, "config", "import", "C:\\sup\\good.reg|--replace"}));
  command = Command("D:\\media\\", "C:\\x\" --replace \"y.reg");
  ASSERT_TRUE(command);
  EXPECT_EQ(command->size(), 4u);
  EXPECT_EQ(command->back(), "C:\\x\" --replace \"y.reg");
}

TEST(MsiImportCommandTest, AValueThatWouldBeAnOptionIsRefused) {
  for (const char* value : {"--replace", "-h", "--format=json"}) {
    Result<Arguments> command = Command("D:\\media\\", value);
    ASSERT_FALSE(command) << value;
    EXPECT_NE(command.error().message().find(std::string("CONFIG_FILE=") + value + " is refused"),
              std::string::npos)
        << command.error().message();
    EXPECT_NE(command.error().message().find("begins with '-'"), std::string::npos);
  }
}

TEST(MsiImportCommandTest, NetworkDeviceAndNtPathsAreRefused) {
  for (const char* value :
       {"\\\\attacker\\share\\evil.reg", "//attacker/share/evil.reg", "\\/attacker/share/evil.reg",
        "\\\\?\\UNC\\attacker\\s\\e.reg", "\\\\.\\pipe\\x", "\\??\\UNC\\attacker\\s\\e.reg"}) {
    Result<Arguments> command = Command("D:\\media\\", value);
    ASSERT_FALSE(command) << value;
    EXPECT_NE(command.error().message().find(std::string("CONFIG_FILE=") + value + " is refused"),
              std::string::npos)
        << command.error().message();
  }
  EXPECT_NE(Command("D:\\", "\\\\h\\s\\e.reg").error().message().find("network or device path"),
            std::string::npos);
}

TEST(MsiImportCommandTest, AnEmptyValueOrABrokenPackageIsRefused) {
  EXPECT_FALSE(Command("D:\\media\\", ""));
  EXPECT_FALSE(MsiImportCommand(""));
  EXPECT_FALSE(MsiImportCommand("C:\\supctl.exe|C:\\workers.reg"));  // no SourceDir field
  EXPECT_FALSE(MsiImportCommand("|D:\\|C:\\workers.reg"));           // no supctl
  EXPECT_EQ(MsiImportCommand("C:\\supctl.exe").error().kind(), ErrorKind::kInternal);
  EXPECT_FALSE(Command("", "workers.reg"));  // relative, with no folder to take it from
}

}  // namespace
}  // namespace sup
