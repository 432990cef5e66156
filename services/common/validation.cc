#include "services/common/validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "services/common/reference_data.h"

namespace jobtrack {
namespace {

// Number of code points in valid UTF-8, or nullopt if it is not UTF-8 or
// contains control characters (other than none: text fields are one line
// or paragraphs, so \n and \t are allowed).
std::optional<size_t> CountText(absl::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
        return std::nullopt;
    }
    if (len == 1 && (c < 0x20 && c != '\n' && c != '\t')) return std::nullopt;
    if (c == 0x7f) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

}  // namespace

bool LuhnValid(absl::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!absl::ascii_isdigit(*it)) return false;
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

std::optional<OrganisationNumber> ParseOrganisationNumber(
    absl::string_view text, std::string* error) {
  std::string digits;
  if (text.size() == 11 && text[6] == '-') {
    digits = absl::StrCat(text.substr(0, 6), text.substr(7));
  } else {
    digits = std::string(text);
  }
  if (digits.size() != 10) {
    *error = "must be 10 digits (NNNNNN-NNNN)";
    return std::nullopt;
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) {
      *error = "must be 10 digits (NNNNNN-NNNN)";
      return std::nullopt;
    }
  }
  if (!LuhnValid(digits)) {
    *error = "check digit does not match";
    return std::nullopt;
  }
  // Digits 3-4: a legal person's are 20 or more; a sole trader's number is
  // the owner's personnummer, where they are the month (ruling 9.2).
  const int middle = (digits[2] - '0') * 10 + (digits[3] - '0');
  const bool sole_trader = middle >= 1 && middle <= 12;
  if (!sole_trader && middle < 20) {
    *error =
        "digits 3-4 must be 20 or more (a legal person) or a month 01-12 (a "
        "sole trader's personnummer)";
    return std::nullopt;
  }
  return OrganisationNumber{digits, sole_trader};
}

void CheckOptionalText(absl::string_view value, size_t max_chars,
                       const std::string& field, FieldViolations& violations) {
  if (value.empty()) return;
  CheckRequiredText(value, max_chars, field, violations);
}

void CheckRequiredText(absl::string_view value, size_t max_chars,
                       const std::string& field, FieldViolations& violations) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    violations.Add(field, "is required");
    return;
  }
  std::optional<size_t> chars = CountText(value);
  if (!chars) {
    violations.Add(field, "must be UTF-8 text without control characters");
  } else if (*chars > max_chars) {
    violations.Add(field,
                   absl::StrCat("must be at most ", max_chars, " characters"));
  }
}

void CheckMunicipality(absl::string_view code, const std::string& field,
                       FieldViolations& violations) {
  if (code.empty()) {
    violations.Add(field, "is required");
  } else if (!ReferenceData::Get().IsMunicipality(code)) {
    violations.Add(field, "is not a Swedish municipality code (4 digits)");
  }
}

void CheckMunicipalities(
    const google::protobuf::RepeatedPtrField<std::string>& codes, size_t max,
    const std::string& field, FieldViolations& violations) {
  if (codes.empty()) {
    violations.Add(field, "needs at least one municipality code");
    return;
  }
  if (static_cast<size_t>(codes.size()) > max) {
    violations.Add(field, absl::StrCat("at most ", max, " entries"));
    return;
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < codes.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    CheckMunicipality(codes[i], item, violations);
    if (!seen.insert(codes[i]).second) violations.Add(item, "is repeated");
  }
}

void CheckSni(absl::string_view code, bool optional, const std::string& field,
              FieldViolations& violations) {
  if (code.empty()) {
    if (!optional) violations.Add(field, "is required");
  } else if (!ReferenceData::Get().IsSniCode(code)) {
    violations.Add(field,
                   "is not an SNI 2007 code (section letter or 2–5 "
                   "digits without dots)");
  }
}

void CheckSsyk(absl::string_view code, bool unit_group_only, bool optional,
               const std::string& field, FieldViolations& violations) {
  if (code.empty()) {
    if (!optional) violations.Add(field, "is required");
    return;
  }
  const ReferenceData& ref = ReferenceData::Get();
  if (unit_group_only ? !ref.IsSsykUnitGroup(code) : !ref.IsSsykCode(code)) {
    violations.Add(field, unit_group_only
                              ? "is not an SSYK 2012 unit group (4 digits)"
                              : "is not an SSYK 2012 code (1–4 digits)");
  }
}

std::optional<absl::CivilDay> ToCivilDay(const v1::Date& date) {
  if (date.year() < 1900 || date.year() > 2199 || date.month() < 1 ||
      date.month() > 12 || date.day() < 1 || date.day() > 31) {
    return std::nullopt;
  }
  absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalizes 2023-02-30 to 2023-03-02; such a date is invalid.
  if (day.month() != date.month() || day.day() != date.day())
    return std::nullopt;
  return day;
}

v1::Date ToDate(absl::CivilDay day) {
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

bool HasDate(const v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

std::optional<absl::CivilDay> CheckDate(const v1::Date& date,
                                        const std::string& field,
                                        FieldViolations& violations) {
  if (!HasDate(date)) {
    violations.Add(field, "is required");
    return std::nullopt;
  }
  std::optional<absl::CivilDay> day = ToCivilDay(date);
  if (!day) violations.Add(field, "is not a valid date (1900–2199)");
  return day;
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace jobtrack
