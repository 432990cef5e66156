#include "services/common/resource.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "jobtrack/v1/employer.pb.h"
#include "services/common/sha256.h"

namespace jobtrack {
namespace {

v1::Employer SomeEmployer() {
  v1::Employer e;
  e.set_name("employers/abcdefghijklmnop");
  e.set_display_name("Vårdcentralen Norr");
  e.set_sector(v1::Employer::MUNICIPAL);
  e.set_sni_code("86211");
  e.set_municipality_code("2480");
  e.mutable_create_time()->set_seconds(1767225600);
  e.mutable_update_time()->set_seconds(1767312000);
  return e;
}

TEST(Sha256Test, GivesTheStandardDigests) {
  // FIPS 180-2, appendix B.1, and the digest of nothing.
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223"
            "b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(absl::BytesToHexString(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb924"
            "27ae41e4649b934ca495991b7852b855");
}

// Records keep the etag they were stored with, and clients send it back:
// the way an etag is computed must not change between builds, or a record
// stamped again without a change would look changed. The value was
// computed once, by the implementation that stamped the stored records.
TEST(EtagTest, IsTheSameInEveryBuild) {
  v1::Employer e = SomeEmployer();
  StampEtag(&e);
  EXPECT_EQ(e.etag(), "13dd22595202bcc5");
}

TEST(EtagTest, DigestsTheRecordWithItsEtagCleared) {
  v1::Employer e = SomeEmployer();
  std::string bytes;
  ASSERT_TRUE(e.SerializeToString(&bytes));
  const std::string expected =
      absl::BytesToHexString(Sha256(bytes)).substr(0, 16);

  e.set_etag("an-old-etag");
  EXPECT_EQ(ComputeEtag(e), expected);
  EXPECT_EQ(e.etag(), "an-old-etag");  // ComputeEtag changes nothing.
  StampEtag(&e);
  EXPECT_EQ(e.etag(), expected);
  StampEtag(&e);  // Stamping again, its own etag set, gives the same.
  EXPECT_EQ(e.etag(), expected);
}

TEST(EtagTest, ChangesWithTheContent) {
  v1::Employer a = SomeEmployer();
  v1::Employer b = SomeEmployer();
  b.set_municipality_code("2481");
  StampEtag(&a);
  StampEtag(&b);
  EXPECT_NE(a.etag(), b.etag());
}

TEST(DeterministicDigestTest, IgnoresTheSkippedFieldWhetherSetOrNot) {
  v1::CreateEmployerRequest request;
  *request.mutable_employer() = SomeEmployer();
  const std::string unset = DeterministicDigest(request, "request_id");
  request.set_request_id("5f0e3c1a-0000-4000-8000-000000000001");
  EXPECT_EQ(DeterministicDigest(request, "request_id"), unset);
  EXPECT_EQ(request.request_id(), "5f0e3c1a-0000-4000-8000-000000000001");
  EXPECT_NE(DeterministicDigest(request, "no_such_field"), unset);
  request.mutable_employer()->set_display_name("Vårdcentralen Söder");
  EXPECT_NE(DeterministicDigest(request, "request_id"), unset);
}

}  // namespace
}  // namespace jobtrack
