// The authorization matrix (issue 6, ruling 9.6): every RPC of the API,
// called by a principal of every role, on a resource in the caller's scope,
// out of it, and absent, over the network against a real server. Every
// expected status code is written by hand below, as a table a reviewer can
// read; nothing is derived from the server's policy code.
//
// The world: two municipalities, Stockholm (0180, "in") and Göteborg
// (1480, "out"), each with a supplier, an employer, a track of that
// employer with two intakes, a spare track, five participants assigned to
// the supplier and participations in every state that a life-cycle call
// needs. The scoped principals are Stockholm's: a case officer and a
// municipality staff member for 0180, the supplier and the employer of the
// "in" world. The reporter may export. The "absent" column names resources
// that do not exist (and a personnummer nobody has).
//
// After a call that wrote (a mutating method answered OK), the next call
// starts from a fresh copy of the seeded database, so every cell sees the
// same world.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "services/agreements/agreements.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/security/principal_registry.h"
#include "services/server/server.h"
#include "services/suppliers/suppliers.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using grpc::StatusCode;

// Short names for the cells.
constexpr StatusCode OK = StatusCode::OK;
constexpr StatusCode PD = StatusCode::PERMISSION_DENIED;
constexpr StatusCode NF = StatusCode::NOT_FOUND;
// Not asked: the column means nothing for this method (a national list, a
// create without a target).
constexpr StatusCode __ = StatusCode::DO_NOT_USE;

// In scope, out of scope, absent.
using Cells = std::array<StatusCode, 3>;

constexpr Cells kAllOk = {OK, __, __};
constexpr Cells kDenied = {PD, __, __};
constexpr Cells kDeniedEverywhere = {PD, PD, PD};

struct Row {
  const char* method;
  // Text format; {KEY}s are replaced by the column's resources.
  const char* request;
  Cells admin, officer, staff, supplier, employer, reporter;
};

