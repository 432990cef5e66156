// ParticipantService through an in-process server: personnummer rules,
// duplicates, look-up, erasure, events, and a planted personnummer that must
// never appear in a response, an error, the change stream, an export, a
// report, the audit log, the server's log or the data directory.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "jobtrack/v1/audit.grpc.pb.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/event.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/supplier.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/validation.h"
#include "services/server/server.h"
#include "storage/keys.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using grpc::StatusCode;
using ::jobtrack::testing::ViolatedFields;

// The Swedish Tax Agency's test number 811218-9876 in its written forms.
constexpr char kPnr12[] = "198112189876";
constexpr char kPnr10[] = "8112189876";
constexpr char kPnrHyphen[] = "811218-9876";

bool ContainsPersonnummer(absl::string_view bytes) {
  for (const char* form : {kPnr12, kPnr10, kPnrHyphen}) {
    if (bytes.find(form) != absl::string_view::npos) return true;
  }
  return false;
}

class ParticipantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Capture everything the server logs to stderr.
    log_path_ = env_.data_dir() + "/stderr.log";
    saved_stderr_ = dup(STDERR_FILENO);
    FILE* log = fopen(log_path_.c_str(), "w");
    dup2(fileno(log), STDERR_FILENO);
    fclose(log);

    ASSERT_TRUE(
        testing::StartInProcessServer(env_.deps(), &server_, &channel_).ok());
    stub_ = v1::ParticipantService::NewStub(channel_);
  }

  void TearDown() override {
    server_.reset();
    dup2(saved_stderr_, STDERR_FILENO);
    close(saved_stderr_);
  }

  static v1::CreateParticipantRequest Request(
      const std::string& reference, const std::string& pnr = kPnrHyphen) {
    v1::CreateParticipantRequest request;
    auto* p = request.mutable_participant();
    p->set_external_reference(reference);
    p->set_personnummer(pnr);
    p->set_gender(v1::MALE);
    p->set_municipality_code("1480");
    p->set_sun_code("206");
    p->add_target_groups(v1::NEWLY_ARRIVED);
    p->set_swedish_level(v1::SWEDISH_A2);
    p->add_ssyk_interests("8331");
    return request;
  }

  grpc::Status Create(const v1::CreateParticipantRequest& request,
                      v1::Participant* out) {
    grpc::ClientContext context;
    grpc::Status s = stub_->CreateParticipant(&context, request, out);
    responses_ +=
        out->SerializeAsString() + s.error_message() + s.error_details();
    return s;
  }

  std::vector<v1::Event> EventsOf(const std::string& resource) {
    std::vector<v1::Event> events;
    auto reader = env_.storage().Snapshot();
    reader
        ->Scan(storage::Column::kEvents, "", "",
               [&](absl::string_view key, absl::string_view value) {
                 auto event =
                     DecodeEvent(storage::EventKeySequence(key), value);
                 if (event.ok() && event->resource() == resource) {
                   events.push_back(*event);
                 }
                 return true;
               })
        .IgnoreError();
    return events;
  }

  testing::TestEnv env_;
  std::string log_path_;
  int saved_stderr_ = -1;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ParticipantService::Stub> stub_;
  std::string responses_;  // Everything the tests received.
};

TEST_F(ParticipantsTest, CreateHashesPersonnummerAndDerivesFields) {
  v1::Participant p;
  grpc::Status s = Create(Request("af-1001"), &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(p.has_personnummer());
  EXPECT_TRUE(p.personnummer().empty());
  EXPECT_EQ(p.birth_year(), 1981);                          // From the number.
  EXPECT_EQ(p.education_level(), v1::PRE_UPPER_SECONDARY);  // From SUN 206.
  EXPECT_FALSE(ContainsPersonnummer(responses_));
}

TEST_F(ParticipantsTest,
       DuplicatePersonnummerInAnyFormIsAlreadyExistsNamingTheParticipant) {
  v1::Participant first, second;
  ASSERT_TRUE(Create(Request("af-1001", kPnr12), &first).ok());
  grpc::Status s = Create(Request("af-1002", kPnr10), &second);
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find(first.name()), std::string::npos);
  EXPECT_FALSE(ContainsPersonnummer(responses_));
  // The external reference is unique too.
  v1::CreateParticipantRequest same_ref = Request("af-1001", "");
  same_ref.mutable_participant()->set_birth_year(1990);
  EXPECT_EQ(Create(same_ref, &second).error_code(), StatusCode::ALREADY_EXISTS);
}

