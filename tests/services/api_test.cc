// Every RPC through an in-process gRPC server on a loopback port, success
// and error paths, with the status codes and error details a client sees.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "jobtrack/v1/agreement.grpc.pb.h"
#include "jobtrack/v1/employer.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/supplier.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "services/common/validation.h"
#include "services/participants/participants.h"
#include "services/participations/participations.h"
#include "services/server/server.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using grpc::StatusCode;
using ::jobtrack::testing::ErrorReason;
using ::jobtrack::testing::ViolatedFields;

constexpr char kRequestId[] = "9a7b3c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d";

v1::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        testing::StartInProcessServer(env_.deps(), &server_, &channel_).ok());
    employers_ = v1::EmployerService::NewStub(channel_);
    suppliers_ = v1::SupplierService::NewStub(channel_);
    agreements_ = v1::AgreementService::NewStub(channel_);
    modules_ = v1::ModuleService::NewStub(channel_);
    tracks_ = v1::TrackService::NewStub(channel_);
  }

  void TearDown() override { server_.reset(); }

  v1::CreateEmployerRequest EmployerRequest(
      const std::string& orgnr = "5560360793") {
    v1::CreateEmployerRequest request;
    auto* e = request.mutable_employer();
    e->set_display_name("Acme Bygg AB");
    e->set_organisation_number(orgnr);
    e->set_sector(v1::Employer::PRIVATE);
    e->set_sni_code("41200");
    e->set_municipality_code("0180");
    return request;
  }

  v1::Employer CreateEmployer() {
    grpc::ClientContext context;
    v1::Employer e;
    grpc::Status s =
        employers_->CreateEmployer(&context, EmployerRequest(), &e);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return e;
  }

  v1::Module CreateModule(int weeks = 10) {
    v1::CreateModuleRequest request;
    auto* m = request.mutable_module();
    m->set_display_name("Lager och truck");
    m->set_education_form(v1::AUB);
    m->set_length_weeks(weeks);
    m->set_hours_per_week(40);
    m->add_ssyk_codes("4322");
    grpc::ClientContext context;
    v1::Module out;
    grpc::Status s = modules_->CreateModule(&context, request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::CreateTrackRequest TrackRequest(const std::string& employer,
                                      const std::string& module) {
    v1::CreateTrackRequest request;
    auto* t = request.mutable_track();
    t->set_display_name("Lagerarbetare");
    t->set_kind(v1::Track::EMPLOYER_DIRECTED);
    t->set_ssyk_code("4322");
    t->set_sni_code("52100");
    t->add_municipality_codes("0680");
    t->add_employers(employer);
    t->set_status(v1::Track::OPEN);
    t->mutable_chain()->add_stages()->add_steps()->set_module(module);
    return request;
  }

  v1::Track CreateTrack() {
    grpc::ClientContext context;
    v1::Track t;
    grpc::Status s = tracks_->CreateTrack(
        &context, TrackRequest(CreateEmployer().name(), CreateModule().name()),
        &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  }

  // Calls `method` with `request` as its message's bytes: the status and
  // the bytes of the answer.
  std::pair<grpc::Status, std::string> RawCall(const std::string& method,
                                               const std::string& request) {
    grpc::Slice request_bytes(request);
    grpc::ByteBuffer request_buffer(&request_bytes, 1), response;
    grpc::ClientContext context;
    grpc::GenericStub stub(channel_);
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer,
                   &response, [&](grpc::Status s) {
                     status = s;
                     done.Notify();
                   });
    done.WaitForNotification();
    std::string bytes;
    std::vector<grpc::Slice> slices;
    if (status.ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()),
                     slice.size());
      }
    }
    return {status, bytes};
  }

  int CountEmployers() {
    grpc::ClientContext context;
    v1::ListEmployersResponse response;
    EXPECT_TRUE(employers_->ListEmployers(&context, {}, &response).ok());
    return response.employers_size();
  }

  testing::TestEnv env_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EmployerService::Stub> employers_;
  std::unique_ptr<v1::SupplierService::Stub> suppliers_;
  std::unique_ptr<v1::AgreementService::Stub> agreements_;
  std::unique_ptr<v1::ModuleService::Stub> modules_;
  std::unique_ptr<v1::TrackService::Stub> tracks_;
};

