// Field validators shared by the services. Each Check* adds violations for
// the field path it is given and never echoes personal data back.
#ifndef JOBTRACK_SERVICES_COMMON_VALIDATION_H_
#define JOBTRACK_SERVICES_COMMON_VALIDATION_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/repeated_field.h"
#include "jobtrack/v1/common.pb.h"
#include "services/common/errors.h"

namespace jobtrack {

// True if the last digit is the Luhn check digit of the others.
bool LuhnValid(absl::string_view digits);

// A validated organisationsnummer.
struct OrganisationNumber {
  std::string digits;  // 10 digits, no hyphen.
  // Digits 3–4 form a month (01–12): the number is a sole trader's
  // personnummer and therefore personal data.
  bool sole_trader = false;
};

// Accepts "NNNNNNNNNN" or "NNNNNN-NNNN" with a valid Luhn check digit. The
// error never contains the number.
std::optional<OrganisationNumber> ParseOrganisationNumber(
    absl::string_view text, std::string* error);

// Required text of 1..max_chars characters (UTF-8 code points), not only
// white space, without control characters.
void CheckRequiredText(absl::string_view value, size_t max_chars,
                       const std::string& field, FieldViolations& violations);
// Optional text: empty is fine, otherwise as above.
void CheckOptionalText(absl::string_view value, size_t max_chars,
                       const std::string& field, FieldViolations& violations);

void CheckMunicipality(absl::string_view code, const std::string& field,
                       FieldViolations& violations);
// Required, each valid, no duplicates, at most `max` entries.
void CheckMunicipalities(
    const google::protobuf::RepeatedPtrField<std::string>& codes, size_t max,
    const std::string& field, FieldViolations& violations);
// SNI 2007 on any level. Required unless `optional`.
void CheckSni(absl::string_view code, bool optional, const std::string& field,
              FieldViolations& violations);
// SSYK 2012: `unit_group_only` asks for a listed 4-digit code.
void CheckSsyk(absl::string_view code, bool unit_group_only, bool optional,
               const std::string& field, FieldViolations& violations);

// A list of codes: at most `max`, each passing `check(code, path)` (which
// adds its own violations), no repeats. Paths are `field[i]`.
template <typename Check>
void CheckCodeList(const google::protobuf::RepeatedPtrField<std::string>& codes,
                   int max, const std::string& field, Check check,
                   FieldViolations& violations) {
  if (codes.size() > max) {
    violations.Add(field, absl::StrCat("at most ", max, " codes"));
    return;
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < codes.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    check(codes[i], item);
    if (!seen.insert(codes[i]).second) violations.Add(item, "is repeated");
  }
}

// A calendar date that exists, in 1900–2199.
std::optional<absl::CivilDay> ToCivilDay(const v1::Date& date);
v1::Date ToDate(absl::CivilDay day);
bool HasDate(const v1::Date& date);
// Required valid date; returns it when valid.
std::optional<absl::CivilDay> CheckDate(const v1::Date& date,
                                        const std::string& field,
                                        FieldViolations& violations);

// "2024-03-01".
std::string FormatDate(absl::CivilDay day);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_VALIDATION_H_
