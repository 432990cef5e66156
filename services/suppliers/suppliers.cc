#include "services/suppliers/suppliers.h"

#include "services/common/organisation_number.h"
#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

std::vector<std::string> IndexTerms(const v1::Supplier& s) {
  std::vector<std::string> terms;
  for (const std::string& code : s.municipality_codes()) {
    AddMunicipalityTerms(code, &terms);
  }
  terms.push_back(Term("organisation_number", s.organisation_number()));
  return terms;
}

std::vector<std::string> UniqueTerms(const v1::Supplier& s) {
  return {Term("organisation_number", s.organisation_number())};
}

}  // namespace

Suppliers::Suppliers(Deps deps)
    : Crud(deps,
           Spec{.collection = "suppliers",
                .parent_collection = "",
                .field = "supplier",
                .updatable = {"display_name", "municipality_codes"},
                .filters = {MunicipalityFilter(), CountyFilter(),
                            OrganisationNumberFilter(deps.hasher)}},
           RecordTable<v1::Supplier>(
               IndexTerms, UniqueTerms,
               "a supplier with this organisation number")) {}

void Suppliers::Validate(const v1::Supplier& s, bool creating,
                         FieldViolations& violations) const {
  CheckRequiredText(s.display_name(), 200, "supplier.display_name", violations);
  if (creating) {
    CheckOrganisationNumber(s.organisation_number(),
                            "supplier.organisation_number", violations);
  }
  CheckMunicipalities(s.municipality_codes(), 290,
                      "supplier.municipality_codes", violations);
}

absl::Status Suppliers::Prepare(storage::Transaction&, v1::Supplier& s,
                                const v1::Supplier* old) const {
  if (old != nullptr) return absl::OkStatus();  // The number is immutable.
  std::string error;
  std::optional<OrganisationNumber> number =
      ParseOrganisationNumber(s.organisation_number(), &error);
  s.set_organisation_number(StoredOrganisationNumber(*number, *deps_.hasher));
  s.set_sole_trader(number->sole_trader);
  return absl::OkStatus();
}

v1::Supplier Suppliers::Present(v1::Supplier s) const {
  if (IsHashedOrganisationNumber(s.organisation_number())) {
    s.clear_organisation_number();
  }
  return s;
}

}  // namespace jobtrack
