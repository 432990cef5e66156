#include "services/common/reference_data.h"

#include <gtest/gtest.h>

namespace jobtrack {
namespace {

const ReferenceData& Ref() { return ReferenceData::Get(); }

TEST(ReferenceDataTest, KnowsAll290MunicipalitiesAnd21Counties) {
  int municipalities = 0;
  for (int code = 0; code <= 9999; ++code) {
    char buf[5];
    snprintf(buf, sizeof buf, "%04d", code);
    municipalities += Ref().IsMunicipality(buf);
  }
  EXPECT_EQ(municipalities, 290);
  int counties = 0;
  for (int code = 0; code <= 99; ++code) {
    char buf[3];
    snprintf(buf, sizeof buf, "%02d", code);
    counties += Ref().IsCounty(buf);
  }
  EXPECT_EQ(counties, 21);
  EXPECT_EQ(Ref().MunicipalityName("0180"), "Stockholm");
  EXPECT_EQ(Ref().MunicipalityName("0331"),
            "Heby");  // Moved from 1917 in 2007.
  EXPECT_FALSE(Ref().IsMunicipality("1917"));
  EXPECT_FALSE(Ref().IsCounty("02"));  // Discontinued.
}

TEST(ReferenceDataTest, SsykHas454UnitGroupsIncludingAfManagerCodes) {
  int unit_groups = 0;
  for (int code = 0; code <= 9999; ++code) {
    char buf[5];
    snprintf(buf, sizeof buf, "%04d", code);
    unit_groups += Ref().IsSsykUnitGroup(buf);
  }
  EXPECT_EQ(unit_groups, 454);
  EXPECT_TRUE(Ref().IsSsykUnitGroup("1210"));  // Arbetsförmedlingen's code.
  EXPECT_TRUE(Ref().IsSsykUnitGroup("1211"));  // SCB's nivå code.
  EXPECT_TRUE(Ref().IsSsykUnitGroup("5322"));  // Only in SCB's list.
  EXPECT_FALSE(Ref().IsSsykUnitGroup("532"));
  EXPECT_TRUE(Ref().IsSsykCode("5"));
  EXPECT_TRUE(Ref().IsSsykCode("53"));
  EXPECT_TRUE(Ref().IsSsykCode("532"));
  EXPECT_FALSE(Ref().IsSsykCode("5329"));
  EXPECT_FALSE(Ref().IsSsykCode("A"));
}

TEST(ReferenceDataTest, SniAcceptsEveryLevelAndKnowsTheSection) {
  for (const char* code :
       {"Q", "86", "861", "8610", "86101", "A", "01", "01110"}) {
    EXPECT_TRUE(Ref().IsSniCode(code)) << code;
  }
  for (const char* code : {"V", "00", "999", "9999", "86109", "86.101", ""}) {
    EXPECT_FALSE(Ref().IsSniCode(code)) << code;
  }
  EXPECT_EQ(Ref().SniSection("86101"), "Q");
  EXPECT_EQ(Ref().SniSection("8610"), "Q");
  EXPECT_EQ(Ref().SniSection("49311"), "H");
  EXPECT_EQ(Ref().SniSection("84111"), "O");
  EXPECT_EQ(Ref().SniSection("Q"), "Q");
}

TEST(ReferenceDataTest, SunLevelsMapToTheThreeCoarseLevels) {
  EXPECT_EQ(Ref().SunCoarseLevel("2"), v1::PRE_UPPER_SECONDARY);
  EXPECT_EQ(Ref().SunCoarseLevel("206"), v1::PRE_UPPER_SECONDARY);
  EXPECT_EQ(Ref().SunCoarseLevel("3"), v1::UPPER_SECONDARY);
  EXPECT_EQ(Ref().SunCoarseLevel("5"), v1::POST_SECONDARY);
  EXPECT_EQ(Ref().SunCoarseLevel("99x"), std::nullopt);
}

TEST(CsvTest, SplitsQuotedFieldsWithCommasAndQuotes) {
  EXPECT_EQ(SplitCsvLine(R"(01,"a, b","say ""hi""",)"),
            (std::vector<std::string>{"01", "a, b", "say \"hi\"", ""}));
}

}  // namespace
}  // namespace jobtrack
