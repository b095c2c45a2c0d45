// supctl worker set-password: supd keeps (or forgets) a worker account's password for
// administrators only, checks what it is given, and never sends it back, logs it or audits it.
// Where it is kept (DPAPI, <key>\Secrets) is PasswordVaultTest's, under Wine.
#include <gtest/gtest.h>

#include <memory>

#include "common/config/validate.h"
#include "common/protocol.h"
#include "daemon/control/control_dispatcher.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::control {
namespace {

class SetPasswordTest : public ::testing::Test {
 protected:
  // web runs as a local user with its password, batch by s4u, api as LocalSystem.
  void SetUp() override {
    config::RawConfig raw;
    for (const char* name : {"web", "batch", "api"})
      raw.workers[name].values["Command"] = config::RawValue::String(std::string(name) + ".exe");
    raw.workers["web"].values["Account"] = config::RawValue::String(".\\svc-web");
    raw.workers["batch"].values["Account"] = config::RawValue::String("CORP\\svc-batch");
    raw.workers["batch"].values["LogonType"] = config::RawValue::String("s4u");
    engine_.supervisor.ApplyConfig(config::ValidateConfig(raw));
  }

  static sup::v1::Request SetPassword(std::string worker, std::string password,
                                      bool forget = false) {
    sup::v1::Request request;
    request.set_request_id(7);
    request.set_protocol_version(kProtocolVersion);
    request.mutable_set_password()->set_worker(std::move(worker));
    request.mutable_set_password()->set_password(std::move(password));
    request.mutable_set_password()->set_forget(forget);
    return request;
  }

  // The reply to `request` from `caller`, through a session as the pipe would carry it.
  sup::v1::Response Ask(const sup::v1::Request& request, const Caller& caller) {
    std::unique_ptr<Session> session = dispatcher_.Open(sink_, caller);
    EXPECT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
    sup::v1::Response response;
    EXPECT_TRUE(response.ParseFromString(sink_.frames.back()));
    return response;
  }

  sup::v1::DescribeResponse::Password PasswordOf(const std::string& worker) {
    sup::v1::Request request;
    request.set_request_id(8);
    request.set_protocol_version(kProtocolVersion);
    request.mutable_describe()->set_worker(worker);
    return dispatcher_.Handle(request).describe().password();
  }