TEST_F(ApiTest, HealthServiceReportsServing) {
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message.
  auto [status, bytes] = RawCall("/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING.
}

TEST_F(ApiTest, ReflectionListsTheJobtrackServices) {
  // ServerReflectionRequest{list_services: ""}: field 7, empty string.
  grpc::Slice request_bytes(std::string("\x3a\x00", 2));
  grpc::ByteBuffer request(&request_bytes, 1), response;
  grpc::CompletionQueue cq;
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  auto step = [&](intptr_t expected) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), expected);
    EXPECT_TRUE(ok);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  call->Write(request, reinterpret_cast<void*>(2));
  step(2);
  call->Read(&response, reinterpret_cast<void*>(3));
  step(3);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (auto& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  for (const char* service :
       {"jobtrack.v1.TrackService", "jobtrack.v1.EmployerService",
        "jobtrack.v1.SupplierService", "jobtrack.v1.AgreementService",
        "jobtrack.v1.ModuleService", "grpc.health.v1.Health"}) {
    EXPECT_NE(bytes.find(service), std::string::npos) << service;
  }
}

TEST_F(ApiTest, ListingIntakesOfAMissingTrackIsNotFound) {
  grpc::ClientContext context;
  v1::ListIntakesRequest list;
  list.set_parent("tracks/nosuch");
  v1::ListIntakesResponse response;
  EXPECT_EQ(tracks_->ListIntakes(&context, list, &response).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(ApiTest, InvalidOrganisationNumberNamesTheFieldAndWritesNothing) {
  grpc::ClientContext context;
  v1::Employer out;
  auto request = EmployerRequest("5560360794");
  request.mutable_employer()->set_municipality_code("9999");
  grpc::Status s = employers_->CreateEmployer(&context, request, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::set<std::string>{"employer.organisation_number",
                                   "employer.municipality_code"}));
  EXPECT_EQ(ErrorReason(s), "INVALID_FIELD");
  EXPECT_EQ(s.error_message().find("5560360794"), std::string::npos);
  EXPECT_EQ(CountEmployers(), 0);
}

TEST_F(ApiTest, RetriedCreateWithSameRequestIdCreatesOneRecord) {
  auto request = EmployerRequest();
  request.set_request_id(kRequestId);
  v1::Employer first, second;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(employers_->CreateEmployer(&context, request, &first).ok());
  }
  {
    grpc::ClientContext context;
    ASSERT_TRUE(employers_->CreateEmployer(&context, request, &second).ok());
  }
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(CountEmployers(), 1);
  // The same id with another request is refused, naming request_id.
  request.mutable_employer()->set_display_name("Other");
  grpc::ClientContext context;
  grpc::Status s = employers_->CreateEmployer(&context, request, &second);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"request_id"});
}

