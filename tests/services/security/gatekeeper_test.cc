// The gatekeeper on a real in-process server: every call is authenticated
// and its method checked against the caller's role before the handler
// runs. (The full authorization matrix, with scopes, comes with the scope
// rules; this covers authentication and the role table.)
#include "services/security/gatekeeper.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/matching.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "services/common/validation.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participations.h"
#include "services/security/access_policy.h"
#include "services/server/server.h"
#include "services/suppliers/suppliers.h"
#include "services/tracks/tracks.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

class GatekeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = dir_.path() + "/principals.txtpb";
    std::ofstream(path) << absl::StrCat(
        Entry("reporter", security::REPORTER, reporter_token_),
        Entry("exporter", security::REPORTER, exporter_token_,
              "may_export: true"),
        Entry("officer", security::CASE_OFFICER, officer_token_,
              "municipality_codes: \"0180\""),
        Entry("former", security::ADMIN, expired_token_,
              "expire_time: \"2026-01-01T00:00:00Z\""),
        Entry("admin", security::ADMIN, admin_token_));
    chmod(path.c_str(), 0600);
    registry_ = *PrincipalRegistry::Load(path, &env_.clock());
    gatekeeper_ = std::make_unique<Gatekeeper>(registry_.get(), &env_.storage(),
                                               env_.deps().audit);
    Deps deps = env_.deps();
    deps.gatekeeper = gatekeeper_.get();
    ASSERT_TRUE(testing::StartInProcessServer(deps, &server_, &channel_).ok());
  }

  static std::string Entry(const char* id, security::Role role,
                           const std::string& token,
                           absl::string_view extra = "") {
    return testing::PrincipalEntry(id, security::Role_Name(role), token, extra);
  }

  static std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    return testing::WithBearer(token);
  }

  // A module for chains (the catalogue's own).
  std::string NewModule() {
    v1::Module m;
    m.set_display_name("AUB");
    m.set_education_form(v1::AUB);
    m.set_length_weeks(8);
    m.set_hours_per_week(40);
    const CallContext setup{.principal = "setup", .method = "Test"};
    return Modules(env_.deps()).Create(setup, m, "", m, "")->name();
  }

  testing::TestEnv env_;
  testing::TempDir dir_;
  const std::string reporter_token_ = *PrincipalRegistry::NewToken();
  const std::string exporter_token_ = *PrincipalRegistry::NewToken();
  const std::string officer_token_ = *PrincipalRegistry::NewToken();
  const std::string expired_token_ = *PrincipalRegistry::NewToken();
  const std::string admin_token_ = *PrincipalRegistry::NewToken();
  std::unique_ptr<PrincipalRegistry> registry_;
  std::unique_ptr<Gatekeeper> gatekeeper_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(GatekeeperTest, CallsWithoutValidCredentialsAreUnauthenticated) {
  auto modules = v1::ModuleService::NewStub(channel_);
  v1::ListModulesResponse out;
  for (const std::string& token :
       {std::string(), std::string("wrong"), expired_token_}) {
    auto context = As(token);
    EXPECT_EQ(modules->ListModules(context.get(), {}, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << token;
  }
  auto malformed = std::make_unique<grpc::ClientContext>();
  malformed->AddMetadata("authorization", absl::StrCat("Basic ", admin_token_));
  EXPECT_EQ(modules->ListModules(malformed.get(), {}, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto admin = As(admin_token_);
  EXPECT_TRUE(modules->ListModules(admin.get(), {}, &out).ok());
}

TEST_F(GatekeeperTest, RolesReachOnlyTheirMethods) {
  auto modules = v1::ModuleService::NewStub(channel_);
  auto participants = v1::ParticipantService::NewStub(channel_);
  auto follow_up = v1::FollowUpService::NewStub(channel_);
  v1::ListModulesResponse modules_out;
  v1::Participant participant;
  v1::GetParticipantRequest get;
  get.set_name("participants/abc");
  // A reporter reads reports, always with small cells withheld, and
  // nothing about persons; permission is refused before existence.
  {
    auto context = As(reporter_token_);
    EXPECT_EQ(participants->GetParticipant(context.get(), get, &participant)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    auto context = As(reporter_token_);
    EXPECT_EQ(
        modules->ListModules(context.get(), {}, &modules_out).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::GetReportRequest report_request;
  *report_request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 1));
  v1::Report report;
  {
    auto context = As(reporter_token_);
    ASSERT_TRUE(
        follow_up->GetReport(context.get(), report_request, &report).ok());
    EXPECT_TRUE(report.small_cells_suppressed());
  }
  {
    auto context = As(admin_token_);
    ASSERT_TRUE(
        follow_up->GetReport(context.get(), report_request, &report).ok());
    EXPECT_FALSE(report.small_cells_suppressed());
  }
  // Exports only for a reporter granted them.
  v1::ExportParticipationsRequest export_request;
  *export_request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 1));
  for (const auto& [token, expected] :
       {std::pair{reporter_token_, grpc::StatusCode::PERMISSION_DENIED},
        std::pair{exporter_token_, grpc::StatusCode::OK},
        std::pair{officer_token_, grpc::StatusCode::PERMISSION_DENIED}}) {
    auto context = As(token);
    auto reader =
        follow_up->ExportParticipations(context.get(), export_request);
    v1::ParticipationRow row;
    while (reader->Read(&row)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), expected);
  }
  // A case officer reads the catalogue; personal data waits for the scope
  // rules.
  {
    auto context = As(officer_token_);
    EXPECT_TRUE(modules->ListModules(context.get(), {}, &modules_out).ok());
  }
  {
    auto context = As(officer_token_);
    EXPECT_EQ(participants->GetParticipant(context.get(), get, &participant)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // An admin gets NOT_FOUND for what does not exist.
  {
    auto context = As(admin_token_);
    EXPECT_EQ(participants->GetParticipant(context.get(), get, &participant)
                  .error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

// Scoped roles reach only what is theirs, and a missing resource answers
// the same as one out of scope.
TEST_F(GatekeeperTest, ScopedRolesReachOnlyWhatIsTheirs) {
  const CallContext setup{.principal = "setup", .method = "Test"};
  v1::Supplier s;
  s.set_display_name("Rusta och matcha AB");
  s.set_organisation_number("5560360793");
  s.add_municipality_codes("0180");
  const std::string supplier =
      Suppliers(env_.deps()).Create(setup, s, "", s, "")->name();
  auto person = [&](const char* reference, const char* municipality,
                    const std::string& assigned, const char* pnr = "") {
    v1::Participant p;
    p.set_external_reference(reference);
    p.set_personnummer(pnr);
    p.set_birth_year(*pnr != '\0' ? 1981 : 1990);  // As the number says.
    p.set_gender(*pnr != '\0' ? v1::MALE : v1::FEMALE);
    p.set_municipality_code(municipality);
    p.set_education_level(v1::UPPER_SECONDARY);
    p.set_supplier(assigned);
    auto created = Participants(env_.deps()).Create(setup, p, "", p, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Participant());
  };
  const v1::Participant stockholm = person("sthlm", "0180", supplier);
  const v1::Participant goteborg = person("gbg", "1480", "", "811218-9876");
  const std::string module = NewModule();
  v1::CreateTrackRequest track_request;
  v1::Track& t = *track_request.mutable_track();
  t.set_display_name("Förberedande");
  t.set_kind(v1::Track::PREPARATORY);
  t.add_municipality_codes("0180");
  t.add_municipality_codes("1480");
  t.set_status(v1::Track::OPEN);
  t.mutable_chain()->add_stages()->add_steps()->set_module(module);
  *track_request.mutable_effective_date() = ToDate(absl::CivilDay(2026, 1, 1));
  const std::string track =
      Tracks(env_.deps()).CreateTrack(setup, track_request)->name();
  auto propose = [&](const v1::Participant& p) {
    v1::ProposeParticipationRequest r;
    r.set_participant(p.name());
    r.set_track(track);
    *r.mutable_effective_date() = ToDate(absl::CivilDay(2026, 11, 2));
    return Participations(env_.deps()).Propose(setup, r)->name();
  };
  const std::string theirs = propose(stockholm);
  const std::string others = propose(goteborg);

  const std::string staff_token = *PrincipalRegistry::NewToken();
  const std::string supplier_token = *PrincipalRegistry::NewToken();
  {
    const std::string path = dir_.path() + "/principals.txtpb";
    std::ofstream(path, std::ios::app)
        << absl::StrCat(Entry("goteborg-staff", security::MUNICIPALITY_STAFF,
                              staff_token, "municipality_codes: \"1480\""),
                        Entry("supplier", security::SUPPLIER, supplier_token,
                              absl::StrCat("supplier: \"", supplier, "\"")));
    ASSERT_TRUE(registry_->Reload().ok());
  }
  auto participants = v1::ParticipantService::NewStub(channel_);
  auto participations = v1::ParticipationService::NewStub(channel_);
  auto get_participant = [&](const std::string& token,
                             const std::string& name) {
    v1::GetParticipantRequest r;
    r.set_name(name);
    v1::Participant out;
    auto context = As(token);
    return participants->GetParticipant(context.get(), r, &out).error_code();
  };
  auto get_participation = [&](const std::string& token,
                               const std::string& name) {
    v1::GetParticipationRequest r;
    r.set_name(name);
    v1::Participation out;
    auto context = As(token);
    return participations->GetParticipation(context.get(), r, &out)
        .error_code();
  };
  using grpc::StatusCode;
  // The Stockholm case officer.
  EXPECT_EQ(get_participant(officer_token_, stockholm.name()), StatusCode::OK);
  EXPECT_EQ(get_participant(officer_token_, goteborg.name()),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get_participant(officer_token_, "participants/missing"),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get_participation(officer_token_, theirs), StatusCode::OK);
  EXPECT_EQ(get_participation(officer_token_, others),
            StatusCode::PERMISSION_DENIED);
  // Göteborg's staff, the other way round.
  EXPECT_EQ(get_participant(staff_token, goteborg.name()), StatusCode::OK);
  EXPECT_EQ(get_participation(staff_token, theirs),
            StatusCode::PERMISSION_DENIED);
  // The supplier: its participant (minimal fields) and that person's
  // participation, nobody else's.
  EXPECT_EQ(get_participation(supplier_token, theirs), StatusCode::OK);
  EXPECT_EQ(get_participation(supplier_token, others),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get_participant(supplier_token, stockholm.name()), StatusCode::OK);
  EXPECT_EQ(get_participant(supplier_token, goteborg.name()),
            StatusCode::PERMISSION_DENIED);
  {
    v1::GetParticipantRequest r;
    r.set_name(stockholm.name());
    v1::Participant minimal;
    auto context = As(supplier_token);
    ASSERT_TRUE(participants->GetParticipant(context.get(), r, &minimal).ok());
    v1::Participant expected;
    expected.set_name(stockholm.name());
    expected.set_external_reference("sthlm");
    expected.set_municipality_code("0180");
    expected.set_supplier(supplier);
    EXPECT_EQ(minimal.DebugString(), expected.DebugString());
  }

  // Lists leave out what the caller does not reach.
  auto list_participations = [&](const std::string& token) {
    v1::ListParticipationsResponse out;
    auto context = As(token);
    EXPECT_TRUE(
        participations->ListParticipations(context.get(), {}, &out).ok());
    std::vector<std::string> names;
    for (const auto& p : out.participations()) names.push_back(p.name());
    return names;
  };
  EXPECT_EQ(list_participations(supplier_token),
            std::vector<std::string>{theirs});
  EXPECT_EQ(list_participations(staff_token), std::vector<std::string>{others});
  EXPECT_EQ(list_participations(admin_token_).size(), 2u);
  {
    v1::ListParticipantsResponse out;
    auto context = As(officer_token_);
    ASSERT_TRUE(participants->ListParticipants(context.get(), {}, &out).ok());
    ASSERT_EQ(out.participants_size(), 1);
    EXPECT_EQ(out.participants(0).name(), stockholm.name());
  }
  {
    v1::ListParticipantsResponse out;
    auto context = As(supplier_token);
    ASSERT_TRUE(participants->ListParticipants(context.get(), {}, &out).ok());
    ASSERT_EQ(out.participants_size(), 1);
    EXPECT_EQ(out.participants(0).name(), stockholm.name());
    EXPECT_EQ(out.participants(0).birth_year(), 0);  // Minimal fields.
  }

  // Creating or moving a participant outside one's municipalities.
  v1::CreateParticipantRequest create;
  create.mutable_participant()->set_external_reference("new");
  create.mutable_participant()->set_birth_year(1985);
  create.mutable_participant()->set_gender(v1::MALE);
  create.mutable_participant()->set_municipality_code("1480");
  create.mutable_participant()->set_education_level(v1::UPPER_SECONDARY);
  v1::Participant created;
  {
    auto context = As(officer_token_);
    EXPECT_EQ(participants->CreateParticipant(context.get(), create, &created)
                  .error_code(),
              StatusCode::PERMISSION_DENIED);
  }
  create.mutable_participant()->set_municipality_code("0180");
  {
    auto context = As(officer_token_);
    grpc::Status s =
        participants->CreateParticipant(context.get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  const std::string created_name = created.name();
  // A duplicate personnummer names the existing participant only to those
  // who reach it.
  create.mutable_participant()->set_external_reference("duplicate");
  create.mutable_participant()->set_personnummer("198112189876");
  create.mutable_participant()->set_birth_year(1981);
  for (const auto& [token, names] :
       {std::pair{officer_token_, false}, std::pair{admin_token_, true}}) {
    auto context = As(token);
    grpc::Status s =
        participants->CreateParticipant(context.get(), create, &created);
    EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS) << s.error_message();
    EXPECT_EQ(s.error_message().find(goteborg.name()) != std::string::npos,
              names)
        << s.error_message();
    EXPECT_EQ(s.error_message().find("9876"), std::string::npos);
  }

  // Look-up by personnummer: within scope only, and an unknown number
  // answers like a person out of scope.
  auto lookup = [&](const std::string& token, const char* pnr) {
    v1::LookupParticipantRequest r;
    r.set_personnummer(pnr);
    v1::Participant out;
    auto context = As(token);
    return participants->LookupParticipant(context.get(), r, &out).error_code();
  };
  EXPECT_EQ(lookup(staff_token, "811218-9876"), StatusCode::OK);
  EXPECT_EQ(lookup(officer_token_, "811218-9876"),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(lookup(officer_token_, "19900101-0017"),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(lookup(admin_token_, "19900101-0017"), StatusCode::NOT_FOUND);
  // Proposals for participants in scope only.
  {
    auto matching = v1::MatchingService::NewStub(channel_);
    for (const auto& [who, expected] :
         {std::pair{stockholm.name(), StatusCode::OK},
          std::pair{goteborg.name(), StatusCode::PERMISSION_DENIED}}) {
      v1::ProposeTracksRequest r;
      r.set_participant(who);
      v1::ProposeTracksResponse out;
      auto context = As(officer_token_);
      grpc::Status s = matching->ProposeTracks(context.get(), r, &out);
      EXPECT_EQ(s.error_code(), expected) << who << ": " << s.error_message();
    }
  }

  // Track writes need every municipality of the track in scope.
  {
    auto tracks = v1::TrackService::NewStub(channel_);
    v1::CreateTrackRequest own = track_request;
    own.mutable_track()->clear_municipality_codes();
    own.mutable_track()->add_municipality_codes("0180");
    v1::Track mine;
    {
      auto context = As(officer_token_);
      grpc::Status s = tracks->CreateTrack(context.get(), own, &mine);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    {
      auto context = As(officer_token_);
      v1::Track out;
      EXPECT_EQ(
          tracks->CreateTrack(context.get(), track_request, &out).error_code(),
          StatusCode::PERMISSION_DENIED);  // 0180 and 1480.
    }
    auto update = [&](const std::string& name,
                      std::vector<std::string> municipalities) {
      v1::UpdateTrackRequest r;
      r.mutable_track()->set_name(name);
      r.mutable_track()->set_display_name("Nytt namn");
      for (auto& m : municipalities) {
        r.mutable_track()->add_municipality_codes(m);
      }
      r.mutable_update_mask()->add_paths("display_name");
      if (!municipalities.empty()) {
        r.mutable_update_mask()->add_paths("municipality_codes");
      }
      v1::Track out;
      auto context = As(officer_token_);
      return tracks->UpdateTrack(context.get(), r, &out).error_code();
    };
    EXPECT_EQ(update(mine.name(), {}), StatusCode::OK);
    EXPECT_EQ(update(mine.name(), {"0180", "1480"}),
              StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(update(track, {}), StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(update("tracks/missing", {}), StatusCode::PERMISSION_DENIED);
    auto intake = [&](const std::string& token, const std::string& parent) {
      v1::CreateIntakeRequest r;
      r.set_parent(parent);
      r.mutable_intake()->set_start_type(v1::Intake::ROLLING);
      *r.mutable_intake()->mutable_start_date() =
          ToDate(absl::CivilDay(2026, 12, 1));
      r.mutable_intake()->set_seats(10);
      v1::Intake out;
      auto context = As(token);
      grpc::Status s = tracks->CreateIntake(context.get(), r, &out);
      return std::pair{s.error_code(), out.name()};
    };
    const auto [created_code, own_intake] = intake(officer_token_, mine.name());
    EXPECT_EQ(created_code, StatusCode::OK);
    EXPECT_EQ(intake(officer_token_, track).first,
              StatusCode::PERMISSION_DENIED);
    v1::DeleteIntakeRequest remove;
    remove.set_name(own_intake);
    google::protobuf::Empty empty;
    {
      auto context = As(staff_token);
      EXPECT_EQ(
          tracks->DeleteIntake(context.get(), remove, &empty).error_code(),
          StatusCode::PERMISSION_DENIED);
    }
    {
      auto context = As(officer_token_);
      grpc::Status s = tracks->DeleteIntake(context.get(), remove, &empty);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
  }

  // The change stream narrows to the caller's scope: read until an event
  // that comes after every out-of-scope one.
  auto watch_until = [&](const std::string& token,
                         const v1::WatchChangesRequest& request,
                         const std::string& last) {
    auto changes = v1::ChangeService::NewStub(channel_);
    auto context = As(token);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(60));
    auto reader = changes->WatchChanges(context.get(), request);
    std::vector<std::string> seen;
    v1::Event event;
    while (reader->Read(&event)) {
      seen.push_back(event.resource());
      if (event.resource() == last) break;
    }
    context->TryCancel();
    reader->Finish().IgnoreError();
    return seen;
  };
  const std::vector<std::string> officer_sees =
      watch_until(officer_token_, {}, created_name);
  ASSERT_FALSE(officer_sees.empty());
  EXPECT_EQ(officer_sees.back(), created_name);
  for (const std::string& resource : officer_sees) {
    EXPECT_NE(resource, goteborg.name());
    EXPECT_NE(resource, others);
  }
  const std::vector<std::string> supplier_sees =
      watch_until(supplier_token, {}, theirs);
  ASSERT_FALSE(supplier_sees.empty());
  EXPECT_EQ(supplier_sees.back(), theirs);
  for (const std::string& resource : supplier_sees) {
    EXPECT_TRUE(resource == stockholm.name() || resource == theirs) << resource;
  }
  {
    v1::WatchChangesRequest elsewhere;
    elsewhere.add_municipality_codes("1480");
    auto changes = v1::ChangeService::NewStub(channel_);
    auto context = As(officer_token_);
    auto reader = changes->WatchChanges(context.get(), elsewhere);
    v1::Event event;
    EXPECT_FALSE(reader->Read(&event));
    EXPECT_EQ(reader->Finish().error_code(), StatusCode::PERMISSION_DENIED);
  }

  v1::UpdateParticipantRequest move;
  move.mutable_participant()->set_name(stockholm.name());
  move.mutable_participant()->set_municipality_code("1480");
  move.mutable_update_mask()->add_paths("municipality_code");
  {
    auto context = As(officer_token_);
    v1::Participant out;
    EXPECT_EQ(
        participants->UpdateParticipant(context.get(), move, &out).error_code(),
        StatusCode::PERMISSION_DENIED);
  }
}

// Reports and exports filter by scope: a scoped caller's report covers its
// municipalities, whatever it asks for.
TEST_F(GatekeeperTest, ReportsAndExportsCoverOnlyTheCallersMunicipalities) {
  const CallContext setup{.principal = "setup", .method = "Test"};
  const std::string module = NewModule();
  auto track_in = [&](const char* municipality) {
    v1::CreateTrackRequest r;
    v1::Track& t = *r.mutable_track();
    t.set_display_name(absl::StrCat("Förberedande ", municipality));
    t.set_kind(v1::Track::PREPARATORY);
    t.add_municipality_codes(municipality);
    t.set_status(v1::Track::OPEN);
    t.mutable_chain()->add_stages()->add_steps()->set_module(module);
    *r.mutable_effective_date() = ToDate(absl::CivilDay(2026, 1, 1));
    return Tracks(env_.deps()).CreateTrack(setup, r)->name();
  };
  const std::string stockholm_track = track_in("0180");
  const std::string goteborg_track = track_in("1480");
  for (const auto& [municipality, track] :
       {std::pair{"0180", stockholm_track},
        std::pair{"1480", goteborg_track}}) {
    v1::Participant p;
    p.set_external_reference(municipality);
    p.set_birth_year(1990);
    p.set_gender(v1::FEMALE);
    p.set_municipality_code(municipality);
    p.set_education_level(v1::UPPER_SECONDARY);
    const std::string person =
        Participants(env_.deps()).Create(setup, p, "", p, "")->name();
    v1::ProposeParticipationRequest r;
    r.set_participant(person);
    r.set_track(track);
    *r.mutable_effective_date() = ToDate(absl::CivilDay(2026, 11, 2));
    ASSERT_TRUE(Participations(env_.deps()).Propose(setup, r).ok());
  }
  const std::string local_reporter = *PrincipalRegistry::NewToken();
  {
    const std::string path = dir_.path() + "/principals.txtpb";
    std::ofstream(path, std::ios::app)
        << Entry("stockholm-reporter", security::REPORTER, local_reporter,
                 "municipality_codes: \"0180\" may_export: true");
    ASSERT_TRUE(registry_->Reload().ok());
  }
  auto follow_up = v1::FollowUpService::NewStub(channel_);
  auto report = [&](const std::string& token, const v1::ReportScope& scope,
                    v1::Report* out) {
    v1::GetReportRequest r;
    *r.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
    *r.mutable_scope() = scope;
    auto context = As(token);
    return follow_up->GetReport(context.get(), r, out).error_code();
  };
  // No scope: the caller's municipalities, the same figures as asking for
  // them.
  v1::Report narrowed;
  ASSERT_EQ(report(officer_token_, {}, &narrowed), grpc::StatusCode::OK);
  EXPECT_EQ(
      std::vector<std::string>(narrowed.scope().municipality_codes().begin(),
                               narrowed.scope().municipality_codes().end()),
      std::vector<std::string>{"0180"});
  EXPECT_TRUE(narrowed.small_cells_suppressed());
  v1::ReportScope stockholm;
  stockholm.add_municipality_codes("0180");
  v1::Report asked;
  ASSERT_EQ(report(officer_token_, stockholm, &asked), grpc::StatusCode::OK);
  ASSERT_EQ(asked.figures_size(), narrowed.figures_size());
  for (int i = 0; i < asked.figures_size(); ++i) {
    EXPECT_EQ(asked.figures(i).DebugString(),
              narrowed.figures(i).DebugString());
  }
  // Wider than theirs, or another municipality's, is refused; so is a track
  // that does not exist (the admin learns that it does not).
  v1::ReportScope county;
  county.set_county_code("01");
  v1::ReportScope both = stockholm;
  both.add_municipality_codes("1480");
  v1::ReportScope theirs_track;
  theirs_track.set_track(stockholm_track);
  v1::ReportScope other_track;
  other_track.set_track(goteborg_track);
  v1::ReportScope no_track;
  no_track.set_track("tracks/absent");
  v1::Report out;
  for (const std::string* token : {&officer_token_, &local_reporter}) {
    EXPECT_EQ(report(*token, county, &out),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(report(*token, both, &out), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(report(*token, other_track, &out),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(report(*token, no_track, &out),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(report(*token, theirs_track, &out), grpc::StatusCode::OK);
  }
  EXPECT_EQ(report(admin_token_, no_track, &out), grpc::StatusCode::NOT_FOUND);
  // A national reporter is not narrowed.
  ASSERT_EQ(report(reporter_token_, {}, &out), grpc::StatusCode::OK);
  EXPECT_EQ(out.scope().municipality_codes_size(), 0);

  // Exports: the local reporter's national export holds Stockholm's rows
  // only; the national exporter's, both.
  auto export_rows = [&](const std::string& token) {
    v1::ExportParticipationsRequest r;
    *r.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
    auto context = As(token);
    auto reader = follow_up->ExportParticipations(context.get(), r);
    std::vector<std::string> homes;
    v1::ParticipationRow row;
    while (reader->Read(&row)) homes.push_back(row.home_municipality_code());
    EXPECT_TRUE(reader->Finish().ok());
    std::sort(homes.begin(), homes.end());
    return homes;
  };
  EXPECT_EQ(export_rows(local_reporter), std::vector<std::string>{"0180"});
  EXPECT_EQ(export_rows(exporter_token_),
            (std::vector<std::string>{"0180", "1480"}));
}

TEST(AccessPolicyTest, EveryMethodHasARuleAndItsRequestIsNamedAfterIt) {
  const std::vector<absl::string_view> ruled = MethodsWithAccessRules();
  int methods = 0;
  for (const char* service :
       {"AdminService", "AgreementService", "AuditService", "ChangeService",
        "EmployerService", "FollowUpService", "MatchingService",
        "ModuleService", "ParticipantService", "ParticipationService",
        "SupplierService", "TrackService"}) {
    const auto* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("jobtrack.v1.", service));
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      const auto* method = d->method(i);
      ++methods;
      EXPECT_EQ(method->input_type()->name(),
                absl::StrCat(method->name(), "Request"));
      EXPECT_NE(std::find(ruled.begin(), ruled.end(), method->name()),
                ruled.end())
          << method->full_name() << " has no access rule";
    }
  }
  EXPECT_EQ(static_cast<size_t>(methods), ruled.size());
}

}  // namespace
}  // namespace jobtrack
