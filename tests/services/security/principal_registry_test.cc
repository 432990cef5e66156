// The principals file: parsing with errors that name the entry, tokens
// kept only as hashes, expiry by the injected clock, revocation by reload,
// and refusal of a file others can read.
#include "services/security/principal_registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

class PrincipalRegistryTest : public ::testing::Test {
 protected:
  PrincipalRegistryTest() : clock_(testing::DefaultTestTime()) {}

  void Write(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_) << text;
    chmod(path_.c_str(), mode);
  }

  std::string Entry(const char* id, const std::string& token,
                    const char* extra = "") {
    return absl::StrCat("principals { id: \"", id,
                        "\" role: CASE_OFFICER municipality_codes: \"0180\" "
                        "token_sha256: \"",
                        PrincipalRegistry::HashToken(token), "\" ", extra,
                        " }\n");
  }

  testing::TempDir dir_;
  const std::string path_ = dir_.path() + "/principals.txtpb";
  ManualClock clock_;
};

TEST_F(PrincipalRegistryTest, ATokenAuthenticatesItsPrincipalUntilExpiry) {
  const std::string anna = *PrincipalRegistry::NewToken();
  const std::string bo = *PrincipalRegistry::NewToken();
  ASSERT_EQ(anna.size(), 64u);
  ASSERT_NE(anna, bo);
  Write(Entry("anna", anna, "expire_time: \"2026-12-31T00:00:00Z\"") +
        Entry("bo", bo));
  auto registry = PrincipalRegistry::Load(path_, &clock_);
  ASSERT_TRUE(registry.ok()) << registry.status();

  auto who = (*registry)->Authenticate(anna, "");
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ((*who)->id, "anna");
  EXPECT_EQ((*who)->role, security::CASE_OFFICER);
  EXPECT_TRUE((*who)->municipalities.contains("0180"));

  // Unknown, missing and expired credentials; no message holds the token.
  for (const auto& [token, when] :
       {std::pair{std::string("not-a-token"), testing::DefaultTestTime()},
        std::pair{std::string(), testing::DefaultTestTime()},
        std::pair{anna, absl::FromCivil(absl::CivilDay(2027, 1, 1),
                                        absl::UTCTimeZone())}}) {
    clock_.Set(when);
    auto refused = (*registry)->Authenticate(token, "");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated)
        << token;
    if (!token.empty()) {
      EXPECT_FALSE(absl::StrContains(refused.status().message(), token));
    }
  }
  // Bo has no expiry.
  EXPECT_TRUE((*registry)->Authenticate(bo, "").ok());
}

TEST_F(PrincipalRegistryTest, ReloadRevokesARemovedTokenAndKeepsTheOldOnError) {
  const std::string anna = *PrincipalRegistry::NewToken();
  const std::string bo = *PrincipalRegistry::NewToken();
  Write(Entry("anna", anna) + Entry("bo", bo));
  auto registry = *PrincipalRegistry::Load(path_, &clock_);
  ASSERT_TRUE(registry->Authenticate(bo, "").ok());

  Write(Entry("anna", anna));
  ASSERT_TRUE(registry->Reload().ok());
  EXPECT_EQ(registry->Authenticate(bo, "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(registry->Authenticate(anna, "").ok());

  // A broken file is refused; the principals in force stay.
  Write("principals { id: \"x\" role: NOT_A_ROLE }");
  EXPECT_EQ(registry->Reload().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(registry->Authenticate(anna, "").ok());
}

TEST_F(PrincipalRegistryTest, AFileOthersCanReadIsRefused) {
  Write(Entry("anna", "t"), 0644);
  auto registry = PrincipalRegistry::Load(path_, &clock_);
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(registry.status().message(), "chmod 600"));
}

TEST_F(PrincipalRegistryTest, EntryErrorsNameTheEntryAndField) {
  auto parsed = PrincipalRegistry::Parse(
      "principals { id: \"a\" role: SUPPLIER token_sha256: \"abc\" }\n"
      "principals { id: \"a\" role: CASE_OFFICER municipality_codes: \"9999\" "
      "certificate_identity: \"a.example\" expire_time: \"tomorrow\" }\n"
      "principals { id: \"r\" role: EMPLOYER may_export: true "
      "certificate_identity: \"r.example\" }\n");
  ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(parsed.status().message());
  for (const char* expected :
       {"principals[0].supplier", "principals[0].token_sha256",
        "principals[1].id", "principals[1].municipality_codes",
        "principals[1].expire_time", "principals[2].employer",
        "principals[2].may_export"}) {
    EXPECT_TRUE(absl::StrContains(message, expected)) << expected << "\n"
                                                      << message;
  }
  // A certificate identity authenticates too.
  Write(
      "principals { id: \"job\" role: REPORTER may_export: true "
      "certificate_identity: \"reporting.example\" }");
  auto registry = *PrincipalRegistry::Load(path_, &clock_);
  auto who = registry->Authenticate("", "reporting.example");
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_TRUE((*who)->may_export);
  EXPECT_FALSE(registry->Authenticate("", "other.example").ok());
}

}  // namespace
}  // namespace jobtrack