// clang-format off
const Row kMatrix[] = {
  // ---- Agreements: national catalogue, written by ADMIN.
  {"CreateAgreement",
   R"(agreement { display_name: "Ny överenskommelse" municipality_codes: "0180"
      valid_from { year: 2026 month: 1 day: 1 } })",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},
  {"GetAgreement", R"(name: "{AGREEMENT}")",
   {OK, __, NF}, {OK, __, NF}, {OK, __, NF}, {PD, __, PD}, {PD, __, PD},
   {OK, __, NF}},
  {"ListAgreements", "",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kAllOk},
  {"UpdateAgreement",
   R"(agreement { name: "{AGREEMENT}" display_name: "Nytt namn" }
      update_mask { paths: "display_name" })",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},
  {"DeleteAgreement", R"(name: "{SPARE_AGREEMENT}")",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},

  // ---- Suppliers: national catalogue, read by the internal roles.
  {"CreateSupplier",
   R"(supplier { display_name: "Ny leverantör AB" organisation_number: "5566778899"
      municipality_codes: "0180" })",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},
  {"GetSupplier", R"(name: "{SUPPLIER}")",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"ListSuppliers", "",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kDenied},
  {"UpdateSupplier",
   R"(supplier { name: "{SUPPLIER}" display_name: "Nytt namn AB" }
      update_mask { paths: "display_name" })",
   {OK, OK, NF}, kDeniedEverywhere, kDeniedEverywhere, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"DeleteSupplier", R"(name: "{SPARE_SUPPLIER}")",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},

  // ---- Modules: national catalogue; suppliers read it.
  {"CreateModule",
   R"(module { display_name: "Truckkort" education_form: AUB length_weeks: 2
      hours_per_week: 40 })",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kDenied},
  {"GetModule", R"(name: "{MODULE}")",
   {OK, __, NF}, {OK, __, NF}, {OK, __, NF}, {OK, __, NF}, {PD, __, PD},
   {PD, __, PD}},
  {"ListModules", "",
   kAllOk, kAllOk, kAllOk, kAllOk, kDenied, kDenied},
  {"UpdateModule",
   R"(module { name: "{MODULE}" display_name: "Nytt namn" }
      update_mask { paths: "display_name" })",
   {OK, __, NF}, {OK, __, NF}, {OK, __, NF}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},
  {"DeleteModule", R"(name: "{SPARE_MODULE}")",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},

  // ---- Employers: national catalogue; an employer reads its own record.
  {"CreateEmployer",
   R"(employer { display_name: "Nya Åkeriet AB" organisation_number: "5560360793"
      sector: PRIVATE sni_code: "49410" municipality_code: "0180" })",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kDenied},
  {"GetEmployer", R"(name: "{EMPLOYER}")",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, kDeniedEverywhere,
   {OK, PD, PD}, kDeniedEverywhere},
  {"ListEmployers", "",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kDenied},
  {"UpdateEmployer",
   R"(employer { name: "{EMPLOYER}" display_name: "Nytt namn AB" }
      update_mask { paths: "display_name" })",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"DeleteEmployer", R"(name: "{SPARE_EMPLOYER}")",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},

  // ---- Tracks and intakes: read nationally by the internal roles and
  // suppliers, by an employer for its own; changed by case officers and
  // staff only wholly within their municipalities.
  {"CreateTrack",
   R"(track { display_name: "Nytt spår" kind: EMPLOYER_DIRECTED ssyk_code: "8331"
      sni_code: "49311" municipality_codes: "{MUNI}" employers: "{EMPLOYER}"
      status: OPEN chain { stages { steps { module: "{MODULE}" } } } }
      effective_date { year: 2026 month: 11 day: 1 })",
   {OK, OK, __}, {OK, PD, __}, {OK, PD, __}, kDenied, kDenied, kDenied},
  {"GetTrack", R"(name: "{TRACK}")",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, PD, PD},
   kDeniedEverywhere},
  {"ListTracks", "",
   kAllOk, kAllOk, kAllOk, kAllOk, kAllOk, kDenied},
  {"UpdateTrack",
   R"(track { name: "{TRACK}" display_name: "Nytt namn" }
      update_mask { paths: "display_name" }
      effective_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"DeleteTrack", R"(name: "{SPARE_TRACK}")",
   {OK, OK, NF}, kDeniedEverywhere, kDeniedEverywhere, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"CreateIntake",
   R"(parent: "{TRACK}" intake { display_name: "Våren 2027" start_type: COMMON
      start_date { year: 2027 month: 2 day: 1 } seats: 5 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"GetIntake", R"(name: "{INTAKE}")",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, PD, PD},
   kDeniedEverywhere},
  {"ListIntakes", R"(parent: "{TRACK}")",
   {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, OK, NF}, {OK, PD, PD},
   kDeniedEverywhere},
  {"UpdateIntake",
   R"(intake { name: "{SPARE_INTAKE}" seats: 7 } update_mask { paths: "seats" })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"DeleteIntake", R"(name: "{SPARE_INTAKE}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},

  // ---- Participants: personal data, by municipality; suppliers read
  // their own participants; erasure is ADMIN's.
  {"CreateParticipant",
   R"(participant { external_reference: "ny" birth_year: 1990 gender: FEMALE
      municipality_code: "{MUNI}" education_level: UPPER_SECONDARY })",
   {OK, OK, __}, {OK, PD, __}, {OK, PD, __}, kDenied, kDenied, kDenied},
  {"GetParticipant", R"(name: "{P1}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere},
  {"ListParticipants", "",
   kAllOk, kAllOk, kAllOk, kAllOk, kDenied, kDenied},
  {"UpdateParticipant",
   R"(participant { name: "{P1}" education_level: POST_SECONDARY }
      update_mask { paths: "education_level" })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"LookupParticipant", R"(personnummer: "{PNR}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"EraseParticipant", R"(name: "{P1}")",
   {OK, OK, NF}, kDeniedEverywhere, kDeniedEverywhere, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},

  // ---- Participations: the life cycle. Suppliers report on their
  // participants; employers select and decline on their tracks.
  {"ProposeParticipation",
   R"(participant: "{P5}" track: "{TRACK}"
      effective_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"SelectParticipation",
   R"(name: "{PROPOSED}" effective_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   {OK, PD, PD}, kDeniedEverywhere},
  {"DeclineParticipation",
   R"(name: "{PROPOSED}" reason: DECLINED_BY_EMPLOYER
      effective_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   {OK, PD, PD}, kDeniedEverywhere},
  {"EnrollParticipation",
   R"(name: "{SELECTED}" intake: "{INTAKE}"
      start_date { year: 2026 month: 11 day: 23 }
      effective_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"ReportStepProgress",
   R"(name: "{ENROLLED}" step_id: "1" status: STEP_STARTED
      effective_date { year: 2026 month: 11 day: 2 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},
  {"CompleteParticipation",
   R"(name: "{ENROLLED}" end_date { year: 2026 month: 11 day: 20 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},
  {"InterruptParticipation",
   R"(name: "{ENROLLED}" end_date { year: 2026 month: 11 day: 20 }
      reason: ILLNESS)",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},
  {"RecordOutcome",
   R"(name: "{COMPLETED}" point: AT_END kind: WORK_UNSUBSIDIZED
      effective_date { year: 2026 month: 11 day: 2 })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},
  {"CorrectParticipationEvent",
   R"(name: "{COMPLETED}" event_sequence: {COMPLETION}
      replacement { completed {} effective_date { year: 2026 month: 10 day: 20 } })",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},
  {"GetParticipation", R"(name: "{PROPOSED}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere},
  {"ListParticipations", "",
   kAllOk, kAllOk, kAllOk, kAllOk, kAllOk, kDenied},
  {"ListParticipationEvents", R"(name: "{ENROLLED}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, {OK, PD, PD},
   kDeniedEverywhere, kDeniedEverywhere},

  // ---- Matching: for participants in scope; candidates from the
  // caller's municipalities.
  {"ProposeTracks", R"(participant: "{P5}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"ProposeCandidates", R"(intake: "{INTAKE}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},
  {"RecordProposals", R"(participant: "{P5}" tracks: "{TRACK}")",
   {OK, OK, NF}, {OK, PD, PD}, {OK, PD, PD}, kDeniedEverywhere,
   kDeniedEverywhere, kDeniedEverywhere},

  // ---- The change stream, narrowed to the caller's scope (OK: the first
  // event arrived).
  {"WatchChanges",
   R"(municipality_codes: "{MUNI}" supplier: "{SUPPLIER}")",
   {OK, OK, __}, {OK, PD, __}, {OK, PD, __}, {OK, PD, __}, {PD, PD, __},
   {PD, PD, __}},

  // ---- Follow-up: ADMIN and a national reporter anywhere; case officers
  // and staff on their municipalities; exports for a reporter granted them.
  {"GetReport",
   R"(as_of { year: 2026 month: 11 day: 1 }
      scope { municipality_codes: "{MUNI}" })",
   {OK, OK, __}, {OK, PD, __}, {OK, PD, __}, {PD, PD, __}, {PD, PD, __},
   {OK, OK, __}},
  {"ListPeriods", "",
   kAllOk, kAllOk, kAllOk, kDenied, kDenied, kAllOk},
  {"ClosePeriod", R"(name: "periods/2026-09-30")",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},
  {"ExportParticipations",
   R"(as_of { year: 2026 month: 11 day: 1 }
      scope { municipality_codes: "{MUNI}" })",
   {OK, OK, __}, {PD, PD, __}, {PD, PD, __}, {PD, PD, __}, {PD, PD, __},
   {OK, OK, __}},

  // ---- The audit log.
  {"ListAuditEvents", "",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},

  // ---- Backups (into the test's backup directory, shared by every fresh
  // database, so the backup made by CreateBackup's first cell is there).
  {"CreateBackup", "",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},
  {"ListBackups", "",
   kAllOk, kDenied, kDenied, kDenied, kDenied, kDenied},
  {"VerifyBackup", R"(name: "backups/{BACKUP}")",
   {OK, __, NF}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD}, {PD, __, PD},
   {PD, __, PD}},
};
// clang-format on

