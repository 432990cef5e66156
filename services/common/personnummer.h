// Swedish personal identity numbers (personnummer) and coordination
// numbers (samordningsnummer: the day plus 60).
//
// Personal data: callers must never log, return or store the clear number;
// store PiiHasher::Hash("pnr", canonical) instead. Error texts never contain
// the number.
#ifndef JOBTRACK_SERVICES_COMMON_PERSONNUMMER_H_
#define JOBTRACK_SERVICES_COMMON_PERSONNUMMER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace jobtrack {

struct Personnummer {
  // 12 digits, YYYYMMDDNNNC: the form that is hashed.
  std::string canonical;
  absl::CivilDay birth_date;
  bool samordningsnummer = false;
};

// Accepts YYYYMMDDNNNC, YYYYMMDD-NNNC, YYMMDDNNNC, YYMMDD-NNNC and
// YYMMDD+NNNC (a person 100 years or older). A 10-digit number takes the
// latest century that puts the birth date on or before `today` (one more
// century back with '+'). Checks the Luhn check digit, that the date exists
// (day minus 60 for a samordningsnummer) and is not after `today`. On
// failure returns nullopt and a reason in `error`.
std::optional<Personnummer> ParsePersonnummer(absl::string_view text,
                                              absl::CivilDay today,
                                              std::string* error);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_PERSONNUMMER_H_
