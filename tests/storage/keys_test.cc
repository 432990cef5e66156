#include "storage/keys.h"

#include <gtest/gtest.h>

namespace jobtrack::storage {
namespace {

TEST(KeysTest, SplitNameSeparatesCollectionAndId) {
  absl::string_view collection, id;
  ASSERT_TRUE(SplitName("tracks/t1/intakes/i9", &collection, &id));
  EXPECT_EQ(collection, "tracks/t1/intakes");
  EXPECT_EQ(id, "i9");
  EXPECT_FALSE(SplitName("noslash", &collection, &id));
}

TEST(KeysTest, RecordKeysOfOneCollectionShareItsPrefixOnly) {
  const std::string prefix = RecordPrefix("tracks");
  EXPECT_EQ(RecordKey("tracks", "a").rfind(prefix, 0), 0u);
  // A nested collection does not fall under its parent's prefix.
  EXPECT_NE(RecordKey("tracks/a/intakes", "b").rfind(prefix, 0), 0u);
}

TEST(KeysTest, IndexKeyEndsInIdAndSortsByTermThenId) {
  const std::string a = IndexKey("tracks", "municipality=0180", "a");
  const std::string b = IndexKey("tracks", "municipality=0180", "b");
  const std::string c = IndexKey("tracks", "municipality=0181", "a");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(IndexKeyId(b), "b");
  EXPECT_EQ(a.rfind(IndexPrefix("tracks", "municipality=0180"), 0), 0u);
  // A term that is a prefix of another does not match it.
  EXPECT_NE(IndexKey("tracks", "sni=861", "x")
                .rfind(IndexPrefix("tracks", "sni=86"), 0),
            0u);
}

TEST(KeysTest, UniqueKeysNeverCollideWithIndexKeys) {
  EXPECT_NE(
      UniqueKey("employers", "organisation_number=5561234567")
          .rfind(IndexPrefix("employers", "organisation_number=5561234567"), 0),
      0u);
}

}  // namespace
TEST(KeysTest, RecordKeyNameGivesBackTheResourceName) {
  EXPECT_EQ(RecordKeyName(RecordKey("tracks", "t1")), "tracks/t1");
  EXPECT_EQ(RecordKeyName(RecordKey("tracks/t1/intakes", "i1")),
            "tracks/t1/intakes/i1");
  EXPECT_EQ(RecordKeyName("schema_version"), "");
  EXPECT_EQ(RecordKeyName(IndexKey("tracks", "municipality=0180", "t1")), "");
}

}  // namespace jobtrack::storage