TEST_F(ApiTest, EmployerLifecycle) {
  v1::Employer e = CreateEmployer();
  {
    grpc::ClientContext context;
    v1::Employer dup;
    EXPECT_EQ(employers_->CreateEmployer(&context, EmployerRequest(), &dup)
                  .error_code(),
              StatusCode::ALREADY_EXISTS);
  }
  {
    grpc::ClientContext context;
    v1::GetEmployerRequest get;
    get.set_name(e.name());
    v1::Employer got;
    ASSERT_TRUE(employers_->GetEmployer(&context, get, &got).ok());
    EXPECT_EQ(got.display_name(), "Acme Bygg AB");
  }
  {
    grpc::ClientContext context;
    v1::GetEmployerRequest get;
    get.set_name("employers/nosuch");
    v1::Employer got;
    EXPECT_EQ(employers_->GetEmployer(&context, get, &got).error_code(),
              StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::GetEmployerRequest get;
    get.set_name("tracks/abc");
    v1::Employer got;
    grpc::Status s = employers_->GetEmployer(&context, get, &got);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"name"});
  }
  v1::UpdateEmployerRequest update;
  update.mutable_employer()->set_name(e.name());
  update.mutable_employer()->set_display_name("Acme Bygg & Anläggning AB");
  update.mutable_employer()->set_etag(e.etag());
  update.mutable_update_mask()->add_paths("display_name");
  v1::Employer updated;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(employers_->UpdateEmployer(&context, update, &updated).ok());
    EXPECT_EQ(updated.display_name(), "Acme Bygg & Anläggning AB");
    EXPECT_EQ(updated.organisation_number(), "5560360793");
  }
  {
    grpc::ClientContext context;  // Old etag now.
    v1::Employer out;
    grpc::Status s = employers_->UpdateEmployer(&context, update, &out);
    EXPECT_EQ(s.error_code(), StatusCode::ABORTED);
    EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");
  }
  {
    grpc::ClientContext context;
    v1::UpdateEmployerRequest bad = update;
    bad.mutable_employer()->clear_etag();
    bad.mutable_update_mask()->add_paths("organisation_number");
    v1::Employer out;
    grpc::Status s = employers_->UpdateEmployer(&context, bad, &out);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"update_mask"});
  }
  {
    grpc::ClientContext context;
    v1::UpdateEmployerRequest bad = update;
    bad.mutable_employer()->clear_etag();
    bad.mutable_employer()->set_sni_code("00000");
    bad.mutable_update_mask()->add_paths("sni_code");
    v1::Employer out;
    grpc::Status s = employers_->UpdateEmployer(&context, bad, &out);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"employer.sni_code"});
  }
  {
    grpc::ClientContext context;
    v1::ListEmployersRequest list;
    list.set_filter("sector = PRIVATE AND county = \"01\"");
    v1::ListEmployersResponse response;
    ASSERT_TRUE(employers_->ListEmployers(&context, list, &response).ok());
    EXPECT_EQ(response.employers_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::ListEmployersRequest list;
    list.set_filter("sector = NONSENSE");
    v1::ListEmployersResponse response;
    grpc::Status s = employers_->ListEmployers(&context, list, &response);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"filter"});
  }
  {
    grpc::ClientContext context;
    v1::DeleteEmployerRequest del;
    del.set_name(e.name());
    del.set_etag(updated.etag());
    google::protobuf::Empty empty;
    ASSERT_TRUE(employers_->DeleteEmployer(&context, del, &empty).ok());
  }
  EXPECT_EQ(CountEmployers(), 0);
}

