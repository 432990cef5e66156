#include "services/common/name_ids.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

TEST(NameIdsTest, GivesDenseIdsInTheOrderNamesWereFirstAdded) {
  NameIds ids;
  EXPECT_EQ(ids.Insert("participations/b"), std::make_pair(0u, true));
  EXPECT_EQ(ids.Insert("participations/a"), std::make_pair(1u, true));
  EXPECT_EQ(ids.Insert("participations/b"), std::make_pair(0u, false));
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.Name(0), "participations/b");
  EXPECT_EQ(ids.Name(1), "participations/a");
  EXPECT_EQ(ids.Find("participations/a"), 1u);
  EXPECT_EQ(ids.Find("participations/c"), std::nullopt);
  // A prefix or an extension of a name is another name.
  EXPECT_EQ(ids.Find("participations/"), std::nullopt);
  EXPECT_EQ(ids.Insert("participations/aa").first, 2u);
  EXPECT_EQ(ids.Insert("").first, 3u);
  EXPECT_EQ(ids.Name(3), "");
}

TEST(NameIdsTest, NamesAppendedUnindexedAreFoundOnceIndexed) {
  NameIds ids;
  for (int i = 0; i < 1000; ++i) {
    ids.AppendUnindexed(absl::StrCat("participations/p", i));
  }
  ASSERT_TRUE(ids.Index());
  EXPECT_EQ(ids.Find("participations/p999"), 999u);
  EXPECT_EQ(ids.Insert("participations/p5"), std::make_pair(5u, false));
  EXPECT_EQ(ids.Insert("participations/new"), std::make_pair(1000u, true));
  // A repeated name is reported; lookups find its first id.
  ids.AppendUnindexed("participations/p7");
  EXPECT_FALSE(ids.Index());
  EXPECT_EQ(ids.Find("participations/p7"), 7u);
}

TEST(NameIdsTest, AnIndexBuiltApartIsAdoptedAndCoversNamesAddedMeanwhile) {
  NameIds ids;
  for (int i = 0; i < 1000; ++i) {
    ids.AppendUnindexed(absl::StrCat("participations/p", i));
  }
  NameIds::Built built = ids.BuildIndex();
  EXPECT_EQ(ids.Find("participations/p3"), std::nullopt);  // Not yet.
  ASSERT_TRUE(ids.Adopt(std::move(built)));
  EXPECT_EQ(ids.Find("participations/p3"), 3u);
  EXPECT_EQ(ids.Insert("participations/new"), std::make_pair(1000u, true));
  // Built before a name was added: Adopt indexes that one too.
  NameIds::Built stale = ids.BuildIndex();
  ids.AppendUnindexed("participations/late");
  ASSERT_TRUE(ids.Adopt(std::move(stale)));
  EXPECT_EQ(ids.Find("participations/late"), 1001u);
  // A repeat found while building is reported by Adopt.
  ids.AppendUnindexed("participations/p9");
  EXPECT_FALSE(ids.Adopt(ids.BuildIndex()));
  EXPECT_EQ(ids.Find("participations/p9"), 9u);
}

TEST(NameIdsTest, FindsEveryNameAfterTheSetAndBufferGrew) {
  NameIds ids;
  for (int i = 0; i < 100000; ++i) {
    ASSERT_TRUE(ids.Insert(absl::StrCat("participants/p", i)).second);
  }
  for (int i = 0; i < 100000; i += 7) {
    ASSERT_EQ(ids.Find(absl::StrCat("participants/p", i)),
              static_cast<uint32_t>(i));
    ASSERT_EQ(ids.Name(static_cast<uint32_t>(i)),
              absl::StrCat("participants/p", i));
  }
  ids.clear();
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_EQ(ids.Find("participants/p0"), std::nullopt);
  EXPECT_EQ(ids.Insert("participants/p1").first, 0u);
}

}  // namespace
}  // namespace jobtrack
