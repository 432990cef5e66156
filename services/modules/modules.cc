#include "services/modules/modules.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

std::vector<std::string> IndexTerms(const v1::Module& m) {
  std::vector<std::string> terms;
  terms.push_back(EnumTerm("education_form", v1::EducationForm_descriptor(),
                           m.education_form()));
  for (const std::string& code : m.ssyk_codes()) AddSsykTerms(code, &terms);
  for (const std::string& code : m.sni_codes()) AddSniTerms(code, &terms);
  if (!m.provider().empty()) terms.push_back(Term("provider", m.provider()));
  return terms;
}

}  // namespace

void CheckModuleShape(int education_form, int length_weeks, int hours_per_week,
                      const std::string& prefix, FieldViolations& violations) {
  if (education_form == v1::EDUCATION_FORM_UNSPECIFIED ||
      !v1::EducationForm_IsValid(education_form)) {
    violations.Add(prefix + "education_form", "is required");
  }
  if (length_weeks < 1 || length_weeks > kMaxModuleWeeks) {
    violations.Add(prefix + "length_weeks",
                   absl::StrCat("must be 1–", kMaxModuleWeeks, " weeks"));
  }
  if (hours_per_week < 1 || hours_per_week > kMaxHoursPerWeek) {
    violations.Add(prefix + "hours_per_week",
                   absl::StrCat("must be 1–", kMaxHoursPerWeek, " hours"));
  }
}

Modules::Modules(Deps deps)
    : Crud(deps,
           Spec{.collection = "modules",
                .parent_collection = "",
                .field = "module",
                .updatable = {"display_name", "education_form", "length_weeks",
                              "hours_per_week", "ssyk_codes", "sni_codes",
                              "provider", "description"},
                .filters = {EnumFilter("education_form",
                                       v1::EducationForm_descriptor()),
                            SsykFilter(), SniFilter(), TextFilter("provider")}},
           RecordTable<v1::Module>(IndexTerms)) {}

void Modules::Validate(const v1::Module& m, bool,
                       FieldViolations& violations) const {
  CheckRequiredText(m.display_name(), 200, "module.display_name", violations);
  CheckModuleShape(m.education_form(), m.length_weeks(), m.hours_per_week(),
                   "module.", violations);
  CheckCodeList(
      m.ssyk_codes(), 20, "module.ssyk_codes",
      [&](const std::string& code, const std::string& field) {
        CheckSsyk(code, /*unit_group_only=*/false, /*optional=*/false, field,
                  violations);
      },
      violations);
  CheckCodeList(
      m.sni_codes(), 20, "module.sni_codes",
      [&](const std::string& code, const std::string& field) {
        CheckSni(code, /*optional=*/false, field, violations);
      },
      violations);
  CheckOptionalText(m.provider(), 200, "module.provider", violations);
  CheckOptionalText(m.description(), 4000, "module.description", violations);
}

absl::Status Modules::CheckDeletable(storage::Transaction& txn,
                                     const v1::Module& m) const {
  return RefuseIfReferenced(
      txn, "tracks", Term("module", m.name()),
      absl::StrCat(m.name(), " is used in the chain of one or more tracks"));
}

}  // namespace jobtrack
