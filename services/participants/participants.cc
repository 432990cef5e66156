#include "services/participants/participants.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "jobtrack/v1/event.pb.h"
#include "jobtrack/v1/supplier.pb.h"
#include "services/common/events.h"
#include "services/common/personnummer.h"
#include "services/common/reference_data.h"
#include "services/common/terms.h"
#include "services/common/validation.h"
#include "services/participations/participations.h"

namespace jobtrack {
namespace {

constexpr int kMaxInterests = 10;

std::vector<std::string> IndexTerms(const v1::Participant& p) {
  std::vector<std::string> terms;
  AddMunicipalityTerms(p.municipality_code(), &terms);
  terms.push_back(EnumTerm("gender", v1::Gender_descriptor(), p.gender()));
  terms.push_back(EnumTerm("education_level", v1::EducationLevel_descriptor(),
                           p.education_level()));
  for (int group : p.target_groups()) {
    terms.push_back(
        EnumTerm("target_group", v1::TargetGroup_descriptor(), group));
  }
  if (!p.supplier().empty()) terms.push_back(Term("supplier", p.supplier()));
  return terms;
}

// Erasure empties both, which frees them.
std::vector<std::string> UniqueTerms(const v1::Participant& p) {
  std::vector<std::string> terms;
  if (!p.external_reference().empty()) {
    terms.push_back(Term("external_reference", p.external_reference()));
  }
  if (!p.personnummer().empty()) {
    terms.push_back(Term("personnummer", p.personnummer()));
  }
  return terms;
}

v1::ParticipantSnapshot Snapshot(const v1::Participant& p) {
  v1::ParticipantSnapshot s;
  s.set_birth_year(p.birth_year());
  s.set_gender(p.gender());
  s.set_municipality_code(p.municipality_code());
  s.set_education_level(p.education_level());
  *s.mutable_target_groups() = p.target_groups();
  s.set_supplier(p.supplier());
  return s;
}

}  // namespace

Participants::Participants(Deps deps)
    : Crud(deps,
           Spec{.collection = "participants",
                .parent_collection = "",
                .field = "participant",
                .updatable = {"birth_year", "gender", "municipality_code",
                              "sun_code", "education_level", "target_groups",
                              "swedish_level", "driving_licence",
                              "ssyk_interests", "sni_interests",
                              "self_employment_interest", "available_from",
                              "supplier"},
                .filters = {MunicipalityFilter(), CountyFilter(),
                            ReferenceFilter("supplier", "suppliers"),
                            EnumFilter("gender", v1::Gender_descriptor()),
                            EnumFilter("education_level",
                                       v1::EducationLevel_descriptor()),
                            EnumFilter("target_group",
                                       v1::TargetGroup_descriptor())}},
           RecordTable<v1::Participant>(IndexTerms, UniqueTerms,
                                        "a participant with this personnummer "
                                        "or external reference")) {}

std::string Participants::HashPersonnummer(absl::string_view canonical) const {
  return deps_.hasher->StoredHash("pnr", canonical);
}

void Participants::Validate(const v1::Participant& p, bool creating,
                            FieldViolations& violations) const {
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  std::optional<Personnummer> pnr;
  if (creating) {
    CheckRequiredText(p.external_reference(), 100,
                      "participant.external_reference", violations);
    if (!p.personnummer().empty()) {
      std::string error;
      pnr = ParsePersonnummer(p.personnummer(), today, &error);
      if (!pnr) violations.Add("participant.personnummer", error);
    }
  }
  // With a personnummer (valid or not) the birth year comes from it.
  if (p.birth_year() == 0 && p.personnummer().empty()) {
    violations.Add("participant.birth_year", "is required");
  } else if (p.birth_year() != 0 &&
             (p.birth_year() < 1900 || p.birth_year() > today.year())) {
    violations.Add("participant.birth_year",
                   absl::StrCat("must be 1900–", today.year()));
  } else if (pnr && p.birth_year() != 0 &&
             p.birth_year() != pnr->birth_date.year()) {
    violations.Add("participant.birth_year", "does not match the personnummer");
  }
  if (p.gender() != v1::FEMALE && p.gender() != v1::MALE) {
    violations.Add("participant.gender", "must be FEMALE or MALE");
  }
  CheckMunicipality(p.municipality_code(), "participant.municipality_code",
                    violations);
  if (!p.sun_code().empty() &&
      !ReferenceData::Get().SunCoarseLevel(p.sun_code())) {
    violations.Add("participant.sun_code", "is not a SUN 2020 level code");
  }
  if (!v1::EducationLevel_IsValid(p.education_level())) {
    violations.Add("participant.education_level", "unknown level");
  }
  absl::flat_hash_set<int> groups;
  for (int i = 0; i < p.target_groups_size(); ++i) {
    const std::string path = absl::StrCat("participant.target_groups[", i, "]");
    if (p.target_groups(i) == 0 ||
        !v1::TargetGroup_IsValid(p.target_groups(i))) {
      violations.Add(path, "unknown target group");
    } else if (!groups.insert(p.target_groups(i)).second) {
      violations.Add(path, "is repeated");
    }
  }
  if (!v1::SwedishLevel_IsValid(p.swedish_level())) {
    violations.Add("participant.swedish_level", "unknown level");
  }
  CheckCodeList(
      p.ssyk_interests(), kMaxInterests, "participant.ssyk_interests",
      [&](const std::string& code, const std::string& field) {
        CheckSsyk(code, /*unit_group_only=*/false, /*optional=*/false, field,
                  violations);
      },
      violations);
  CheckCodeList(
      p.sni_interests(), kMaxInterests, "participant.sni_interests",
      [&](const std::string& code, const std::string& field) {
        CheckSni(code, /*optional=*/false, field, violations);
      },
      violations);
  if (HasDate(p.available_from())) {
    CheckDate(p.available_from(), "participant.available_from", violations);
  }
  if (!p.supplier().empty() &&
      !CheckResourceName(p.supplier(), "suppliers", "participant.supplier")
           .ok()) {
    violations.Add("participant.supplier", "must be `suppliers/{id}`");
  }
}

absl::Status Participants::Prepare(storage::Transaction& txn,
                                   v1::Participant& p,
                                   const v1::Participant* old) const {
  if (old == nullptr) {
    p.set_erased(false);
    p.set_has_personnummer(false);
    if (!p.personnummer().empty()) {
      std::string error;
      std::optional<Personnummer> pnr = ParsePersonnummer(
          p.personnummer(), TodayInSweden(*deps_.clock), &error);
      p.set_personnummer(HashPersonnummer(pnr->canonical));
      p.set_has_personnummer(true);
      if (p.birth_year() == 0) {
        p.set_birth_year(static_cast<int32_t>(pnr->birth_date.year()));
      }
    }
  } else if (old->erased()) {
    return Precondition("PARTICIPANT_ERASED",
                        absl::StrCat(p.name(), " has been erased"));
  }
  if (!p.sun_code().empty()) {
    p.set_education_level(*ReferenceData::Get().SunCoarseLevel(p.sun_code()));
  }
  if (!p.supplier().empty() &&
      (old == nullptr || old->supplier() != p.supplier())) {
    const RecordTable<v1::Supplier> suppliers(nullptr);
    absl::StatusOr<v1::Supplier> supplier =
        suppliers.GetForUpdate(txn, p.supplier());
    if (absl::IsNotFound(supplier.status())) {
      return InvalidField("participant.supplier",
                          absl::StrCat(p.supplier(), " does not exist"));
    }
    if (!supplier.ok()) return supplier.status();
  }
  return absl::OkStatus();
}

void Participants::OnWrite(storage::Transaction& txn,
                           const CallContext& context,
                           const v1::Participant* old,
                           const v1::Participant& p) const {
  v1::ParticipantSnapshot snapshot = Snapshot(p);
  if (old != nullptr &&
      Snapshot(*old).SerializeAsString() == snapshot.SerializeAsString()) {
    return;  // No statistical field changed: nothing for the log.
  }
  v1::Event event;
  event.set_resource(p.name());
  *event.mutable_participant() = std::move(snapshot);
  AppendEvent(txn, context, TodayInSweden(*deps_.clock), deps_.clock->Now(),
              std::move(event));
}

v1::Participant Participants::Present(v1::Participant p) const {
  p.clear_personnummer();
  return p;
}

absl::StatusOr<v1::Participant> Participants::Lookup(
    absl::string_view personnummer) {
  std::string error;
  std::optional<Personnummer> pnr =
      ParsePersonnummer(personnummer, TodayInSweden(*deps_.clock), &error);
  if (!pnr) return InvalidField("personnummer", error);
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<std::optional<std::string>> id =
      reader->Get(storage::Column::kIndex,
                  storage::UniqueKey(
                      spec_.collection,
                      Term("personnummer", HashPersonnummer(pnr->canonical))));
  if (!id.ok()) return id.status();
  if (!id->has_value()) {
    return WithReason(
        absl::NotFoundError("no participant has this personnummer"),
        "NOT_FOUND");
  }
  absl::StatusOr<v1::Participant> found =
      table_.Get(*reader, absl::StrCat(spec_.collection, "/", **id));
  if (!found.ok()) return found.status();
  return Present(*std::move(found));
}

absl::StatusOr<v1::Participant> Participants::Erase(
    const CallContext& context, const v1::EraseParticipantRequest& request) {
  if (absl::Status s = CheckName(request.name(), "name"); !s.ok()) return s;
  return RunMutation<v1::Participant>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::Participant> {
        absl::StatusOr<v1::Participant> current =
            table_.GetForUpdate(txn, request.name());
        if (!current.ok()) return current.status();
        if (absl::Status s =
                CheckEtag(request.etag(), current->etag(), request.name());
            !s.ok()) {
          return s;
        }
        if (current->erased()) return Present(*current);
        // Keep only what the follow-up needs; everything else goes.
        v1::Participant erased;
        erased.set_name(current->name());
        erased.set_birth_year(current->birth_year());
        erased.set_gender(current->gender());
        erased.set_municipality_code(current->municipality_code());
        erased.set_education_level(current->education_level());
        *erased.mutable_target_groups() = current->target_groups();
        erased.set_supplier(current->supplier());
        erased.set_erased(true);
        *erased.mutable_create_time() = current->create_time();
        *erased.mutable_update_time() = ToTimestamp(deps_.clock->Now());
        StampEtag(&erased);
        if (absl::Status s = table_.Replace(txn, *current, erased); !s.ok()) {
          return s;
        }
        if (absl::Status s = ErasePersonalText(txn, erased.name()); !s.ok()) {
          return s;
        }
        if (absl::Status s = ForgetRequestsFor(txn, erased.name()); !s.ok()) {
          return s;
        }
        v1::Event event;
        event.set_resource(erased.name());
        event.mutable_erased();
        AppendEvent(txn, context, TodayInSweden(*deps_.clock),
                    deps_.clock->Now(), std::move(event));
        return Present(std::move(erased));
      });
}

}  // namespace jobtrack
