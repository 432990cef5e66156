#include "services/common/personnummer.h"

#include <gtest/gtest.h>

#include "services/common/validation.h"

namespace jobtrack {
namespace {

const absl::CivilDay kToday(2026, 11, 23);

std::optional<Personnummer> Parse(absl::string_view text, std::string* error) {
  return ParsePersonnummer(text, kToday, error);
}

TEST(PersonnummerTest, AcceptsEveryWrittenForm) {
  // 811218-9876: the Swedish Tax Agency's published test number.
  std::string error;
  for (const char* form :
       {"198112189876", "19811218-9876", "8112189876", "811218-9876"}) {
    auto p = Parse(form, &error);
    ASSERT_TRUE(p.has_value()) << form << ": " << error;
    EXPECT_EQ(p->canonical, "198112189876") << form;
    EXPECT_EQ(p->birth_date, absl::CivilDay(1981, 12, 18));
    EXPECT_FALSE(p->samordningsnummer);
  }
}

TEST(PersonnummerTest, PlusMeansAHundredYearsOlder) {
  std::string error;
  auto p = Parse("811218+9876", &error);
  ASSERT_TRUE(p.has_value()) << error;
  EXPECT_EQ(p->canonical, "188112189876");
}

// `digits` with its last digit replaced by the right check digit.
std::string WithCheckDigit(std::string digits) {
  const size_t ten = digits.size() - 10;
  for (char d = '0'; d <= '9'; ++d) {
    digits.back() = d;
    if (LuhnValid(absl::string_view(digits).substr(ten))) break;
  }
  return digits;
}

TEST(PersonnummerTest, TenDigitsTakeTheLatestCenturyNotInTheFuture) {
  std::string error;
  auto young = Parse(WithCheckDigit("2001012380"), &error);
  ASSERT_TRUE(young.has_value()) << error;
  EXPECT_EQ(young->birth_date, absl::CivilDay(2020, 1, 1));
  // Today (2026-11-23) is still this century...
  auto today = Parse(WithCheckDigit("2611232380"), &error);
  ASSERT_TRUE(today.has_value()) << error;
  EXPECT_EQ(today->birth_date, absl::CivilDay(2026, 11, 23));
  // ...tomorrow's date of birth must be a hundred years ago.
  auto december = Parse(WithCheckDigit("2611242380"), &error);
  ASSERT_TRUE(december.has_value()) << error;
  EXPECT_EQ(december->birth_date, absl::CivilDay(1926, 11, 24));
}

TEST(PersonnummerTest, RejectsBadCheckDigitDatesShapesAndFuture) {
  std::string error;
  EXPECT_FALSE(Parse("198112189875", &error));
  EXPECT_EQ(error, "check digit does not match");
  // Shapes.
  for (const char* bad : {"", "8112189", "81121898761", "1981121898765",
                          "19811218+9876", "811218*9876", "81121a-9876"}) {
    EXPECT_FALSE(Parse(bad, &error)) << bad;
  }
  // Dates that do not exist, and dates after today.
  EXPECT_FALSE(Parse(WithCheckDigit("198102301230"), &error));
  EXPECT_EQ(error, "does not contain a valid birth date");
  EXPECT_FALSE(Parse(WithCheckDigit("198113011230"), &error));
  EXPECT_FALSE(Parse(WithCheckDigit("198112921230"), &error));  // Day 32 + 60.
  EXPECT_FALSE(Parse(WithCheckDigit("202701011230"), &error));
  EXPECT_EQ(error, "birth date lies in the future");
  // The error never repeats the number.
  Parse("198112189875", &error);
  EXPECT_EQ(error.find("811218"), std::string::npos);
}

}  // namespace
}  // namespace jobtrack
