// Organisation numbers as employers and suppliers store them. A legal
// person's number is kept as its 10 digits; a sole trader's number is the
// owner's personnummer (DESIGN 9.2) and is kept only as a keyed hash,
// "hmac:<hex>", which is never returned.
#ifndef JOBTRACK_SERVICES_COMMON_ORGANISATION_NUMBER_H_
#define JOBTRACK_SERVICES_COMMON_ORGANISATION_NUMBER_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "services/common/errors.h"
#include "services/common/list_query.h"
#include "services/common/pii_hasher.h"
#include "services/common/validation.h"

namespace jobtrack {

// Adds a violation for `field` unless `text` is a valid number.
void CheckOrganisationNumber(absl::string_view text, const std::string& field,
                             FieldViolations& violations);

// The stored form of a valid number (see above).
std::string StoredOrganisationNumber(const OrganisationNumber& number,
                                     const PiiHasher& hasher);

// True if the stored form is a hash (the number belongs to a sole trader).
bool IsHashedOrganisationNumber(absl::string_view stored);

// Filter `organisation_number = <number>`, matching the stored form.
FilterField OrganisationNumberFilter(const PiiHasher* hasher);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_ORGANISATION_NUMBER_H_
