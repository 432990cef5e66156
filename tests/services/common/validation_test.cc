#include "services/common/validation.h"

#include <gtest/gtest.h>

namespace jobtrack {
namespace {

TEST(LuhnTest, AcceptsCorrectCheckDigitOnly) {
  EXPECT_TRUE(LuhnValid("5560360793"));  // A published example number.
  EXPECT_FALSE(LuhnValid("5560360794"));
  EXPECT_TRUE(LuhnValid("2120000142"));  // Stockholms kommun.
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("55603607a3"));
}

TEST(OrganisationNumberTest, AcceptsTenDigitsWithOrWithoutHyphen) {
  std::string error;
  auto plain = ParseOrganisationNumber("5560360793", &error);
  ASSERT_TRUE(plain.has_value()) << error;
  EXPECT_EQ(plain->digits, "5560360793");
  EXPECT_FALSE(plain->sole_trader);
  auto hyphen = ParseOrganisationNumber("556036-0793", &error);
  ASSERT_TRUE(hyphen.has_value()) << error;
  EXPECT_EQ(hyphen->digits, "5560360793");
}

TEST(OrganisationNumberTest, RejectsWrongCheckDigitLengthAndCharacters) {
  std::string error;
  EXPECT_FALSE(ParseOrganisationNumber("5560360794", &error));
  EXPECT_EQ(error, "check digit does not match");
  for (const char* bad :
       {"", "556036079", "55603607930", "556036+0793", "55603-60793",
        "556036-079x", "１２３４５６７８９０"}) {
    EXPECT_FALSE(ParseOrganisationNumber(bad, &error)) << bad;
  }
}

TEST(OrganisationNumberTest, RejectsDigitsThreeAndFourNeitherMonthNorTwentyUp) {
  std::string error;
  // Luhn-valid, but 00 and 13-19 are neither a month nor a legal person's.
  for (const char* bad :
       {"0000000000", "5500000004", "5513000009", "5519000003"}) {
    ASSERT_TRUE(LuhnValid(bad)) << bad;
    EXPECT_FALSE(ParseOrganisationNumber(bad, &error)) << bad;
    EXPECT_EQ(error,
              "digits 3-4 must be 20 or more (a legal person) or a month 01-12 "
              "(a sole trader's personnummer)");
  }
}

TEST(OrganisationNumberTest, MonthInDigitsThreeAndFourMeansSoleTrader) {
  std::string error;
  // 811218-9876 is the Swedish Tax Agency's test personnummer.
  auto sole = ParseOrganisationNumber("8112189876", &error);
  ASSERT_TRUE(sole.has_value()) << error;
  EXPECT_TRUE(sole->sole_trader);
  // A legal person's digits 3-4 are 20 or more.
  auto legal = ParseOrganisationNumber("2120000142", &error);
  ASSERT_TRUE(legal.has_value());
  EXPECT_FALSE(legal->sole_trader);
}

TEST(TextTest, RequiredTextRejectsBlankTooLongAndControlCharacters) {
  FieldViolations v;
  CheckRequiredText("Vårdbiträde", 11, "ok", v);  // 11 characters, 13 bytes.
  EXPECT_TRUE(v.empty());
  CheckRequiredText("   ", 10, "blank", v);
  CheckRequiredText("abcdef", 5, "long", v);
  CheckRequiredText(
      "a\x01"
      "b",
      10, "control", v);
  CheckRequiredText("\xc3\x28", 10, "utf8", v);
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"blank", "long", "control", "utf8"}) {
    EXPECT_NE(s.message().find(field), absl::string_view::npos) << field;
  }
  EXPECT_EQ(s.message().find("ok:"), absl::string_view::npos);
}

TEST(DateTest, RejectsDaysThatDoNotExist) {
  v1::Date leap;
  leap.set_year(2024);
  leap.set_month(2);
  leap.set_day(29);
  EXPECT_TRUE(ToCivilDay(leap).has_value());
  leap.set_year(2023);
  EXPECT_FALSE(ToCivilDay(leap).has_value());
  v1::Date bad;
  bad.set_year(2024);
  bad.set_month(13);
  bad.set_day(1);
  EXPECT_FALSE(ToCivilDay(bad).has_value());
  FieldViolations v;
  EXPECT_FALSE(CheckDate(v1::Date(), "d", v).has_value());
  EXPECT_FALSE(v.empty());
}

TEST(CodesTest, MunicipalitiesMustBeKnownAndDistinct) {
  google::protobuf::RepeatedPtrField<std::string> codes;
  *codes.Add() = "0180";
  *codes.Add() = "1480";
  FieldViolations ok;
  CheckMunicipalities(codes, 290, "m", ok);
  EXPECT_TRUE(ok.empty());
  *codes.Add() = "0180";
  *codes.Add() = "9999";
  FieldViolations bad;
  CheckMunicipalities(codes, 290, "m", bad);
  const std::string message(bad.ToStatus().message());
  EXPECT_NE(message.find("m[2]: is repeated"), std::string::npos);
  EXPECT_NE(message.find("m[3]: is not a Swedish municipality"),
            std::string::npos);
}

}  // namespace
}  // namespace jobtrack
