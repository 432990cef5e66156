#include "services/common/organisation_number.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

void CheckOrganisationNumber(absl::string_view text, const std::string& field,
                             FieldViolations& violations) {
  if (text.empty()) {
    violations.Add(field, "is required");
    return;
  }
  std::string error;
  if (!ParseOrganisationNumber(text, &error)) violations.Add(field, error);
}

std::string StoredOrganisationNumber(const OrganisationNumber& number,
                                     const PiiHasher& hasher) {
  if (!number.sole_trader) return number.digits;
  return hasher.StoredHash("orgnr", number.digits);
}

bool IsHashedOrganisationNumber(absl::string_view stored) {
  return PiiHasher::IsStoredHash(stored);
}

FilterField OrganisationNumberFilter(const PiiHasher* hasher) {
  return {"organisation_number",
          [hasher](absl::string_view v) -> std::optional<std::string> {
            std::string error;
            std::optional<OrganisationNumber> number =
                ParseOrganisationNumber(v, &error);
            if (!number) return std::nullopt;
            return StoredOrganisationNumber(*number, *hasher);
          }};
}

}  // namespace jobtrack