TEST_F(ParticipantsTest, InvalidPersonnummerNamesTheFieldWithoutEchoingIt) {
  v1::Participant p;
  grpc::Status s = Create(Request("af-1", "198112189875"), &p);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            std::set<std::string>{"participant.personnummer"});
  EXPECT_EQ(s.error_message().find("198112189875"), std::string::npos);
  auto bad = Request("af-2", kPnrHyphen);
  bad.mutable_participant()->set_birth_year(1990);
  bad.mutable_participant()->set_gender(v1::GENDER_UNSPECIFIED);
  bad.mutable_participant()->set_municipality_code("0000");
  s = Create(bad, &p);
  EXPECT_EQ(
      ViolatedFields(s),
      (std::set<std::string>{"participant.birth_year", "participant.gender",
                             "participant.municipality_code"}));
  grpc::ClientContext context;
  v1::ListParticipantsResponse list;
  ASSERT_TRUE(stub_->ListParticipants(&context, {}, &list).ok());
  EXPECT_EQ(list.participants_size(), 0);  // Nothing was written.
}

TEST_F(ParticipantsTest, LookupFindsByAnyFormAndNotFoundOtherwise) {
  v1::Participant p;
  ASSERT_TRUE(Create(Request("af-1001"), &p).ok());
  for (const char* form : {kPnr12, kPnr10, kPnrHyphen}) {
    grpc::ClientContext context;
    v1::LookupParticipantRequest lookup;
    lookup.set_personnummer(form);
    v1::Participant found;
    ASSERT_TRUE(stub_->LookupParticipant(&context, lookup, &found).ok())
        << form;
    EXPECT_EQ(found.name(), p.name());
    responses_ += found.SerializeAsString();
  }
  {
    grpc::ClientContext context;
    v1::LookupParticipantRequest lookup;
    lookup.set_personnummer("19900101-0017");  // Valid, but nobody has it.
    v1::Participant found;
    EXPECT_EQ(stub_->LookupParticipant(&context, lookup, &found).error_code(),
              StatusCode::NOT_FOUND);
  }
  grpc::ClientContext context;
  v1::LookupParticipantRequest lookup;
  lookup.set_personnummer("19900101-0018");  // Bad check digit.
  v1::Participant found;
  grpc::Status s = stub_->LookupParticipant(&context, lookup, &found);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::set<std::string>{"personnummer"});
  EXPECT_FALSE(ContainsPersonnummer(responses_));
}

TEST_F(ParticipantsTest, UpdateRecordsAnEventOnlyWhenStatisticsChange) {
  v1::Participant p;
  ASSERT_TRUE(Create(Request("af-1001"), &p).ok());
  ASSERT_EQ(EventsOf(p.name()).size(), 1u);
  EXPECT_EQ(EventsOf(p.name())[0].participant().municipality_code(), "1480");

  v1::UpdateParticipantRequest update;
  update.mutable_participant()->set_name(p.name());
  update.mutable_participant()->set_driving_licence(true);
  update.mutable_update_mask()->add_paths("driving_licence");
  v1::Participant out;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->UpdateParticipant(&context, update, &out).ok());
  }
  EXPECT_EQ(EventsOf(p.name()).size(), 1u);
  update.mutable_participant()->set_municipality_code("1481");
  update.mutable_update_mask()->add_paths("municipality_code");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->UpdateParticipant(&context, update, &out).ok());
  }
  auto events = EventsOf(p.name());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].participant().municipality_code(), "1481");
  // The actor is the authenticated principal (in-process: the developer).
  EXPECT_EQ(events[1].actor(), "local-developer");
  EXPECT_GT(events[1].sequence(), events[0].sequence());
}

