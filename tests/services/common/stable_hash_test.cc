#include "services/common/stable_hash.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

// Checkpoints store these hashes: a change to the function would make
// every stored one point nowhere. The values were computed once and must
// never change.
TEST(StableHashTest, GivesTheSameValuesInEveryProcessAndBuild) {
  EXPECT_EQ(StableHash64("participations/abcdefghijklmnop"),
            0xa632540af0621854u);
  EXPECT_EQ(StableHash64("a"), 0x82a2a958a9bece5bu);
}

TEST(StableHashTest, NamesThatDifferInOneLetterGetDifferentHashes) {
  absl::flat_hash_set<uint64_t> seen;
  for (char c = 'a'; c <= 'z'; ++c) {
    for (char d = 'a'; d <= 'z'; ++d) {
      EXPECT_TRUE(seen.insert(StableHash64(absl::StrCat("participations/abc",
                                                        std::string{c, d})))
                      .second);
    }
  }
}

}  // namespace
}  // namespace jobtrack