TEST_F(ApiTest, SupplierLifecycle) {
  v1::CreateSupplierRequest create;
  auto* s = create.mutable_supplier();
  s->set_display_name("Rusta Matcha Väst AB");
  s->set_organisation_number("556677-8899");
  s->add_municipality_codes("1480");
  s->add_municipality_codes("1481");
  v1::Supplier supplier;
  {
    grpc::ClientContext context;
    grpc::Status st = suppliers_->CreateSupplier(&context, create, &supplier);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  {
    grpc::ClientContext context;
    v1::CreateSupplierRequest bad = create;
    bad.mutable_supplier()->clear_municipality_codes();
    bad.mutable_supplier()->set_display_name("");
    v1::Supplier out;
    grpc::Status st = suppliers_->CreateSupplier(&context, bad, &out);
    EXPECT_EQ(ViolatedFields(st),
              (std::set<std::string>{"supplier.display_name",
                                     "supplier.municipality_codes"}));
  }
  {
    grpc::ClientContext context;
    v1::ListSuppliersRequest list;
    list.set_filter("municipality = \"1481\"");
    v1::ListSuppliersResponse response;
    ASSERT_TRUE(suppliers_->ListSuppliers(&context, list, &response).ok());
    ASSERT_EQ(response.suppliers_size(), 1);
    EXPECT_EQ(response.suppliers(0).name(), supplier.name());
  }
  {
    grpc::ClientContext context;
    v1::UpdateSupplierRequest update;
    update.mutable_supplier()->set_name(supplier.name());
    update.mutable_supplier()->add_municipality_codes("1402");
    update.mutable_update_mask()->add_paths("municipality_codes");
    v1::Supplier out;
    ASSERT_TRUE(suppliers_->UpdateSupplier(&context, update, &out).ok());
    EXPECT_EQ(out.municipality_codes_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::GetSupplierRequest get;
    get.set_name(supplier.name());
    v1::Supplier out;
    ASSERT_TRUE(suppliers_->GetSupplier(&context, get, &out).ok());
    EXPECT_EQ(out.municipality_codes(0), "1402");
  }
  {
    grpc::ClientContext context;
    v1::DeleteSupplierRequest del;
    del.set_name(supplier.name());
    google::protobuf::Empty empty;
    EXPECT_TRUE(suppliers_->DeleteSupplier(&context, del, &empty).ok());
  }
}

TEST_F(ApiTest, AgreementLifecycleAndReferenceFromTrack) {
  v1::CreateAgreementRequest create;
  auto* a = create.mutable_agreement();
  a->set_display_name("Jönköpingsöverenskommelsen");
  a->add_municipality_codes("0680");
  *a->mutable_valid_from() = Day(2024, 1, 1);
  *a->mutable_valid_to() = Day(2023, 12, 31);
  v1::Agreement agreement;
  {
    grpc::ClientContext context;
    grpc::Status s = agreements_->CreateAgreement(&context, create, &agreement);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"agreement.valid_to"});
  }
  a->clear_valid_to();
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        agreements_->CreateAgreement(&context, create, &agreement).ok());
  }
  auto track_request =
      TrackRequest(CreateEmployer().name(), CreateModule().name());
  track_request.mutable_track()->set_agreement(agreement.name());
  v1::Track track;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(tracks_->CreateTrack(&context, track_request, &track).ok());
  }
  {
    grpc::ClientContext context;
    v1::ListTracksRequest list;
    list.set_filter(absl::StrCat("agreement = \"", agreement.name(), "\""));
    v1::ListTracksResponse response;
    ASSERT_TRUE(tracks_->ListTracks(&context, list, &response).ok());
    EXPECT_EQ(response.tracks_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::DeleteAgreementRequest del;
    del.set_name(agreement.name());
    google::protobuf::Empty empty;
    grpc::Status s = agreements_->DeleteAgreement(&context, del, &empty);
    EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(s), "RESOURCE_IN_USE");
  }
  {
    grpc::ClientContext context;
    v1::UpdateAgreementRequest update;
    update.mutable_agreement()->set_name(agreement.name());
    update.mutable_agreement()->set_display_name("Ny");
    v1::Agreement out;  // Empty mask: the populated fields.
    ASSERT_TRUE(agreements_->UpdateAgreement(&context, update, &out).ok());
    EXPECT_EQ(out.display_name(), "Ny");
    EXPECT_EQ(out.municipality_codes_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::GetAgreementRequest get;
    get.set_name(agreement.name());
    v1::Agreement out;
    EXPECT_TRUE(agreements_->GetAgreement(&context, get, &out).ok());
    v1::ListAgreementsResponse response;
    grpc::ClientContext context2;
    v1::ListAgreementsRequest list;
    list.set_filter("county = \"06\"");
    ASSERT_TRUE(agreements_->ListAgreements(&context2, list, &response).ok());
    EXPECT_EQ(response.agreements_size(), 1);
  }
}