  testing::FakeEngine engine_;
  testing::FakeConfigSource config_;
  ConfigApplier config_apply_{engine_.supervisor, config_};
  testing::FakeOutputSource output_;
  testing::FakeResourceSource resources_;
  testing::FakePasswordStore passwords_;
  struct RecordingAudit final : AuditSink {
    void Audit(const AuditRecord& record) override {
      std::string workers;
      for (const std::string& worker : record.workers) workers += " " + worker;
      records.push_back(record.verb + workers + ": " + record.result);
    }
    std::vector<std::string> records;
  } audit_;
  ControlDispatcher dispatcher_{
      ControlPorts{engine_.clock, engine_.supervisor, config_apply_, output_, engine_.events,
                   resources_, nullptr, &audit_, &passwords_},
      DaemonIdentity{1, "1", ""}};
  testing::RecordingSink sink_;
  const Caller admin_{Role::kAdministrator, "BUILTIN\\Administrators"};
};

TEST_F(SetPasswordTest, AnAdministratorKeepsAndForgetsAPasswordThatIsNeverSentBack) {
  EXPECT_EQ(PasswordOf("web"), sup::v1::DescribeResponse::PASSWORD_MISSING);
  const sup::v1::Response kept = Ask(SetPassword("web", "c0rrect horse"), admin_);
  ASSERT_FALSE(kept.has_error()) << kept.error().message();
  EXPECT_EQ(kept.set_password().message(),
            "password of web kept (encrypted for SYSTEM); used from web's next start");
  EXPECT_EQ(passwords_.kept.at("web"), "c0rrect horse");
  EXPECT_EQ(PasswordOf("web"), sup::v1::DescribeResponse::PASSWORD_KEPT);
  // Not in the reply, not in the audit.
  EXPECT_EQ(sink_.frames.back().find("c0rrect"), std::string::npos);
  EXPECT_EQ(audit_.records, std::vector<std::string>{"set-password web: ok"});

  const sup::v1::Response forgotten = Ask(SetPassword("web", "", /*forget=*/true), admin_);
  EXPECT_EQ(forgotten.set_password().message(), "password of web forgotten");
  EXPECT_EQ(PasswordOf("web"), sup::v1::DescribeResponse::PASSWORD_MISSING);
  EXPECT_EQ(Ask(SetPassword("web", "", true), admin_).set_password().message(),
            "no password of web was kept");
}

// Workers that need no password say so (the admin may be about to change the Account); describe
// claims nothing about them.
TEST_F(SetPasswordTest, AWorkerThatNeedsNoPasswordIsToldSo) {
  EXPECT_EQ(Ask(SetPassword("api", "x"), admin_).set_password().message(),
            "password of api kept (encrypted for SYSTEM); api runs as LocalSystem, which needs "
            "none");
  EXPECT_EQ(Ask(SetPassword("batch", "x"), admin_).set_password().message(),
            "password of batch kept (encrypted for SYSTEM); batch runs as CORP\\svc-batch by "
            "s4u, without it");
  EXPECT_EQ(Ask(SetPassword("later", "x"), admin_).set_password().message(),
            "password of later kept (encrypted for SYSTEM); no worker later is defined yet");
  EXPECT_EQ(PasswordOf("api"), sup::v1::DescribeResponse::PASSWORD_NOT_NEEDED);
  EXPECT_EQ(PasswordOf("batch"), sup::v1::DescribeResponse::PASSWORD_NOT_NEEDED);
}

TEST_F(SetPasswordTest, OnlyAdministratorsMaySetOne) {
  for (const Caller& caller :
       {Caller{Role::kOperator, "CORP\\ops"}, Caller{Role::kNone, "CORP\\someone"}}) {
    const sup::v1::Response refused = Ask(SetPassword("web", "mine now"), caller);
    EXPECT_EQ(refused.error().code(), sup::v1::Error::PERMISSION_DENIED);
    EXPECT_EQ(refused.error().message(), "set-password is not allowed for " + caller.name + " (" +
                                             RoleName(caller.role) + ")");
  }
  EXPECT_TRUE(passwords_.kept.empty());
  EXPECT_EQ(audit_.records, (std::vector<std::string>{"set-password web: permission_denied",
                                                      "set-password web: permission_denied"}));
}

TEST_F(SetPasswordTest, EachBadRequestIsNamedAndKeepsNothing) {
  const auto error_of = [&](const sup::v1::Request& request) {
    const sup::v1::Response response = Ask(request, admin_);
    EXPECT_EQ(response.error().code(), sup::v1::Error::INVALID_ARGUMENT);
    return response.error().message();
  };
  EXPECT_EQ(error_of(SetPassword("..\\web", "x")),
            "\"..\\web\" is no worker name (1 to 64 letters, digits, '.', '_' or '-')");
  EXPECT_EQ(error_of(SetPassword("web", "")), "an empty password (to forget one: --forget)");
  const std::string text_windows_takes =
      "the password is not text Windows takes (UTF-8, no NUL, at most 1024 bytes)";
  EXPECT_EQ(error_of(SetPassword("web", std::string("a\0b", 3))), text_windows_takes);
  // Not UTF-8: the pipe's parser refuses the frame already (proto3 strings); Handle checks too.
  EXPECT_EQ(dispatcher_.Handle(SetPassword("web", "\xff\xfe")).error().message(),
            text_windows_takes);
  EXPECT_EQ(error_of(SetPassword("web", std::string(1025, 'p'))), text_windows_takes);
  EXPECT_EQ(error_of(SetPassword("web", "x", /*forget=*/true)),
            "a password and forget: ask for one or the other");
  EXPECT_TRUE(passwords_.kept.empty());
}

TEST_F(SetPasswordTest, AStoreThatCannotKeepItSaysWhy) {
  passwords_.failing = true;
  const sup::v1::Response failed = Ask(SetPassword("web", "x"), admin_);
  EXPECT_EQ(failed.error().code(), sup::v1::Error::INTERNAL);
  EXPECT_EQ(failed.error().message(), "writing HKLM\\SOFTWARE\\Sup\\Secrets: denied");
  EXPECT_EQ(PasswordOf("web"), sup::v1::DescribeResponse::PASSWORD_MISSING);
}

TEST(SetPasswordWithoutAStoreTest, IsRefused) {
  testing::FakeEngine engine;
  testing::FakeConfigSource config;
  ConfigApplier config_apply{engine.supervisor, config};
  testing::FakeOutputSource output;
  testing::FakeResourceSource resources;
  ControlDispatcher dispatcher{
      ControlPorts{engine.clock, engine.supervisor, config_apply, output, engine.events, resources},
      DaemonIdentity{1, "1", ""}};
  sup::v1::Request request;
  request.set_protocol_version(kProtocolVersion);
  request.mutable_set_password()->set_worker("web");
  request.mutable_set_password()->set_password("x");
  const sup::v1::Response response = dispatcher.Handle(request);
  EXPECT_EQ(response.error().code(), sup::v1::Error::FAILED_PRECONDITION);
  EXPECT_EQ(response.error().message(), "this supd keeps no passwords");
}

}  // namespace
}  // namespace sup::control
