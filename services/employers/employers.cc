#include "services/employers/employers.h"

#include "services/common/organisation_number.h"
#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

std::vector<std::string> IndexTerms(const v1::Employer& e) {
  std::vector<std::string> terms;
  AddMunicipalityTerms(e.municipality_code(), &terms);
  AddSniTerms(e.sni_code(), &terms);
  terms.push_back(
      EnumTerm("sector", v1::Employer::Sector_descriptor(), e.sector()));
  terms.push_back(Term("organisation_number", e.organisation_number()));
  return terms;
}

std::vector<std::string> UniqueTerms(const v1::Employer& e) {
  return {Term("organisation_number", e.organisation_number())};
}

}  // namespace

Employers::Employers(Deps deps)
    : Crud(
          deps,
          Spec{.collection = "employers",
               .parent_collection = "",
               .field = "employer",
               .updatable = {"display_name", "sector", "sni_code",
                             "municipality_code"},
               .filters = {MunicipalityFilter(), CountyFilter(),
                           EnumFilter("sector",
                                      v1::Employer::Sector_descriptor()),
                           SniFilter(), OrganisationNumberFilter(deps.hasher)}},
          RecordTable<v1::Employer>(
              IndexTerms, UniqueTerms,
              "an employer with this organisation number")) {}

void Employers::Validate(const v1::Employer& e, bool creating,
                         FieldViolations& violations) const {
  CheckRequiredText(e.display_name(), 200, "employer.display_name", violations);
  if (creating) {
    CheckOrganisationNumber(e.organisation_number(),
                            "employer.organisation_number", violations);
  }
  if (e.sector() == v1::Employer::SECTOR_UNSPECIFIED ||
      !v1::Employer::Sector_IsValid(e.sector())) {
    violations.Add("employer.sector",
                   "must be PRIVATE, MUNICIPAL or OTHER_PUBLIC");
  }
  // The employer's own industry; it may differ from its tracks' (DESIGN 9.2).
  CheckSni(e.sni_code(), /*optional=*/false, "employer.sni_code", violations);
  CheckMunicipality(e.municipality_code(), "employer.municipality_code",
                    violations);
}

absl::Status Employers::Prepare(storage::Transaction&, v1::Employer& e,
                                const v1::Employer* old) const {
  if (old != nullptr) return absl::OkStatus();  // The number is immutable.
  std::string error;
  std::optional<OrganisationNumber> number =
      ParseOrganisationNumber(e.organisation_number(), &error);
  e.set_organisation_number(StoredOrganisationNumber(*number, *deps_.hasher));
  e.set_sole_trader(number->sole_trader);
  return absl::OkStatus();
}

absl::Status Employers::CheckDeletable(storage::Transaction& txn,
                                       const v1::Employer& e) const {
  return RefuseIfReferenced(
      txn, "tracks", Term("employer", e.name()),
      absl::StrCat(
          e.name(),
          " takes part in one or more tracks; remove it from them first"));
}

v1::Employer Employers::Present(v1::Employer e) const {
  if (IsHashedOrganisationNumber(e.organisation_number())) {
    e.clear_organisation_number();
  }
  return e;
}

}  // namespace jobtrack
