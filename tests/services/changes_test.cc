// WatchChanges through an in-process server.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "services/server/server.h"
#include "services/suppliers/suppliers.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

class ChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        testing::StartInProcessServer(env_.deps(), &server_, &channel_).ok());
    participants_ = v1::ParticipantService::NewStub(channel_);
    changes_ = v1::ChangeService::NewStub(channel_);
  }
  void TearDown() override { server_.reset(); }

  std::string NewParticipant(int n, const std::string& municipality) {
    v1::CreateParticipantRequest request;
    auto* p = request.mutable_participant();
    p->set_external_reference(absl::StrCat("ref-", n));
    p->set_birth_year(1985);
    p->set_gender(v1::FEMALE);
    p->set_municipality_code(municipality);
    grpc::ClientContext context;
    v1::Participant out;
    EXPECT_TRUE(participants_->CreateParticipant(&context, request, &out).ok());
    return out.name();
  }

  void Move(const std::string& name, const std::string& municipality) {
    v1::UpdateParticipantRequest request;
    request.mutable_participant()->set_name(name);
    request.mutable_participant()->set_municipality_code(municipality);
    request.mutable_update_mask()->add_paths("municipality_code");
    grpc::ClientContext context;
    v1::Participant out;
    EXPECT_TRUE(participants_->UpdateParticipant(&context, request, &out).ok());
  }

  // Reads `count` events from a new stream (generous deadline).
  std::vector<v1::Event> Read(const v1::WatchChangesRequest& request,
                              size_t count) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    auto reader = changes_->WatchChanges(&context, request);
    std::vector<v1::Event> events;
    v1::Event event;
    while (events.size() < count && reader->Read(&event))
      events.push_back(event);
    context.TryCancel();
    reader->Finish().IgnoreError();
    return events;
  }

  testing::TestEnv env_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ParticipantService::Stub> participants_;
  std::unique_ptr<v1::ChangeService::Stub> changes_;
};

TEST_F(ChangesTest,
       DeliversTheLogInCommitOrderAndResumesWithoutGapsOrDuplicates) {
  for (int i = 0; i < 6; ++i) NewParticipant(i, "0180");
  auto all = Read({}, 6);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence(), static_cast<int64_t>(i + 1));
    EXPECT_TRUE(all[i].has_participant());
  }
  v1::WatchChangesRequest resume;
  resume.set_after_sequence(3);
  auto rest = Read(resume, 3);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].sequence(), 4);
  EXPECT_EQ(rest[2].sequence(), 6);
}

TEST_F(ChangesTest, FollowsNewCommitsAndCarriesTombstones) {
  const std::string name = NewParticipant(1, "1480");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  v1::WatchChangesRequest request;
  request.set_after_sequence(1);  // Caught up: waits for what comes next.
  auto reader = changes_->WatchChanges(&context, request);
  v1::EraseParticipantRequest erase;
  erase.set_name(name);
  grpc::ClientContext erase_context;
  v1::Participant erased;
  ASSERT_TRUE(
      participants_->EraseParticipant(&erase_context, erase, &erased).ok());
  v1::Event event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.sequence(), 2);
  EXPECT_EQ(event.resource(), name);
  EXPECT_TRUE(event.has_erased());
  context.TryCancel();
  reader->Finish().IgnoreError();
}

TEST_F(ChangesTest, FiltersByMunicipalityAndSupplier) {
  const std::string gbg = NewParticipant(1, "1480");
  NewParticipant(2, "0180");
  Move(gbg, "1481");  // Still a Göteborg-region participant, now Mölndal.
  NewParticipant(3, "1480");
  v1::WatchChangesRequest request;
  request.add_municipality_codes("1480");
  request.add_municipality_codes("1481");
  auto events = Read(request, 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].resource(), gbg);
  EXPECT_EQ(events[1].resource(), gbg);
  EXPECT_EQ(events[1].participant().municipality_code(), "1481");
  EXPECT_EQ(events[2].sequence(), 4);

  // Assign one participant to a supplier: a supplier's stream sees only it.
  Suppliers suppliers(env_.deps());
  v1::Supplier s;
  s.set_display_name("Rusta Matcha Väst AB");
  s.set_organisation_number("5566778899");
  s.add_municipality_codes("1480");
  const std::string supplier =
      suppliers.Create(CallContext{}, s, "", s, "")->name();
  v1::UpdateParticipantRequest assign;
  assign.mutable_participant()->set_name(gbg);
  assign.mutable_participant()->set_supplier(supplier);
  assign.mutable_update_mask()->add_paths("supplier");
  grpc::ClientContext context;
  v1::Participant out;
  ASSERT_TRUE(participants_->UpdateParticipant(&context, assign, &out).ok());
  v1::WatchChangesRequest by_supplier;
  by_supplier.set_supplier(supplier);
  auto own = Read(by_supplier, 3);
  ASSERT_EQ(own.size(), 3u);
  for (const auto& e : own) EXPECT_EQ(e.resource(), gbg);
  EXPECT_EQ(own[2].participant().supplier(), supplier);
}

TEST_F(ChangesTest, AReaderThatNeverReadsDoesNotHoldUpWriters) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  auto stalled = changes_->WatchChanges(&context, {});
  // About 90 KB of events: more than the stream's 64 KiB flow-control
  // window, so the stalled stream's sender is blocked while we write.
  for (int i = 0; i < 1500; ++i) NewParticipant(i, "0180");
  // Everything was written; a fresh reader sees it all in order.
  auto events = Read({}, 1500);
  ASSERT_EQ(events.size(), 1500u);
  EXPECT_EQ(events.back().sequence(), 1500);
  context.TryCancel();
  stalled->Finish().IgnoreError();
}

TEST_F(ChangesTest, BadFilterIsInvalidArgument) {
  v1::WatchChangesRequest request;
  request.add_municipality_codes("9999");
  grpc::ClientContext context;
  auto reader = changes_->WatchChanges(&context, request);
  v1::Event event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace jobtrack