TEST_F(ApiTest, ModuleLifecycle) {
  v1::Module m = CreateModule();
  {
    grpc::ClientContext context;
    v1::CreateModuleRequest bad;
    bad.mutable_module()->set_display_name("X");
    bad.mutable_module()->set_length_weeks(200);
    bad.mutable_module()->add_ssyk_codes("9999");
    v1::Module out;
    grpc::Status s = modules_->CreateModule(&context, bad, &out);
    EXPECT_EQ(ViolatedFields(s),
              (std::set<std::string>{
                  "module.education_form", "module.length_weeks",
                  "module.hours_per_week", "module.ssyk_codes[0]"}));
  }
  {
    grpc::ClientContext context;
    v1::ListModulesRequest list;
    list.set_filter("education_form = AUB AND ssyk = \"43\"");
    v1::ListModulesResponse response;
    ASSERT_TRUE(modules_->ListModules(&context, list, &response).ok());
    EXPECT_EQ(response.modules_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::UpdateModuleRequest update;
    update.mutable_module()->set_name(m.name());
    update.mutable_module()->set_length_weeks(12);
    update.mutable_update_mask()->add_paths("length_weeks");
    v1::Module out;
    ASSERT_TRUE(modules_->UpdateModule(&context, update, &out).ok());
    EXPECT_EQ(out.length_weeks(), 12);
  }
  {
    grpc::ClientContext context;
    v1::GetModuleRequest get;
    get.set_name(m.name());
    v1::Module out;
    ASSERT_TRUE(modules_->GetModule(&context, get, &out).ok());
    EXPECT_EQ(out.length_weeks(), 12);
  }
  {
    grpc::ClientContext context;
    v1::DeleteModuleRequest del;
    del.set_name(m.name());
    google::protobuf::Empty empty;
    EXPECT_TRUE(modules_->DeleteModule(&context, del, &empty).ok());
  }
}

TEST_F(ApiTest, TrackAndIntakeLifecycle) {
  const std::string employer = CreateEmployer().name();
  const v1::Module module = CreateModule(8);
  v1::Track track;
  {
    grpc::ClientContext context;
    auto request = TrackRequest(employer, module.name());
    *request.mutable_effective_date() = Day(2019, 3, 1);
    grpc::Status s = tracks_->CreateTrack(&context, request, &track);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(track.chain().length_weeks(), 8);
  }
  {
    grpc::ClientContext context;
    auto request = TrackRequest(employer, module.name());
    request.mutable_track()->set_kind(v1::Track::ENTREPRENEUR);
    request.mutable_track()->set_ssyk_code("12");
    request.mutable_track()->mutable_chain()->mutable_stages(0)->add_steps();
    v1::Track out;
    grpc::Status s = tracks_->CreateTrack(&context, request, &out);
    EXPECT_EQ(ViolatedFields(s),
              (std::set<std::string>{"track.employers", "track.ssyk_code",
                                     "track.chain.stages[0].steps[1]"}));
  }
  {
    grpc::ClientContext context;
    v1::ListTracksRequest list;
    list.set_filter("municipality = \"0680\" AND status = OPEN AND sni = H");
    v1::ListTracksResponse response;
    ASSERT_TRUE(tracks_->ListTracks(&context, list, &response).ok());
    ASSERT_EQ(response.tracks_size(), 1);
    EXPECT_EQ(response.tracks(0).name(), track.name());
  }
  v1::Intake intake;
  {
    grpc::ClientContext context;
    v1::CreateIntakeRequest request;
    request.set_parent(track.name());
    request.mutable_intake()->set_start_type(v1::Intake::COMMON);
    *request.mutable_intake()->mutable_start_date() = Day(2027, 2, 1);
    request.mutable_intake()->set_seats(12);
    grpc::Status s = tracks_->CreateIntake(&context, request, &intake);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(absl::StartsWith(intake.name(), track.name() + "/intakes/"));
    EXPECT_EQ(intake.chain_version(), 1);
  }
  {
    grpc::ClientContext context;
    v1::CreateIntakeRequest request;
    request.set_parent("employers/x");
    v1::Intake out;
    grpc::Status s = tracks_->CreateIntake(&context, request, &out);
    EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"parent"});
  }
  {
    grpc::ClientContext context;
    v1::ListIntakesRequest list;
    list.set_parent(track.name());
    list.set_filter("start_type = COMMON");
    v1::ListIntakesResponse response;
    ASSERT_TRUE(tracks_->ListIntakes(&context, list, &response).ok());
    EXPECT_EQ(response.intakes_size(), 1);
  }
  {
    grpc::ClientContext context;
    v1::UpdateIntakeRequest update;
    update.mutable_intake()->set_name(intake.name());
    update.mutable_intake()->set_seats(15);
    update.mutable_update_mask()->add_paths("seats");
    v1::Intake out;
    ASSERT_TRUE(tracks_->UpdateIntake(&context, update, &out).ok());
    EXPECT_EQ(out.seats(), 15);
    grpc::ClientContext context2;
    v1::GetIntakeRequest get;
    get.set_name(intake.name());
    ASSERT_TRUE(tracks_->GetIntake(&context2, get, &out).ok());
    EXPECT_EQ(out.seats(), 15);
  }
  {
    // Read before the update, so that the server holds this version's
    // bytes: the read after the update must not get them.
    grpc::ClientContext context;
    v1::GetTrackRequest get;
    get.set_name(track.name());
    v1::Track out;
    ASSERT_TRUE(tracks_->GetTrack(&context, get, &out).ok());
    EXPECT_EQ(out.SerializeAsString(), track.SerializeAsString());
  }
  {
    grpc::ClientContext context;
    v1::UpdateTrackRequest update;
    update.mutable_track()->set_name(track.name());
    update.mutable_track()->set_status(v1::Track::PAUSED);
    update.mutable_update_mask()->add_paths("status");
    *update.mutable_effective_date() = Day(2020, 3, 16);
    v1::Track out;
    ASSERT_TRUE(tracks_->UpdateTrack(&context, update, &out).ok());
    EXPECT_EQ(out.status(), v1::Track::PAUSED);
    EXPECT_EQ(out.history_size(), 2);
  }
  {
    grpc::ClientContext context;
    v1::GetTrackRequest get;
    get.set_name(track.name());
    v1::Track out;
    ASSERT_TRUE(tracks_->GetTrack(&context, get, &out).ok());
    EXPECT_EQ(out.status(), v1::Track::PAUSED);
  }
  {
    grpc::ClientContext context;
    v1::DeleteTrackRequest del;
    del.set_name(track.name());
    google::protobuf::Empty empty;
    EXPECT_EQ(tracks_->DeleteTrack(&context, del, &empty).error_code(),
              StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext context;
    v1::DeleteIntakeRequest del;
    del.set_name(intake.name());
    google::protobuf::Empty empty;
    ASSERT_TRUE(tracks_->DeleteIntake(&context, del, &empty).ok());
    grpc::ClientContext context2;
    v1::DeleteTrackRequest del_track;
    del_track.set_name(track.name());
    EXPECT_TRUE(tracks_->DeleteTrack(&context2, del_track, &empty).ok());
  }
}

