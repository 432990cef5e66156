#include "services/common/list_query.h"

#include <gtest/gtest.h>

#include "services/common/terms.h"

namespace jobtrack {
namespace {

std::vector<FilterField> Fields() {
  return {MunicipalityFilter(), SniFilter()};
}

TEST(ListQueryTest, ParsesConjunctionsIntoTerms) {
  auto q = ParseListQuery(0, "", R"(municipality = "0180" AND sni=Q)", "tracks",
                          Fields());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->terms, (std::vector<std::string>{"municipality=0180", "sni=Q"}));
  EXPECT_EQ(q->page_size, kDefaultPageSize);
}

TEST(ListQueryTest, ClampsPageSizeAndRejectsNegative) {
  EXPECT_EQ(ParseListQuery(5000, "", "", "t", {})->page_size, kMaxPageSize);
  EXPECT_EQ(ParseListQuery(-1, "", "", "t", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ListQueryTest, RejectsBadFiltersNamingTheFilterField) {
  for (const char* bad :
       {"municipality", "municipality =", "= 0180",
        "municipality = 0180 OR sni = Q", "municipality = 9999", "color = red",
        "municipality = \"0180", "a = b = c"}) {
    auto q = ParseListQuery(0, "", bad, "tracks", Fields());
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(q.status().message().find("filter"), absl::string_view::npos)
        << bad;
  }
}

TEST(ListQueryTest, PageTokenIsBoundToCollectionAndFilter) {
  auto q = ParseListQuery(10, "", "sni = Q", "tracks", Fields());
  ASSERT_TRUE(q.ok());
  const std::string token = MakePageToken(*q, "abc");
  auto next = ParseListQuery(10, token, "sni = Q", "tracks", Fields());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->start_after, "abc");
  EXPECT_EQ(
      ParseListQuery(10, token, "sni = A", "tracks", Fields()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListQuery(10, token, "sni = Q", "employers", Fields())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListQuery(10, "not a token!", "", "tracks", Fields())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jobtrack
