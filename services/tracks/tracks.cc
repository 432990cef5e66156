#include "services/tracks/tracks.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "jobtrack/v1/agreement.pb.h"
#include "jobtrack/v1/employer.pb.h"
#include "services/common/terms.h"
#include "services/common/validation.h"
#include "services/tracks/chain.h"
#include "services/tracks/track_history.h"

namespace jobtrack {
namespace {

constexpr int kMaxEmployers = 50;

std::vector<std::string> IndexTerms(const v1::Track& t) {
  std::vector<std::string> terms;
  for (const std::string& code : t.municipality_codes()) {
    AddMunicipalityTerms(code, &terms);
  }
  terms.push_back(EnumTerm("kind", v1::Track::Kind_descriptor(), t.kind()));
  terms.push_back(
      EnumTerm("status", v1::Track::Status_descriptor(), t.status()));
  AddSniTerms(t.sni_code(), &terms);
  AddSsykTerms(t.ssyk_code(), &terms);
  for (const std::string& employer : t.employers()) {
    terms.push_back(Term("employer", employer));
  }
  if (!t.agreement().empty()) terms.push_back(Term("agreement", t.agreement()));
  // Every version's modules: a module used by a running intake's chain must
  // not be deleted either.
  auto add_modules = [&](const v1::ModuleChain& chain) {
    for (const auto& stage : chain.stages()) {
      for (const auto& step : stage.steps()) {
        if (!step.module().empty())
          terms.push_back(Term("module", step.module()));
      }
    }
  };
  add_modules(t.chain());
  for (const auto& chain : t.past_chains()) add_modules(chain);
  return terms;
}

bool IsValidEnum(int value, bool (*is_valid)(int)) {
  return value != 0 && is_valid(value);
}

}  // namespace

Tracks::Tracks(Deps deps, HeldTrackLookup held)
    : Crud(
          deps,
          Spec{.collection = "tracks",
               .parent_collection = "",
               .field = "track",
               .updatable = {"display_name", "description", "kind", "ssyk_code",
                             "sni_code", "municipality_codes", "employers",
                             "agreement", "requirements", "status", "chain"},
               .filters = {MunicipalityFilter(), CountyFilter(),
                           EnumFilter("kind", v1::Track::Kind_descriptor()),
                           EnumFilter("status", v1::Track::Status_descriptor()),
                           SniFilter(), SsykFilter(),
                           ReferenceFilter("employer", "employers"),
                           ReferenceFilter("agreement", "agreements"),
                           ReferenceFilter("module", "modules")}},
          RecordTable<v1::Track>(IndexTerms)),
      held_(std::move(held)) {}

absl::StatusOr<HeldWire> Tracks::GetTrack(absl::string_view name) {
  // A bad name, and a track not held, get Crud::Get's answer.
  if (held_ != nullptr && CheckResourceName(name, "tracks", "name").ok()) {
    if (std::shared_ptr<const v1::Track> track = held_(name)) {
      return wire_.Get(name, std::move(track));
    }
  }
  absl::StatusOr<v1::Track> stored = Get(name);
  if (!stored.ok()) return stored.status();
  return WireCache::Serialize(
      std::make_shared<const v1::Track>(*std::move(stored)));
}

void Tracks::Validate(const v1::Track& t, bool,
                      FieldViolations& violations) const {
  CheckRequiredText(t.display_name(), 200, "track.display_name", violations);
  CheckOptionalText(t.description(), 4000, "track.description", violations);
  if (!IsValidEnum(t.kind(), v1::Track::Kind_IsValid)) {
    violations.Add("track.kind",
                   "must be PREPARATORY, EMPLOYER_DIRECTED, "
                   "ENTREPRENEUR or OTHER");
  }
  if (!IsValidEnum(t.status(), v1::Track::Status_IsValid)) {
    violations.Add("track.status", "must be PLANNED, OPEN, PAUSED or CLOSED");
  }
  const bool directed = t.kind() == v1::Track::EMPLOYER_DIRECTED;
  CheckSsyk(t.ssyk_code(), /*unit_group_only=*/true, /*optional=*/!directed,
            "track.ssyk_code", violations);
  CheckSni(t.sni_code(), /*optional=*/!directed, "track.sni_code", violations);
  CheckMunicipalities(t.municipality_codes(), 290, "track.municipality_codes",
                      violations);

  if (directed && t.employers_size() == 0) {
    violations.Add("track.employers",
                   "an EMPLOYER_DIRECTED track needs at least one employer");
  }
  if ((t.kind() == v1::Track::PREPARATORY ||
       t.kind() == v1::Track::ENTREPRENEUR) &&
      t.employers_size() > 0) {
    violations.Add("track.employers",
                   absl::StrCat("a ", v1::Track::Kind_Name(t.kind()),
                                " track has no employers"));
  }
  if (t.employers_size() > kMaxEmployers) {
    violations.Add("track.employers",
                   absl::StrCat("at most ", kMaxEmployers, " employers"));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < t.employers_size(); ++i) {
    const std::string path = absl::StrCat("track.employers[", i, "]");
    if (!CheckResourceName(t.employers(i), "employers", path).ok()) {
      violations.Add(path, "must be `employers/{id}`");
    } else if (!seen.insert(t.employers(i)).second) {
      violations.Add(path, "is repeated");
    }
  }
  if (!t.agreement().empty() &&
      !CheckResourceName(t.agreement(), "agreements", "track.agreement").ok()) {
    violations.Add("track.agreement", "must be `agreements/{id}`");
  }

  const v1::Requirements& r = t.requirements();
  if (!v1::SwedishLevel_IsValid(r.min_swedish_level())) {
    violations.Add("track.requirements.min_swedish_level", "unknown level");
  }
  if (!v1::EducationLevel_IsValid(r.min_education_level())) {
    violations.Add("track.requirements.min_education_level", "unknown level");
  }
  absl::flat_hash_set<int> groups;
  for (int i = 0; i < r.target_groups_size(); ++i) {
    const std::string path =
        absl::StrCat("track.requirements.target_groups[", i, "]");
    if (!IsValidEnum(r.target_groups(i), v1::TargetGroup_IsValid)) {
      violations.Add(path, "unknown target group");
    } else if (!groups.insert(r.target_groups(i)).second) {
      violations.Add(path, "is repeated");
    }
  }
  CheckChainShape(t.chain(), "track.chain", violations);
}

std::optional<absl::CivilDay> Tracks::EffectiveDate(
    const v1::Date& date, FieldViolations& violations) const {
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  if (!HasDate(date)) return today;
  std::optional<absl::CivilDay> day =
      CheckDate(date, "effective_date", violations);
  if (day && *day > today) {
    violations.Add("effective_date", "must not be in the future");
    return std::nullopt;
  }
  return day;
}

absl::Status Tracks::CheckReferences(storage::Transaction& txn,
                                     const v1::Track& t,
                                     FieldViolations& violations) const {
  const RecordTable<v1::Employer> employers(nullptr);
  for (int i = 0; i < t.employers_size(); ++i) {
    absl::StatusOr<v1::Employer> e =
        employers.GetForUpdate(txn, t.employers(i));
    if (absl::IsNotFound(e.status())) {
      violations.Add(absl::StrCat("track.employers[", i, "]"),
                     absl::StrCat(t.employers(i), " does not exist"));
    } else if (!e.ok()) {
      return e.status();
    }
  }
  if (!t.agreement().empty()) {
    const RecordTable<v1::Agreement> agreements(nullptr);
    absl::StatusOr<v1::Agreement> a =
        agreements.GetForUpdate(txn, t.agreement());
    if (absl::IsNotFound(a.status())) {
      violations.Add("track.agreement",
                     absl::StrCat(t.agreement(), " does not exist"));
    } else if (!a.ok()) {
      return a.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Track> Tracks::CreateTrack(
    const CallContext& context, const v1::CreateTrackRequest& request) {
  FieldViolations violations;
  Validate(request.track(), /*creating=*/true, violations);
  std::optional<absl::CivilDay> effective =
      EffectiveDate(request.effective_date(), violations);
  if (!violations.empty()) return violations.ToStatus();
  return RunMutation<v1::Track>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::Track> {
        v1::Track t = request.track();
        t.clear_past_chains();
        t.clear_history();
        t.set_name(absl::StrCat("tracks/", deps_.ids->NewId()));
        FieldViolations violations;
        if (absl::Status s = CheckReferences(txn, t, violations); !s.ok()) {
          return s;
        }
        absl::StatusOr<v1::ModuleChain> chain =
            ResolveChain(txn, t.chain(), "track.chain", violations);
        if (!chain.ok()) return chain.status();
        if (!violations.empty()) return violations.ToStatus();
        const absl::Time now = deps_.clock->Now();
        chain->set_version(1);
        *chain->mutable_effective_date() = ToDate(*effective);
        *chain->mutable_create_time() = ToTimestamp(now);
        *t.mutable_chain() = *std::move(chain);
        AppendRevision(t, *effective, now, ChangedDatedFields(nullptr, t));
        *t.mutable_create_time() = ToTimestamp(now);
        *t.mutable_update_time() = ToTimestamp(now);
        StampEtag(&t);
        if (absl::Status s = table_.Insert(txn, t); !s.ok()) return s;
        return t;
      });
}

absl::StatusOr<v1::Track> Tracks::UpdateTrack(
    const CallContext& context, const v1::UpdateTrackRequest& request) {
  const v1::Track& patch = request.track();
  if (absl::Status s = CheckName(patch.name(), "track.name"); !s.ok()) return s;
  {
    v1::Track scratch;
    if (absl::Status s = ApplyUpdateMask(patch, request.update_mask(),
                                         spec_.updatable, &scratch);
        !s.ok()) {
      return s;
    }
  }
  FieldViolations date_violations;
  std::optional<absl::CivilDay> effective =
      EffectiveDate(request.effective_date(), date_violations);
  if (!date_violations.empty()) return date_violations.ToStatus();
  const bool chain_touched =
      MaskTouches(patch, request.update_mask(), spec_.updatable, "chain");

  return RunMutation<v1::Track>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::Track> {
        absl::StatusOr<v1::Track> current =
            table_.GetForUpdate(txn, patch.name());
        if (!current.ok()) return current.status();
        if (absl::Status s =
                CheckEtag(patch.etag(), current->etag(), patch.name());
            !s.ok()) {
          return s;
        }
        v1::Track next = *current;
        if (absl::Status s = ApplyUpdateMask(patch, request.update_mask(),
                                             spec_.updatable, &next);
            !s.ok()) {
          return s;
        }
        FieldViolations violations;
        Validate(next, /*creating=*/false, violations);
        if (!violations.empty()) return violations.ToStatus();
        if (next.status() != current->status() &&
            next.status() == v1::Track::PLANNED) {
          return Precondition(
              "INVALID_STATUS_CHANGE",
              absl::StrCat(patch.name(), " is ",
                           v1::Track::Status_Name(current->status()),
                           " and cannot return to PLANNED"));
        }
        if (absl::Status s = CheckReferences(txn, next, violations); !s.ok()) {
          return s;
        }
        const absl::Time now = deps_.clock->Now();
        if (chain_touched) {
          absl::StatusOr<v1::ModuleChain> chain =
              ResolveChain(txn, next.chain(), "track.chain", violations);
          if (!chain.ok()) return chain.status();
          if (!violations.empty()) return violations.ToStatus();
          if (SameSteps(*chain, current->chain())) {
            *next.mutable_chain() = current->chain();
          } else {
            chain->set_version(current->chain().version() + 1);
            *chain->mutable_effective_date() = ToDate(*effective);
            *chain->mutable_create_time() = ToTimestamp(now);
            *next.add_past_chains() = current->chain();
            *next.mutable_chain() = *std::move(chain);
          }
        }
        std::vector<std::string> changed = ChangedDatedFields(&*current, next);
        if (!changed.empty()) {
          const auto& last = current->history(current->history_size() - 1);
          std::optional<absl::CivilDay> last_day =
              ToCivilDay(last.effective_date());
          if (last_day && *effective < *last_day) {
            return Precondition(
                "EFFECTIVE_DATE_BEFORE_LATEST_CHANGE",
                absl::StrCat("effective_date ", FormatDate(*effective),
                             " is before the track's latest dated change (",
                             FormatDate(*last_day), ")"));
          }
          AppendRevision(next, *effective, now, std::move(changed));
        }
        if (!violations.empty()) return violations.ToStatus();
        *next.mutable_update_time() = ToTimestamp(now);
        StampEtag(&next);
        if (absl::Status s = table_.Replace(txn, *current, next); !s.ok()) {
          return s;
        }
        return next;
      });
}

absl::Status Tracks::CheckDeletable(storage::Transaction& txn,
                                    const v1::Track& t) const {
  absl::StatusOr<bool> has_intakes =
      RecordTable<v1::Intake>::AnyIn(txn, absl::StrCat(t.name(), "/intakes"));
  if (!has_intakes.ok()) return has_intakes.status();
  if (*has_intakes) {
    return Precondition("RESOURCE_IN_USE",
                        absl::StrCat(t.name(),
                                     " has intakes; delete them "
                                     "first, or set the track CLOSED"));
  }
  return absl::OkStatus();
}

}  // namespace jobtrack