TEST_F(ApiTest, GetTrackRefusesBytesThatAreNotAGetTrackRequest) {
  // GetTrack is served as a raw method (its answer is bytes held per
  // version), so the server parses the request itself.
  grpc::Status status =
      RawCall("/jobtrack.v1.TrackService/GetTrack", "\xff\xff\xff\xff").first;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
}

TEST_F(ApiTest, OversizedRequestIsRejectedBeforeTheHandler) {
  auto request = EmployerRequest();
  request.mutable_employer()->set_display_name(std::string(5 << 20, 'x'));
  grpc::ClientContext context;
  v1::Employer out;
  EXPECT_EQ(employers_->CreateEmployer(&context, request, &out).error_code(),
            StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(CountEmployers(), 0);
}

TEST_F(ApiTest, APeriodClosesOnceAndExportsStreamOverTheNetwork) {
  auto follow_up = v1::FollowUpService::NewStub(channel_);
  v1::ClosePeriodRequest close;
  close.set_name("periods/2026-09-30");
  close.set_request_id("6f1d3c1e-8a43-4b8e-9a57-1f6f2f0c9d01");
  v1::FollowUpPeriod first, retry;
  {
    grpc::ClientContext context;
    grpc::Status status = follow_up->ClosePeriod(&context, close, &first);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(first.closed());
  {
    // A retry with the same request_id gets the first answer.
    grpc::ClientContext context;
    ASSERT_TRUE(follow_up->ClosePeriod(&context, close, &retry).ok());
    EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  }
  {
    // A new request to close it again is refused.
    close.clear_request_id();
    grpc::ClientContext context;
    EXPECT_EQ(follow_up->ClosePeriod(&context, close, &retry).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }

  // A proposal recorded after the close, effective before it.
  v1::Track track;
  {
    grpc::ClientContext context;
    auto request = TrackRequest(CreateEmployer().name(), CreateModule().name());
    *request.mutable_effective_date() = Day(2026, 1, 1);
    ASSERT_TRUE(tracks_->CreateTrack(&context, request, &track).ok());
  }
  v1::Participant person;
  person.set_external_reference("api-export");
  person.set_birth_year(1990);
  person.set_gender(v1::FEMALE);
  person.set_municipality_code("0680");
  person.set_education_level(v1::UPPER_SECONDARY);
  auto created = Participants(env_.deps()).Create({}, person, "", person, "");
  ASSERT_TRUE(created.ok()) << created.status();
  v1::ProposeParticipationRequest propose;
  propose.set_participant(created->name());
  propose.set_track(track.name());
  *propose.mutable_effective_date() = Day(2026, 9, 1);
  ASSERT_TRUE(Participations(env_.deps()).Propose({}, propose).ok());

  auto export_rows = [&](const v1::ExportParticipationsRequest& request) {
    grpc::ClientContext context;
    auto reader = follow_up->ExportParticipations(&context, request);
    std::vector<v1::ParticipationRow> rows;
    v1::ParticipationRow row;
    while (reader->Read(&row)) rows.push_back(row);
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return rows;
  };
  v1::ExportParticipationsRequest request;
  *request.mutable_as_of() = Day(2026, 11, 23);
  const std::vector<v1::ParticipationRow> now = export_rows(request);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].state(), v1::Participation::PROPOSED);
  EXPECT_EQ(now[0].track(), track.name());
  EXPECT_EQ(now[0].home_municipality_code(), "0680");
  // The closed period exports as known at its close: no proposal yet.
  request.set_period("periods/2026-09-30");
  EXPECT_TRUE(export_rows(request).empty());

  request.set_period("periods/2026-10-01");
  grpc::ClientContext context;
  auto reader = follow_up->ExportParticipations(&context, request);
  v1::ParticipationRow row;
  EXPECT_FALSE(reader->Read(&row));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolatedFields(status), std::set<std::string>{"period"});
}

TEST_F(ApiTest, AReportingJobPullsAReportAndBadScopesNameTheirField) {
  auto follow_up = v1::FollowUpService::NewStub(channel_);
  v1::ListPeriodsResponse periods;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(follow_up->ListPeriods(&context, {}, &periods).ok());
  }
  ASSERT_FALSE(periods.periods().empty());
  v1::GetReportRequest request;
  request.set_period(periods.periods(periods.periods_size() - 1).name());
  v1::Report report;
  {
    grpc::ClientContext context;
    grpc::Status status = follow_up->GetReport(&context, request, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(report.period(), request.period());
  // The in-process server's caller is the local developer, an ADMIN.
  EXPECT_FALSE(report.small_cells_suppressed());
  ASSERT_FALSE(report.figures().empty());
  EXPECT_EQ(report.figures(0).id(), "tracks.ongoing");

  request.mutable_scope()->set_county_code("99");
  grpc::ClientContext context;
  grpc::Status status = follow_up->GetReport(&context, request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(testing::ViolatedFields(status),
            std::set<std::string>{"scope.county_code"});
}

}  // namespace
}  // namespace jobtrack