constexpr const char* kServices[] = {
    "AdminService",         "AgreementService", "AuditService",
    "ChangeService",        "EmployerService",  "FollowUpService",
    "MatchingService",      "ModuleService",    "ParticipantService",
    "ParticipationService", "SupplierService",  "TrackService"};

const google::protobuf::MethodDescriptor* FindMethod(absl::string_view name) {
  for (const char* service : kServices) {
    const auto* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("jobtrack.v1.", service));
    if (d == nullptr) continue;
    if (const auto* m = d->FindMethodByName(std::string(name))) return m;
  }
  return nullptr;
}

// Writes no byte: reads, and calls that answer without changing anything.
bool IsRead(absl::string_view method) {
  for (absl::string_view prefix :
       {"Get", "List", "Lookup", "Watch", "Export"}) {
    if (absl::StartsWith(method, prefix)) return true;
  }
  return method == "ProposeTracks" || method == "ProposeCandidates";
}

// A valid personnummer from its first eleven digits.
std::string Personnummer(const std::string& eleven) {
  for (char d = '0'; d <= '9'; ++d) {
    if (LuhnValid(eleven.substr(2) + d)) return eleven + d;
  }
  return eleven;
}

enum Role { kAdmin, kOfficer, kStaff, kSupplier, kEmployer, kReporter };
constexpr const char* kRoleNames[] = {
    "ADMIN",    "CASE_OFFICER", "MUNICIPALITY_STAFF",
    "SUPPLIER", "EMPLOYER",     "REPORTER"};

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  using Resources = std::map<std::string, std::string>;

  void SetUp() override {
    Seed();
    for (const std::string& token : tokens_) ASSERT_FALSE(token.empty());
  }
  void TearDown() override { Stop(); }

  // One database with the world in it, then closed: every fresh state is a
  // copy of it.
  void Seed() {
    Open(pristine_);
    const CallContext setup{.principal = "setup", .method = "Seed"};
    Deps deps = MakeDeps();
    auto named = [](auto created) {
      EXPECT_TRUE(created.ok()) << created.status();
      return created.ok() ? created->name() : std::string();
    };
    v1::Agreement a;
    a.set_display_name("Överenskommelse");
    a.add_municipality_codes("0180");
    *a.mutable_valid_from() = ToDate(absl::CivilDay(2026, 1, 1));
    const std::string agreement =
        named(Agreements(deps).Create(setup, a, "", a, ""));
    a.set_display_name("Oanvänd överenskommelse");
    const std::string spare_agreement =
        named(Agreements(deps).Create(setup, a, "", a, ""));
    v1::Module m;
    m.set_display_name("Yrkesförare buss");
    m.set_education_form(v1::AUB);
    m.set_length_weeks(16);
    m.set_hours_per_week(40);
    const std::string module = named(Modules(deps).Create(setup, m, "", m, ""));
    m.set_display_name("Oanvänd modul");
    const std::string spare_module =
        named(Modules(deps).Create(setup, m, "", m, ""));
    v1::Employer spare_e;
    spare_e.set_display_name("Oanvänd Arbetsgivare AB");
    spare_e.set_organisation_number("5569876542");
    spare_e.set_sector(v1::Employer::PRIVATE);
    spare_e.set_sni_code("49311");
    spare_e.set_municipality_code("0180");
    const std::string spare_employer =
        named(Employers(deps).Create(setup, spare_e, "", spare_e, ""));
    v1::Supplier spare_s;
    spare_s.set_display_name("Oanvänd Leverantör AB");
    spare_s.set_organisation_number("5591234561");
    spare_s.add_municipality_codes("0180");
    const std::string spare_supplier =
        named(Suppliers(deps).Create(setup, spare_s, "", spare_s, ""));

    int person = 0;
    for (const auto& [column, muni] :
         {std::pair{0, "0180"}, std::pair{1, "1480"}}) {
      Resources& r = resources_[column];
      r["MUNI"] = muni;
      r["AGREEMENT"] = agreement;
      r["SPARE_AGREEMENT"] = spare_agreement;
      r["MODULE"] = module;
      r["SPARE_MODULE"] = spare_module;
      r["SPARE_EMPLOYER"] = spare_employer;
      r["SPARE_SUPPLIER"] = spare_supplier;
      v1::Supplier s;
      s.set_display_name(absl::StrCat("Leverantör ", muni, " AB"));
      s.set_organisation_number(column == 0 ? "5560000076" : "5560000084");
      s.add_municipality_codes(muni);
      r["SUPPLIER"] = named(Suppliers(deps).Create(setup, s, "", s, ""));
      v1::Employer e;
      e.set_display_name(absl::StrCat("Bussbolaget ", muni, " AB"));
      e.set_organisation_number(column == 0 ? "5560000092" : "5560000100");
      e.set_sector(v1::Employer::PRIVATE);
      e.set_sni_code("49311");
      e.set_municipality_code(muni);
      r["EMPLOYER"] = named(Employers(deps).Create(setup, e, "", e, ""));
      v1::CreateTrackRequest t;
      t.mutable_track()->set_display_name(absl::StrCat("Bussförare ", muni));
      t.mutable_track()->set_kind(v1::Track::EMPLOYER_DIRECTED);
      t.mutable_track()->set_ssyk_code("8331");
      t.mutable_track()->set_sni_code("49311");
      t.mutable_track()->add_municipality_codes(muni);
      t.mutable_track()->add_employers(r["EMPLOYER"]);
      t.mutable_track()->set_status(v1::Track::OPEN);
      t.mutable_track()->mutable_chain()->add_stages()->add_steps()->set_module(
          module);
      *t.mutable_effective_date() = ToDate(absl::CivilDay(2026, 1, 1));
      r["TRACK"] = named(Tracks(deps).CreateTrack(setup, t));
      t.mutable_track()->set_display_name(absl::StrCat("Oanvänt ", muni));
      r["SPARE_TRACK"] = named(Tracks(deps).CreateTrack(setup, t));
      v1::Intake i;
      i.set_display_name("Löpande");
      i.set_start_type(v1::Intake::ROLLING);
      *i.mutable_start_date() = ToDate(absl::CivilDay(2026, 9, 1));
      i.set_seats(10);
      r["INTAKE"] = named(Intakes(deps).Create(setup, i, r["TRACK"], i, ""));
      i.set_display_name("Oanvänt intag");
      r["SPARE_INTAKE"] =
          named(Intakes(deps).Create(setup, i, r["TRACK"], i, ""));
      for (int n = 1; n <= 5; ++n) {
        v1::Participant p;
        p.set_external_reference(absl::StrCat("p", ++person));
        if (n == 1) {
          r["PNR"] = Personnummer(column == 0 ? "19811218987" : "19750402123");
          p.set_personnummer(r["PNR"]);
        }
        p.set_birth_year(column == 0 ? 1981 : 1975);
        p.set_gender(v1::MALE);
        p.set_municipality_code(muni);
        p.set_education_level(v1::UPPER_SECONDARY);
        p.set_supplier(r["SUPPLIER"]);
        r[absl::StrCat("P", n)] =
            named(Participants(deps).Create(setup, p, "", p, ""));
      }
      Participations participations(deps);
      v1::ProposeParticipationRequest propose;
      propose.set_participant(r["P1"]);
      propose.set_track(r["TRACK"]);
      *propose.mutable_effective_date() = ToDate(absl::CivilDay(2026, 11, 2));
      r["PROPOSED"] = named(participations.Propose(setup, propose));
      propose.set_participant(r["P2"]);
      r["SELECTED"] = named(participations.Propose(setup, propose));
      v1::SelectParticipationRequest select;
      select.set_name(r["SELECTED"]);
      *select.mutable_effective_date() = ToDate(absl::CivilDay(2026, 11, 2));
      named(participations.Select(setup, select));
      absl::StatusOr<std::string> enrolled = ProposeSelectEnroll(
          participations, setup, r["P3"], r["TRACK"], r["INTAKE"],
          absl::CivilDay(2026, 10, 1), absl::CivilDay(2026, 9, 20));
      ASSERT_TRUE(enrolled.ok()) << enrolled.status();
      r["ENROLLED"] = *enrolled;
      absl::StatusOr<std::string> completed = ProposeSelectEnroll(
          participations, setup, r["P4"], r["TRACK"], r["INTAKE"],
          absl::CivilDay(2026, 9, 1), absl::CivilDay(2026, 8, 20));
      ASSERT_TRUE(completed.ok()) << completed.status();
      r["COMPLETED"] = *completed;
      v1::CompleteParticipationRequest complete;
      complete.set_name(*completed);
      *complete.mutable_end_date() = ToDate(absl::CivilDay(2026, 11, 1));
      named(participations.Complete(setup, complete));
      absl::StatusOr<std::vector<v1::Event>> events =
          participations.Events(*completed);
      ASSERT_TRUE(events.ok() && !events->empty());
      ASSERT_TRUE(events->back().has_completed());
      r["COMPLETION"] = absl::StrCat(events->back().sequence());
    }
    // Names of the same kinds that nobody created, and a personnummer
    // nobody has.
    Resources& absent = resources_[2];
    absent = resources_[0];
    for (auto& [key, value] : absent) {
      if (absl::StrContains(value, "/")) {
        value = absl::StrCat(value.substr(0, value.rfind('/') + 1), "absent");
      }
    }
    absent["PNR"] = Personnummer("19900101123");
    resources_[0]["BACKUP"] = resources_[1]["BACKUP"] = "1";
    absent["BACKUP"] = "999";

    const std::string principals = root_.path() + "/principals.txtpb";
    std::ofstream(principals) << absl::StrCat(
        Entry("admin", kAdmin, ""),
        Entry("officer", kOfficer, "municipality_codes: \"0180\""),
        Entry("staff", kStaff, "municipality_codes: \"0180\""),
        Entry("supplier", kSupplier,
              absl::StrCat("supplier: \"", resources_[0]["SUPPLIER"], "\"")),
        Entry("employer", kEmployer,
              absl::StrCat("employer: \"", resources_[0]["EMPLOYER"], "\"")),
        Entry("reporter", kReporter, "may_export: true"));
    chmod(principals.c_str(), 0600);
    absl::StatusOr<std::unique_ptr<PrincipalRegistry>> registry =
        PrincipalRegistry::Load(principals, &clock_);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    Stop();
  }

  std::string Entry(const char* id, Role role, const std::string& extra) {
    tokens_[role] = *PrincipalRegistry::NewToken();
    return testing::PrincipalEntry(id, kRoleNames[role], tokens_[role], extra);
  }

  Deps MakeDeps() {
    return Deps{.storage = storage_.get(),
                .clock = &clock_,
                .ids = &ids_,
                .hasher = &hasher_,
                .gatekeeper = gatekeeper_.get(),
                .audit = audit_.get()};
  }

  void Open(const std::string& path) {
    storage::Options options;
    options.path = path;
    options.now = [this] { return clock_.Now(); };
    storage_ = *storage::Storage::Open(options);
    audit_ = *AuditLog::Open(storage_.get(), &clock_);
  }

  void Stop() {
    server_.reset();
    channel_.reset();
    gatekeeper_.reset();
    audit_.reset();
    storage_.reset();
  }

  // A server on a fresh copy of the seeded database.
  void Fresh() {
    Stop();
    const std::string path = absl::StrCat(root_.path(), "/state-", ++states_);
    std::filesystem::copy(pristine_, path,
                          std::filesystem::copy_options::recursive);
    Open(path);
    gatekeeper_ = std::make_unique<Gatekeeper>(registry_.get(), storage_.get(),
                                               audit_.get());
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.backup_dir = root_.path() + "/backups";
    absl::StatusOr<std::unique_ptr<Server>> started =
        Server::Start(options, MakeDeps(), grpc::InsecureServerCredentials());
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  // The status code of `method` called with `text` by `role`.
  StatusCode Call(const google::protobuf::MethodDescriptor& method,
                  const std::string& text, Role role) {
    google::protobuf::DynamicMessageFactory factory;
    std::unique_ptr<google::protobuf::Message> request(
        factory.GetPrototype(method.input_type())->New());
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(text, request.get()))
        << method.name() << ": " << text;
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", tokens_[role]));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    const std::string path =
        absl::StrCat("/", method.service()->full_name(), "/", method.name());
    if (method.server_streaming()) return Stream(method, *request, context);
    const std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    grpc::Status status;
    absl::Notification done;
    grpc::GenericStub stub(channel_);
    stub.UnaryCall(&context, path, grpc::StubOptions(), &in, &out,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return status.error_code();
  }

  // Server streams: OK once the first message (or the end of the stream)
  // arrives; a refusal ends the stream before any message.
  StatusCode Stream(const google::protobuf::MethodDescriptor& method,
                    const google::protobuf::Message& request,
                    grpc::ClientContext& context) {
    if (method.name() == "WatchChanges") {
      v1::WatchChangesRequest watch;
      watch.ParseFromString(request.SerializeAsString());
      auto stub = v1::ChangeService::NewStub(channel_);
      auto reader = stub->WatchChanges(&context, watch);
      v1::Event event;
      if (reader->Read(&event)) {
        context.TryCancel();
        reader->Finish().IgnoreError();
        return OK;
      }
      return reader->Finish().error_code();
    }
    v1::ExportParticipationsRequest export_request;
    export_request.ParseFromString(request.SerializeAsString());
    auto stub = v1::FollowUpService::NewStub(channel_);
    auto reader = stub->ExportParticipations(&context, export_request);
    v1::ParticipationRow row;
    while (reader->Read(&row)) {
    }
    return reader->Finish().error_code();
  }

  testing::TempDir root_;
  const std::string pristine_ = root_.path() + "/pristine";
  int states_ = 0;
  ManualClock clock_{testing::DefaultTestTime()};
  RandomIdGenerator ids_;
  PiiHasher hasher_{std::string(32, 'k')};
  std::array<std::string, 6> tokens_;
  std::array<Resources, 3> resources_;
  std::unique_ptr<PrincipalRegistry> registry_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Gatekeeper> gatekeeper_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuthorizationMatrixTest,
       EveryMethodAnswersEveryRoleAsWrittenInTheTable) {
  constexpr const char* kColumns[] = {"in scope", "out of scope", "absent"};
  std::set<std::string> covered;
  int cells = 0;
  Fresh();
  for (const Row& row : kMatrix) {
    const google::protobuf::MethodDescriptor* method = FindMethod(row.method);
    ASSERT_NE(method, nullptr) << row.method;
    covered.insert(row.method);
    const Cells* by_role[] = {&row.admin,    &row.officer,  &row.staff,
                              &row.supplier, &row.employer, &row.reporter};
    for (int role = kAdmin; role <= kReporter; ++role) {
      for (int column = 0; column < 3; ++column) {
        const StatusCode expected = (*by_role[role])[column];
        if (expected == __) continue;
        std::string text = row.request;
        for (const auto& [key, value] : resources_[column]) {
          absl::StrReplaceAll({{absl::StrCat("{", key, "}"), value}}, &text);
        }
        const StatusCode got = Call(*method, text, static_cast<Role>(role));
        ++cells;
        EXPECT_EQ(got, expected)
            << row.method << " by " << kRoleNames[role] << ", "
            << kColumns[column] << ": got " << got << ", expected " << expected;
        if (got == OK && !IsRead(row.method)) Fresh();
      }
    }
  }
  // Every RPC of every service has a row.
  for (const char* service : kServices) {
    const auto* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("jobtrack.v1.", service));
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      EXPECT_TRUE(covered.contains(d->method(i)->name()))
          << d->method(i)->full_name() << " has no row in the matrix";
    }
  }
  std::cout << "authorization matrix: " << std::size(kMatrix) << " methods, "
            << cells << " cells, " << states_ << " fresh databases\n";
}

}  // namespace
}  // namespace jobtrack
