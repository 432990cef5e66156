#include "services/common/personnummer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/validation.h"  // LuhnValid

namespace jobtrack {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

int Number(absl::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

std::optional<Personnummer> ParsePersonnummer(absl::string_view text,
                                              absl::CivilDay today,
                                              std::string* error) {
  constexpr char kShape[] =
      "must be YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDD-NNNC or YYMMDD+NNNC";
  std::string digits;
  char separator = 0;
  if (text.size() == 13 || text.size() == 11) {
    separator = text[text.size() - 5];
    if (separator != '-' && separator != '+') {
      *error = kShape;
      return std::nullopt;
    }
    digits = absl::StrCat(text.substr(0, text.size() - 5),
                          text.substr(text.size() - 4));
  } else {
    digits = std::string(text);
  }
  if ((digits.size() != 12 && digits.size() != 10) || !AllDigits(digits) ||
      (separator == '+' && digits.size() == 12)) {
    *error = kShape;
    return std::nullopt;
  }
  const absl::string_view ten =
      absl::string_view(digits).substr(digits.size() - 10);
  if (!LuhnValid(ten)) {
    *error = "check digit does not match";
    return std::nullopt;
  }
  const int month = Number(ten.substr(2, 2));
  int day = Number(ten.substr(4, 2));
  const bool samordning = day > 60;
  if (samordning) day -= 60;
  int year;
  if (digits.size() == 12) {
    year = Number(absl::string_view(digits).substr(0, 4));
  } else {
    const int yy = Number(ten.substr(0, 2));
    // The latest century that does not put the birth date after today...
    year = static_cast<int>(today.year()) / 100 * 100 + yy;
    if (year > today.year() ||
        (year == today.year() &&
         (month > today.month() ||
          (month == today.month() && day > today.day())))) {
      year -= 100;
    }
    // ...and one more for a centenarian's '+'.
    if (separator == '+') year -= 100;
  }
  std::optional<absl::CivilDay> birth;
  if (month >= 1 && month <= 12 && day >= 1 && day <= 31) {
    const absl::CivilDay candidate(year, month, day);
    // CivilDay normalizes 1981-02-30 to 1981-03-02: such a date is invalid.
    if (candidate.month() == month && candidate.day() == day) birth = candidate;
  }
  if (!birth) {
    *error = "does not contain a valid birth date";
    return std::nullopt;
  }
  if (*birth > today) {
    *error = "birth date lies in the future";
    return std::nullopt;
  }
  Personnummer result;
  result.canonical = absl::StrCat(year / 100, ten);
  if (result.canonical.size() != 12) {
    *error = "does not contain a valid birth date";
    return std::nullopt;
  }
  result.birth_date = *birth;
  result.samordningsnummer = samordning;
  return result;
}

}  // namespace jobtrack
