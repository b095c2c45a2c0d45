#include "common/worker_sid.h"

#include <gtest/gtest.h>

#include "common/sha1.h"

namespace sup {
namespace {

std::string Hex(const std::array<std::uint8_t, 20>& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : digest) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text;
}

// FIPS 180-4's examples, and a message that needs a second padding block.
TEST(Sha1Test, MatchesThePublishedExamples) {
  EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Hex(Sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

// The SIDs Windows itself gives these services (`sc showsid`), from their names alone.
TEST(WorkerSidTest, AServiceNameGivesTheSidWindowsGivesIt) {
  EXPECT_EQ(ServiceNameSid("TrustedInstaller"),
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
  EXPECT_EQ(ServiceNameSid("trustedinstaller"), ServiceNameSid("TRUSTEDINSTALLER"));
}

TEST(WorkerSidTest, EachWorkerHasItsOwnAndNoServiceHasIt) {
  EXPECT_EQ(WorkerSid("web-api"), ServiceNameSid("SUP-WEB-API"));
  EXPECT_EQ(WorkerSid("web-api"), WorkerSid("Web-Api"));  // names are compared ignoring case
  EXPECT_NE(WorkerSid("web-api"), WorkerSid("queue-consumer"));
  EXPECT_NE(WorkerSid("web-api"), ServiceNameSid("web-api"));
  EXPECT_EQ(WorkerSid("web-api").rfind("S-1-5-80-", 0), 0u);
}

}  // namespace
}  // namespace sup
