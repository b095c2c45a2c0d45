#include "client/service/service_spec.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

using std::chrono::milliseconds;
using Kind = FailureAction::Kind;

TEST(ServiceSpecTest, ParsesStartTypesInAnyCase) {
  EXPECT_EQ(*ParseStartType("auto"), StartType::kAuto);
  EXPECT_EQ(*ParseStartType("Delayed-Auto"), StartType::kDelayedAuto);
  EXPECT_EQ(*ParseStartType("demand"), StartType::kDemand);
  EXPECT_EQ(*ParseStartType("disabled"), StartType::kDisabled);
  Result<StartType> bad = ParseStartType("manual");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "start type \"manual\" is not one of auto, delayed-auto, demand, disabled");
}

TEST(ServiceSpecTest, ParsesFailureActions) {
  Result<std::vector<FailureAction>> actions =
      ParseFailureActions("restart/5000,restart/10000,none");
  ASSERT_TRUE(actions.ok()) << actions.error().message();
  EXPECT_EQ(*actions, (std::vector<FailureAction>{{Kind::kRestart, milliseconds(5000)},
                                                  {Kind::kRestart, milliseconds(10000)},
                                                  {Kind::kNone, milliseconds(0)}}));
  EXPECT_EQ(FormatFailureActions(*actions), "restart/5000,restart/10000,none");
}

TEST(ServiceSpecTest, RefusesMalformedFailureActionsNamingThePart) {
  for (const char* bad : {"", "restart", "restart/", "restart/-1", "restart/5s", "reboot/100",
                          "none,,none", "restart/99999999999"}) {
    Result<std::vector<FailureAction>> actions = ParseFailureActions(bad);
    ASSERT_FALSE(actions.ok()) << bad;
    EXPECT_NE(actions.error().message().find("restart/5000,restart/10000,none"), std::string::npos)
        << bad;
  }
  EXPECT_NE(ParseFailureActions("restart/1,reboot/100").error().message().find("\"reboot/100\""),
            std::string::npos);
}

TEST(ServiceSpecTest, KnowsTheBuiltInAccountsByEverySpelling) {
  EXPECT_EQ(BuiltInAccountName("localsystem"), "LocalSystem");
  EXPECT_EQ(BuiltInAccountName("NT AUTHORITY\\SYSTEM"), "LocalSystem");
  EXPECT_EQ(BuiltInAccountName("NetworkService"), "NT AUTHORITY\\NetworkService");
  EXPECT_EQ(BuiltInAccountName("NT AUTHORITY\\LOCAL SERVICE"), "NT AUTHORITY\\LocalService");
  EXPECT_FALSE(BuiltInAccountName("CONTOSO\\svc-sup"));
  EXPECT_TRUE(IsUserAccount(".\\sup"));
  EXPECT_FALSE(IsUserAccount("LocalService"));
  // Only a plain user account takes a password; a managed one still needs the logon right.
  EXPECT_TRUE(NeedsPassword(".\\sup"));
  EXPECT_TRUE(NeedsPassword("CONTOSO\\svc-sup"));
  EXPECT_TRUE(NeedsPassword("svc@contoso.example"));
  EXPECT_FALSE(NeedsPassword("NT SERVICE\\supd"));
  EXPECT_FALSE(NeedsPassword("nt service\\supd"));
  EXPECT_FALSE(NeedsPassword("CONTOSO\\gmsa-sup$"));
  EXPECT_FALSE(NeedsPassword("gmsa-sup$@contoso.example"));
  EXPECT_FALSE(NeedsPassword("LocalSystem"));
  EXPECT_TRUE(IsVirtualAccount("NT SERVICE\\supd"));
  EXPECT_FALSE(IsVirtualAccount("NT SERVICE\\"));
  EXPECT_TRUE(IsManagedAccount("CONTOSO\\gmsa-sup$"));
  EXPECT_TRUE(NeedsLogonRight("CONTOSO\\gmsa-sup$"));
  EXPECT_TRUE(NeedsLogonRight(".\\sup"));
  EXPECT_FALSE(NeedsLogonRight("NT SERVICE\\supd"));
  EXPECT_FALSE(NeedsLogonRight("NetworkService"));
}

TEST(ServiceSpecTest, ImagePathQuotesTheBinaryAndSplitsBack) {
  ServiceSpec spec = DefaultServiceSpec("C:\\Program Files\\Sup\\supd.exe");
  spec.arguments = "--pipe-prefix sup2 --config-key \"HKLM\\SOFTWARE\\Sup 2\"";
  EXPECT_EQ(spec.ImagePath(),
            "\"C:\\Program Files\\Sup\\supd.exe\" --pipe-prefix sup2 --config-key "
            "\"HKLM\\SOFTWARE\\Sup 2\"");
  std::string binary, arguments;
  SplitImagePath(spec.ImagePath(), binary, arguments);
  EXPECT_EQ(binary, spec.binary);
  EXPECT_EQ(arguments, spec.arguments);

  spec.binary = "C:\\sup\\supd.exe";  // no space: still quoted, the SCM never guesses
  spec.arguments.clear();
  EXPECT_EQ(spec.ImagePath(), "\"C:\\sup\\supd.exe\"");
  SplitImagePath("C:\\sup\\supd.exe run", binary, arguments);
  EXPECT_EQ(binary, "C:\\sup\\supd.exe");
  EXPECT_EQ(arguments, "run");
}