TEST_F(ParticipantsTest, ErasureKeepsStatisticsFreesTheNumberAndLeavesNoTrace) {
  v1::Participant p;
  // With a request id, so the first response is also kept for retries.
  v1::CreateParticipantRequest create = Request("af-1001");
  create.set_request_id("7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");
  ASSERT_TRUE(Create(create, &p).ok());
  v1::EraseParticipantRequest erase;
  erase.set_name(p.name());
  v1::Participant erased;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->EraseParticipant(&context, erase, &erased).ok());
  }
  EXPECT_TRUE(erased.erased());
  EXPECT_TRUE(erased.external_reference().empty());
  EXPECT_FALSE(erased.has_personnummer());
  EXPECT_TRUE(erased.ssyk_interests().empty());
  EXPECT_EQ(erased.birth_year(), 1981);
  EXPECT_EQ(erased.gender(), v1::MALE);
  EXPECT_EQ(erased.municipality_code(), "1480");
  EXPECT_EQ(erased.education_level(), v1::PRE_UPPER_SECONDARY);
  EXPECT_EQ(erased.target_groups_size(), 1);
  auto events = EventsOf(p.name());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[1].has_erased());
  // Look-up no longer finds the person; updates are refused.
  {
    grpc::ClientContext context;
    v1::LookupParticipantRequest lookup;
    lookup.set_personnummer(kPnr12);
    v1::Participant found;
    EXPECT_EQ(stub_->LookupParticipant(&context, lookup, &found).error_code(),
              StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::UpdateParticipantRequest update;
    update.mutable_participant()->set_name(p.name());
    update.mutable_participant()->set_driving_licence(true);
    update.mutable_update_mask()->add_paths("driving_licence");
    v1::Participant out;
    EXPECT_EQ(stub_->UpdateParticipant(&context, update, &out).error_code(),
              StatusCode::FAILED_PRECONDITION);
  }
  // After compaction no byte of the external reference or the number's hash
  // is left in the data directory.
  ASSERT_TRUE(env_.storage().CompactAll().ok());
  const std::string hash = env_.hasher().Hash("pnr", kPnr12);
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(env_.data_dir() + "/db")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    const std::string bytes = content.str();
    EXPECT_EQ(bytes.find("af-1001"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(hash), std::string::npos) << entry.path();
    EXPECT_FALSE(ContainsPersonnummer(bytes)) << entry.path();
  }
}

TEST_F(ParticipantsTest,
       PlantedPersonnummerNeverReachesTheLogOrTheDataDirectory) {
  v1::Participant p;
  ASSERT_TRUE(Create(Request("af-1001", kPnr12), &p).ok());
  const std::string planted = p.name();
  Create(Request("af-1002", kPnrHyphen), &p).ok();      // Duplicate.
  Create(Request("af-1003", "198112189875"), &p).ok();  // Bad check digit.
  v1::CreateParticipantRequest retry = Request("af-1004", "199001010017");
  retry.set_request_id("5f0b6c1e-8a2d-4c3b-9e7f-0a1b2c3d4e5f");
  Create(retry, &p).ok();
  Create(retry, &p).ok();
  // Everything that could carry it out again: a look-up, the change
  // stream, an export, a report and the audit log.
  {
    v1::LookupParticipantRequest lookup;
    lookup.set_personnummer(kPnr12);
    v1::Participant found;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->LookupParticipant(&context, lookup, &found).ok());
    responses_ += found.SerializeAsString();
  }
  {
    auto changes = v1::ChangeService::NewStub(channel_);
    grpc::ClientContext context;
    auto reader = changes->WatchChanges(&context, {});
    v1::Event event;
    while (reader->Read(&event)) {
      responses_ += event.SerializeAsString();
      if (static_cast<uint64_t>(event.sequence()) >=
          env_.storage().LastSequence()) {
        context.TryCancel();
      }
    }
    reader->Finish().IgnoreError();
  }
  auto follow_up = v1::FollowUpService::NewStub(channel_);
  {
    v1::ExportParticipationsRequest request;
    *request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
    grpc::ClientContext context;
    auto reader = follow_up->ExportParticipations(&context, request);
    v1::ParticipationRow row;
    while (reader->Read(&row)) responses_ += row.SerializeAsString();
    grpc::Status s = reader->Finish();
    responses_ += s.error_message() + s.error_details();
  }
  {
    v1::GetReportRequest request;
    *request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
    v1::Report report;
    grpc::ClientContext context;
    ASSERT_TRUE(follow_up->GetReport(&context, request, &report).ok());
    responses_ += report.SerializeAsString();
  }
  {
    auto audit = v1::AuditService::NewStub(channel_);
    v1::ListAuditEventsResponse entries;
    grpc::ClientContext context;
    ASSERT_TRUE(audit->ListAuditEvents(&context, {}, &entries).ok());
    responses_ += entries.SerializeAsString();
    // The look-up is there, naming the person found, not the number.
    bool lookup_audited = false;
    for (const v1::AuditEvent& e : entries.audit_events()) {
      lookup_audited |= e.method() == "LookupParticipant" &&
                        e.resources_size() == 1 && e.resources(0) == planted;
    }
    EXPECT_TRUE(lookup_audited) << entries.DebugString();
  }
  ASSERT_TRUE(env_.storage().Flush().ok());
  EXPECT_FALSE(ContainsPersonnummer(responses_));
  std::ifstream log(log_path_);
  std::stringstream log_text;
  log_text << log.rdbuf();
  EXPECT_FALSE(ContainsPersonnummer(log_text.str()));
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(env_.data_dir() + "/db")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_FALSE(ContainsPersonnummer(content.str())) << entry.path();
    EXPECT_EQ(content.str().find("199001010017"), std::string::npos)
        << entry.path();
  }
}

}  // namespace
}  // namespace jobtrack
