#include "services/security/access_policy.h"

#include <initializer_list>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

using security::ADMIN;
using security::CASE_OFFICER;
using security::MUNICIPALITY_STAFF;
using security::REPORTER;
using security::Role;
using security::SUPPLIER;

struct Rule {
  const char* method;
  std::initializer_list<Role> roles;
  // Request fields naming what a scoped caller must reach (ScopeTargets).
  std::initializer_list<absl::string_view> targets = {};
};

// Who may call what, and for scoped roles what they must reach. Methods
// whose scope rules are not built yet (lists of personal data, matching,
// the change stream, track writes limited to a municipality) are
// ADMIN-only (issue 6 continues); catalogue reads are open to the internal
// roles. EMPLOYER is granted nothing yet: all it may see is scoped.
const Rule kRules[] = {
    // Catalogue: agreements, suppliers, modules, employers.
    {"CreateAgreement", {ADMIN}},
    {"GetAgreement", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"ListAgreements", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"UpdateAgreement", {ADMIN}},
    {"DeleteAgreement", {ADMIN}},
    {"CreateSupplier", {ADMIN}},
    {"GetSupplier", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"ListSuppliers", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"UpdateSupplier", {ADMIN}},
    {"DeleteSupplier", {ADMIN}},
    {"CreateModule", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"GetModule", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"ListModules", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"UpdateModule", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"DeleteModule", {ADMIN}},
    {"CreateEmployer", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"GetEmployer", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"ListEmployers", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"UpdateEmployer", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"DeleteEmployer", {ADMIN}},
    // Tracks and intakes: read by the internal roles (the catalogue is
    // national); written by case officers and municipality staff whose
    // municipalities include all of the track's (deleting a track, which
    // has a history, is for ADMIN).
    {"CreateTrack",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"track.municipality_codes"}},
    {"GetTrack", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"ListTracks", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"UpdateTrack",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"track.name", "track.municipality_codes"}},
    {"DeleteTrack", {ADMIN}},
    {"CreateIntake", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}, {"parent"}},
    {"GetIntake", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"ListIntakes", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"UpdateIntake",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"intake.name"}},
    {"DeleteIntake", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}, {"name"}},
    // Personal data: case officers and municipality staff for participants
    // in their municipalities; suppliers report on the participations of
    // participants assigned to them. Erasure stays ADMIN-only.
    {"CreateParticipant",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"participant.municipality_code"}},
    {"GetParticipant", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}, {"name"}},
    // Lists leave out what the caller does not reach (ServeList).
    {"ListParticipants", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"UpdateParticipant",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"participant.name", "participant.municipality_code"}},
    // The handler answers PERMISSION_DENIED for a person out of scope and
    // for an unknown number alike.
    {"LookupParticipant", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF}},
    {"EraseParticipant", {ADMIN}},
    {"ProposeParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"participant"}},
    {"SelectParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"name"}},
    {"DeclineParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"name"}},
    {"EnrollParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"name"}},
    {"ReportStepProgress",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"CompleteParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"InterruptParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"RecordOutcome",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"CorrectParticipationEvent",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"GetParticipation",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    {"ListParticipations", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"ListParticipationEvents",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     {"name"}},
    // Matching: proposals for participants in scope; candidates (which
    // list persons) stay ADMIN-only until they are filtered by scope.
    {"ProposeTracks",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"participant"}},
    {"ProposeCandidates", {ADMIN}},
    {"RecordProposals",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF},
     {"participant"}},
    // The change stream narrows its filter to the caller's scope
    // (NarrowToScope).
    {"WatchChanges", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    // Follow-up: reporters get suppressed figures (FollowUp), exports only
    // if granted (CheckAccess).
    {"GetReport", {ADMIN, REPORTER}},
    {"ListPeriods", {ADMIN, REPORTER}},
    {"ClosePeriod", {ADMIN}},
    {"ExportParticipations", {ADMIN, REPORTER}},
    // The audit log itself.
    {"ListAuditEvents", {ADMIN}},
};

// Methods that read or write personal data (DESIGN 6): participants and
// what is tied to them, and employers and suppliers, whose
// organisationsnummer is a personnummer for a sole trader (ruling 9.2).
// Every call of these is audited.
const absl::string_view kPersonalDataMethods[] = {
    "CreateEmployer", "GetEmployer", "ListEmployers", "UpdateEmployer",
    "DeleteEmployer", "CreateSupplier", "GetSupplier", "ListSuppliers",
    "UpdateSupplier", "DeleteSupplier", "CreateParticipant", "GetParticipant",
    "ListParticipants", "UpdateParticipant", "LookupParticipant",
    "EraseParticipant", "ProposeParticipation", "SelectParticipation",
    "DeclineParticipation", "EnrollParticipation", "ReportStepProgress",
    "CompleteParticipation", "InterruptParticipation", "RecordOutcome",
    "CorrectParticipationEvent", "GetParticipation", "ListParticipations",
    "ListParticipationEvents", "ProposeTracks", "ProposeCandidates",
    "RecordProposals", "WatchChanges", "ExportParticipations",
};

const absl::flat_hash_map<absl::string_view, const Rule*>& RulesByMethod() {
  static const auto* rules = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, const Rule*>;
    for (const Rule& rule : kRules) (*map)[rule.method] = &rule;
    return map;
  }();
  return *rules;
}

}  // namespace

absl::Status CheckAccess(const Principal& principal, absl::string_view method) {
  auto it = RulesByMethod().find(method);
  bool allowed = principal.role == ADMIN;
  if (it != RulesByMethod().end()) {
    for (Role role : it->second->roles) allowed |= role == principal.role;
  }
  if (allowed && method == "ExportParticipations" &&
      principal.role == REPORTER && !principal.may_export) {
    allowed = false;
  }
  if (allowed) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(principal.id, " (", security::Role_Name(principal.role),
                   ") may not call ", method));
}

std::vector<absl::string_view> ScopeTargets(absl::string_view method) {
  auto it = RulesByMethod().find(method);
  if (it == RulesByMethod().end()) return {};
  return std::vector<absl::string_view>(it->second->targets);
}

bool IsPersonalDataMethod(absl::string_view method) {
  for (absl::string_view personal : kPersonalDataMethods) {
    if (personal == method) return true;
  }
  return false;
}

std::vector<absl::string_view> MethodsWithAccessRules() {
  std::vector<absl::string_view> methods;
  for (const Rule& rule : kRules) methods.push_back(rule.method);
  return methods;
}

}  // namespace jobtrack
