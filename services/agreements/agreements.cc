#include "services/agreements/agreements.h"

#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

std::vector<std::string> IndexTerms(const v1::Agreement& a) {
  std::vector<std::string> terms;
  for (const std::string& code : a.municipality_codes()) {
    AddMunicipalityTerms(code, &terms);
  }
  return terms;
}

}  // namespace

Agreements::Agreements(Deps deps)
    : Crud(deps,
           Spec{.collection = "agreements",
                .parent_collection = "",
                .field = "agreement",
                .updatable = {"display_name", "municipality_codes",
                              "valid_from", "valid_to"},
                .filters = {MunicipalityFilter(), CountyFilter()}},
           RecordTable<v1::Agreement>(IndexTerms)) {}

void Agreements::Validate(const v1::Agreement& a, bool,
                          FieldViolations& violations) const {
  CheckRequiredText(a.display_name(), 200, "agreement.display_name",
                    violations);
  CheckMunicipalities(a.municipality_codes(), 290,
                      "agreement.municipality_codes", violations);
  std::optional<absl::CivilDay> from =
      CheckDate(a.valid_from(), "agreement.valid_from", violations);
  if (HasDate(a.valid_to())) {
    std::optional<absl::CivilDay> to =
        CheckDate(a.valid_to(), "agreement.valid_to", violations);
    if (from && to && *to < *from) {
      violations.Add("agreement.valid_to", "must not be before valid_from");
    }
  }
}

absl::Status Agreements::CheckDeletable(storage::Transaction& txn,
                                        const v1::Agreement& a) const {
  return RefuseIfReferenced(
      txn, "tracks", Term("agreement", a.name()),
      absl::StrCat(a.name(),
                   " is named by one or more tracks; change them first"));
}

}  // namespace jobtrack
