#include "services/common/pii_hasher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

TEST(PiiHasherTest, HashIsKeyedDeterministicAndPurposeSeparated) {
  PiiHasher a(std::string(32, 'a'));
  PiiHasher b(std::string(32, 'b'));
  EXPECT_EQ(a.Hash("orgnr", "8112189876"), a.Hash("orgnr", "8112189876"));
  EXPECT_NE(a.Hash("orgnr", "8112189876"), b.Hash("orgnr", "8112189876"));
  EXPECT_NE(a.Hash("orgnr", "8112189876"), a.Hash("pnr", "8112189876"));
  EXPECT_EQ(a.Hash("orgnr", "x").size(), 64u);
  EXPECT_EQ(a.Hash("orgnr", "8112189876").find("8112189876"),
            std::string::npos);
}

TEST(PiiHasherTest, KeyFileMustBePrivateAndLongEnough) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/key";
  auto created = PiiHasher::FromKeyFileCreatingIfMissing(path);
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The same file gives the same key.
  auto again = PiiHasher::FromKeyFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(created->Hash("p", "v"), again->Hash("p", "v"));

  chmod(path.c_str(), 0644);
  EXPECT_EQ(PiiHasher::FromKeyFile(path).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string short_key = dir.path() + "/short";
  { std::ofstream(short_key) << "too short"; }
  chmod(short_key.c_str(), 0600);
  EXPECT_EQ(PiiHasher::FromKeyFile(short_key).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace jobtrack
