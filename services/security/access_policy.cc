#include "services/security/access_policy.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

using security::ADMIN;
using security::CASE_OFFICER;
using security::EMPLOYER;
using security::MUNICIPALITY_STAFF;
using security::REPORTER;
using security::Role;
using security::SUPPLIER;

struct Rule {
  const char* method;
  std::initializer_list<Role> roles;
  // Request fields naming what a scoped caller must reach (ScopeTargets).
  std::initializer_list<absl::string_view> targets = {};
  // Whether a track (or intake) target must lie wholly in the caller's
  // municipalities (changes to a track change it for every municipality)
  // rather than touch them (reads).
  bool whole_track = false;
  // Fields an EMPLOYER must reach on a method that is national for the
  // other roles (the catalogue).
  std::initializer_list<absl::string_view> employer_targets = {};
};

constexpr std::initializer_list<Role> kInternal = {ADMIN, CASE_OFFICER,
                                                   MUNICIPALITY_STAFF};

// Who may call what, and for scoped roles what they must reach. Catalogue
// reads are open to the internal roles; an EMPLOYER reaches its own record,
// its tracks and intakes, and the participations on its tracks.
const Rule kRules[] = {
    // Catalogue: agreements, suppliers, modules, employers.
    {"CreateAgreement", {ADMIN}},
    {"GetAgreement", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"ListAgreements", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"UpdateAgreement", {ADMIN}},
    {"DeleteAgreement", {ADMIN}},
    {"CreateSupplier", {ADMIN}},
    {"GetSupplier", kInternal},
    {"ListSuppliers", kInternal},
    {"UpdateSupplier", {ADMIN}},
    {"DeleteSupplier", {ADMIN}},
    {"CreateModule", kInternal},
    {"GetModule", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"ListModules", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {"UpdateModule", kInternal},
    {"DeleteModule", {ADMIN}},
    {"CreateEmployer", kInternal},
    {.method = "GetEmployer",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, EMPLOYER},
     .employer_targets = {"name"}},
    {"ListEmployers", kInternal},
    {"UpdateEmployer", kInternal},
    {"DeleteEmployer", {ADMIN}},
    // Tracks and intakes: read by the internal roles and suppliers (the
    // catalogue is national) and by an employer for its own; written by
    // case officers and municipality staff whose municipalities include
    // all of the track's (deleting a track, which has a history, is for
    // ADMIN).
    {.method = "CreateTrack",
     .roles = kInternal,
     .targets = {"track.municipality_codes"}},
    {.method = "GetTrack",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER},
     .employer_targets = {"name"}},
    // An employer's list leaves out other tracks (ServeList).
    {"ListTracks",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER}},
    {.method = "UpdateTrack",
     .roles = kInternal,
     .targets = {"track.name", "track.municipality_codes"},
     .whole_track = true},
    {"DeleteTrack", {ADMIN}},
    {.method = "CreateIntake",
     .roles = kInternal,
     .targets = {"parent"},
     .whole_track = true},
    {.method = "GetIntake",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER},
     .employer_targets = {"name"}},
    {.method = "ListIntakes",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER},
     .employer_targets = {"parent"}},
    {.method = "UpdateIntake",
     .roles = kInternal,
     .targets = {"intake.name"},
     .whole_track = true},
    {.method = "DeleteIntake",
     .roles = kInternal,
     .targets = {"name"},
     .whole_track = true},
    // Personal data: case officers and municipality staff for participants
    // in their municipalities; suppliers read the participants assigned to
    // them (minimal fields, see response_filter) and report on their
    // participations; an employer reads (minimal fields), selects and
    // declines the participations on its tracks. Erasure stays ADMIN-only.
    {.method = "CreateParticipant",
     .roles = kInternal,
     .targets = {"participant.municipality_code"}},
    {.method = "GetParticipant",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    // Lists leave out what the caller does not reach (ServeList).
    {"ListParticipants", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    {.method = "UpdateParticipant",
     .roles = kInternal,
     .targets = {"participant.name", "participant.municipality_code"}},
    // The handler answers PERMISSION_DENIED for a person out of scope and
    // for an unknown number alike.
    {"LookupParticipant", kInternal},
    {"EraseParticipant", {ADMIN}},
    {.method = "ProposeParticipation",
     .roles = kInternal,
     .targets = {"participant"}},
    {.method = "SelectParticipation",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, EMPLOYER},
     .targets = {"name"}},
    {.method = "DeclineParticipation",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, EMPLOYER},
     .targets = {"name"}},
    {.method = "EnrollParticipation", .roles = kInternal, .targets = {"name"}},
    {.method = "ReportStepProgress",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    {.method = "CompleteParticipation",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    {.method = "InterruptParticipation",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    {.method = "RecordOutcome",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    {.method = "CorrectParticipationEvent",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    {.method = "GetParticipation",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER},
     .targets = {"name"}},
    {"ListParticipations",
     {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER, EMPLOYER}},
    {.method = "ListParticipationEvents",
     .roles = {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER},
     .targets = {"name"}},
    // Matching: proposals for participants in scope; candidates for an
    // intake of a track that touches the caller's municipalities, drawn
    // from the residents of those municipalities only (MatchingService).
    {.method = "ProposeTracks", .roles = kInternal, .targets = {"participant"}},
    {.method = "ProposeCandidates", .roles = kInternal, .targets = {"intake"}},
    {.method = "RecordProposals",
     .roles = kInternal,
     .targets = {"participant"}},
    // The change stream narrows its filter to the caller's scope
    // (NarrowToScope).
    {"WatchChanges", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, SUPPLIER}},
    // Follow-up: reporters get suppressed figures (FollowUp), exports only
    // if granted (CheckAccess); case officers and municipality staff get
    // the figures of their municipalities, suppressed. A scoped caller's
    // report scope is narrowed by FollowUpService (NarrowReportScope).
    {"GetReport", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"ListPeriods", {ADMIN, CASE_OFFICER, MUNICIPALITY_STAFF, REPORTER}},
    {"ClosePeriod", {ADMIN}},
    {"ExportParticipations", {ADMIN, REPORTER}},
    // The audit log itself, and backups.
    {"ListAuditEvents", {ADMIN}},
    {"CreateBackup", {ADMIN}},
    {"ListBackups", {ADMIN}},
    {"VerifyBackup", {ADMIN}},
};

// Methods that read or write personal data (DESIGN 6): participants and
// what is tied to them, and employers and suppliers, whose
// organisationsnummer is a personnummer for a sole trader (ruling 9.2).
// Every call of these is audited.
const absl::string_view kPersonalDataMethods[] = {
    "CreateEmployer",
    "GetEmployer",
    "ListEmployers",
    "UpdateEmployer",
    "DeleteEmployer",
    "CreateSupplier",
    "GetSupplier",
    "ListSuppliers",
    "UpdateSupplier",
    "DeleteSupplier",
    "CreateParticipant",
    "GetParticipant",
    "ListParticipants",
    "UpdateParticipant",
    "LookupParticipant",
    "EraseParticipant",
    "ProposeParticipation",
    "SelectParticipation",
    "DeclineParticipation",
    "EnrollParticipation",
    "ReportStepProgress",
    "CompleteParticipation",
    "InterruptParticipation",
    "RecordOutcome",
    "CorrectParticipationEvent",
    "GetParticipation",
    "ListParticipations",
    "ListParticipationEvents",
    "ProposeTracks",
    "ProposeCandidates",
    "RecordProposals",
    "WatchChanges",
    "ExportParticipations",
};

// A rule as the checks use it, worked out once: the scope requirement of
// each kind of scoped caller, and whether the method is audited.
struct CompiledRule {
  const Rule* rule;
  ScopeRequirement scoped;
  ScopeRequirement employer;
  bool personal = false;
};

const absl::flat_hash_map<absl::string_view, CompiledRule>& RulesByMethod() {
  static const auto* rules = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, CompiledRule>;
    for (const Rule& rule : kRules) {
      CompiledRule& compiled = (*map)[rule.method];
      compiled.rule = &rule;
      compiled.scoped.targets.assign(rule.targets.begin(), rule.targets.end());
      compiled.scoped.whole_track = rule.whole_track;
      compiled.employer = compiled.scoped;
      compiled.employer.targets.insert(compiled.employer.targets.end(),
                                       rule.employer_targets.begin(),
                                       rule.employer_targets.end());
      compiled.personal =
          std::find(std::begin(kPersonalDataMethods),
                    std::end(kPersonalDataMethods),
                    rule.method) != std::end(kPersonalDataMethods);
    }
    return map;
  }();
  return *rules;
}

}  // namespace

absl::Status CheckAccess(const Principal& principal, absl::string_view method) {
  auto it = RulesByMethod().find(method);
  bool allowed = principal.role == ADMIN;
  if (it != RulesByMethod().end()) {
    for (Role role : it->second.rule->roles) allowed |= role == principal.role;
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

const ScopeRequirement& ScopeTargets(absl::string_view method, Role role) {
  static const ScopeRequirement kNone;
  auto it = RulesByMethod().find(method);
  if (it == RulesByMethod().end()) return kNone;
  return role == security::EMPLOYER ? it->second.employer : it->second.scoped;
}

bool IsPersonalDataMethod(absl::string_view method) {
  auto it = RulesByMethod().find(method);
  return it != RulesByMethod().end() && it->second.personal;
}

std::vector<absl::string_view> MethodsWithAccessRules() {
  std::vector<absl::string_view> methods;
  for (const Rule& rule : kRules) methods.push_back(rule.method);
  return methods;
}

}  // namespace jobtrack
