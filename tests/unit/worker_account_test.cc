#include "common/worker_account.h"

#include <gtest/gtest.h>

namespace sup {
namespace {

WorkerAccount Parsed(std::string_view text) {
  Result<WorkerAccount> account = ParseWorkerAccount(text);
  EXPECT_TRUE(account.ok()) << text << ": " << (account ? "" : account.error().message());
  return account.ok() ? *account : WorkerAccount{};
}

std::string Refusal(std::string_view text) {
  Result<WorkerAccount> account = ParseWorkerAccount(text);
  return account ? "accepted as " + account->ToString() : account.error().message();
}

TEST(WorkerAccountTest, TheBuiltInAccountsInEveryFormAdminsWrite) {
  for (const char* system : {"", "LocalSystem", "localsystem", "NT AUTHORITY\\SYSTEM",
                             ".\\LocalSystem", "nt authority\\system"}) {
    EXPECT_EQ(Parsed(system).kind, AccountKind::kLocalSystem) << system;
  }
  for (const char* local : {"LocalService", "NT AUTHORITY\\LocalService",
                            "NT AUTHORITY\\Local Service", ".\\localservice"}) {
    EXPECT_EQ(Parsed(local),
              (WorkerAccount{AccountKind::kLocalService, "NT AUTHORITY", "LocalService"}))
        << local;
  }
  EXPECT_EQ(Parsed("NT AUTHORITY\\Network Service").ToString(), "NT AUTHORITY\\NetworkService");
  EXPECT_EQ(Parsed("LocalSystem").ToString(), "LocalSystem");
  EXPECT_FALSE(Parsed("LocalService").needs_password());
}

TEST(WorkerAccountTest, UsersAndManagedAccounts) {
  EXPECT_EQ(Parsed(".\\svc-web"), (WorkerAccount{AccountKind::kUser, ".", "svc-web"}));
  EXPECT_EQ(Parsed("CORP\\svc web"), (WorkerAccount{AccountKind::kUser, "CORP", "svc web"}));
  EXPECT_EQ(Parsed("svc@corp.example"),
            (WorkerAccount{AccountKind::kUser, "", "svc@corp.example"}));
  EXPECT_TRUE(Parsed("CORP\\svc").needs_password());
  EXPECT_EQ(Parsed("CORP\\gmsa-web$"),
            (WorkerAccount{AccountKind::kGroupManaged, "CORP", "gmsa-web$"}));
  EXPECT_EQ(Parsed("gmsa-web$@corp.example").kind, AccountKind::kGroupManaged);
  EXPECT_FALSE(Parsed("CORP\\gmsa-web$").needs_password());
  EXPECT_EQ(Parsed("CORP\\gmsa-web$").ToString(), "CORP\\gmsa-web$");
}

TEST(WorkerAccountTest, EachRefusalSaysWhatAnAccountIs) {
  const std::string forms = ": an Account is LocalSystem, LocalService, NetworkService, .\\name";
  EXPECT_EQ(Refusal("svc-web").find("\"svc-web\" names no domain" + forms), 0u)
      << Refusal("svc-web");
  EXPECT_EQ(Refusal("CORP\\").find("\"CORP\\\" has an empty domain or name"), 0u);
  EXPECT_EQ(Refusal("\\svc").find("\"\\svc\" has an empty domain or name"), 0u);
  EXPECT_EQ(Refusal("CORP\\a\\b").find("\"CORP\\a\\b\" holds a character no account name may"), 0u);
  EXPECT_NE(Refusal("CORP\\svc*").find("holds a character"), std::string::npos);
  EXPECT_EQ(Refusal("NT AUTHORITY\\IUSR").find("is no account NT AUTHORITY has for workers"), 20u)
      << Refusal("NT AUTHORITY\\IUSR");
  EXPECT_NE(Refusal(".\\gmsa$").find("a group managed service account of no domain"),
            std::string::npos);
  EXPECT_NE(Refusal("a@b@c").find("names no domain"), std::string::npos);
  EXPECT_NE(Refusal(std::string(300, 'x')).find("longer than 256 characters"), std::string::npos);
}

}  // namespace
}  // namespace sup