TEST(ServiceSpecTest, DefaultsAreAutoStartAndRestartsResetDaily) {
  const ServiceSpec spec = DefaultServiceSpec("C:\\sup\\supd.exe");
  EXPECT_EQ(spec.name, "supd");
  EXPECT_EQ(spec.start_type, StartType::kAuto);
  EXPECT_EQ(spec.account, "LocalSystem");
  EXPECT_EQ(FormatFailureActions(spec.failure_actions), "restart/5000,restart/5000,restart/60000");
  EXPECT_EQ(spec.reset_period, std::chrono::hours(24));
}

// Windows refuses a second service with the display name of another, so each instance shows
// its own.
TEST(ServiceSpecTest, ASecondInstanceShowsItsNameInItsDisplayName) {
  EXPECT_EQ(DefaultServiceSpec("C:\\sup\\supd.exe").display_name, "sup process supervisor");
  const ServiceSpec second = DefaultServiceSpec("C:\\sup\\supd.exe", "sup-b");
  EXPECT_EQ(second.name, "sup-b");
  EXPECT_EQ(second.display_name, "sup process supervisor (sup-b)");
}

TEST(ServiceSpecTest, OverridesChangeOnlyWhatWasGivenAndNormaliseTheAccount) {
  const ServiceSpec installed = DefaultServiceSpec("C:\\sup\\supd.exe");
  ServiceOverrides overrides;
  overrides.description = "new words";
  overrides.account = "networkservice";
  const ServiceSpec wanted = ApplyOverrides(installed, overrides);
  EXPECT_EQ(wanted.description, "new words");
  EXPECT_EQ(wanted.account, "NT AUTHORITY\\NetworkService");
  EXPECT_EQ(wanted.binary, installed.binary);
  EXPECT_EQ(wanted.failure_actions, installed.failure_actions);
}

TEST(ServiceSpecTest, DiffListsChangedFieldsAndKnowsWhichNeedARestart) {
  const ServiceSpec installed = DefaultServiceSpec("C:\\sup\\supd.exe");
  ServiceSpec wanted = installed;
  EXPECT_TRUE(Diff(installed, wanted, false).empty());
  EXPECT_EQ(DescribeChange(Diff(installed, wanted, false)), "  no changes\n");

  wanted.description = "other";
  wanted.start_type = StartType::kDelayedAuto;
  ServiceChange change = Diff(installed, wanted, false);
  ASSERT_EQ(change.fields.size(), 2u);
  EXPECT_EQ(change.fields[0].field, "description");
  EXPECT_EQ(change.fields[1], (FieldChange{"start", "auto", "delayed-auto"}));
  EXPECT_FALSE(change.NeedsRestart());

  wanted.arguments = "--log-level debug";
  change = Diff(installed, wanted, false);
  EXPECT_TRUE(change.NeedsRestart());
  EXPECT_TRUE(DescribeChange(change).starts_with(
      "  arguments: \"\" -> \"--log-level debug\"\n  description: "))
      << DescribeChange(change);
  EXPECT_TRUE(Diff(installed, installed, /*new_password=*/true).NeedsRestart());
}

// Wine's msiexec registers a service's program unquoted: `service prepare` quotes it, or the SCM
// would first look for C:\Program.exe (the unquoted service path weakness).
TEST(ServiceSpecTest, AnUnquotedProgramPathWithSpacesIsQuotedUpToItsExe) {
  EXPECT_EQ(QuoteUnquotedProgram("C:\\Program Files\\Sup\\supd.exe"),
            "\"C:\\Program Files\\Sup\\supd.exe\"");
  EXPECT_EQ(QuoteUnquotedProgram("C:\\Program Files\\Sup\\SUPD.EXE --pipe-prefix a b"),
            "\"C:\\Program Files\\Sup\\SUPD.EXE\" --pipe-prefix a b");
  // A folder named like a program is not where it ends.
  EXPECT_EQ(QuoteUnquotedProgram("C:\\My Tools\\x.exes\\supd.exe"),
            "\"C:\\My Tools\\x.exes\\supd.exe\"");
  EXPECT_EQ(QuoteUnquotedProgram("\"C:\\Program Files\\Sup\\supd.exe\""), std::nullopt);
  EXPECT_EQ(QuoteUnquotedProgram("C:\\Sup\\supd.exe --log-level debug"), std::nullopt);
  EXPECT_EQ(QuoteUnquotedProgram(""), std::nullopt);
  EXPECT_EQ(QuoteUnquotedProgram("C:\\Program Files\\no program here"), std::nullopt);
}

}  // namespace
}  // namespace sup::client
