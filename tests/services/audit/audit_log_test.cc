// The audit log: entries, filters and pages against a real RocksDB; the
// atomicity of a write's entry; and a scripted session over the network
// whose log is written out entry by entry.
#include "services/audit/audit_log.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "jobtrack/v1/audit.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "services/common/resource.h"
#include "services/participants/participants.h"
#include "services/security/principal_registry.h"
#include "services/server/server.h"
#include "services/suppliers/suppliers.h"
#include "storage/keys.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

v1::AuditEvent Entry(const char* principal, const char* method,
                     std::vector<std::string> resources,
                     const char* result = "OK") {
  v1::AuditEvent e;
  e.set_principal(principal);
  e.set_method(method);
  for (auto& r : resources) e.add_resources(r);
  e.set_result(result);
  return e;
}

std::vector<std::string> Methods(const v1::ListAuditEventsResponse& page) {
  std::vector<std::string> methods;
  for (const auto& e : page.audit_events()) methods.push_back(e.method());
  return methods;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *AuditLog::Open(&env_.storage(), &env_.clock());
  }

  // Five entries, one minute apart from 10:00.
  void AppendFive() {
    for (const v1::AuditEvent& e :
         {Entry("officer", "GetParticipant", {"participants/a"}),
          Entry("officer", "ListParticipants",
                {"participants/a", "participants/b"}),
          Entry("supplier", "GetParticipant", {"participants/c"},
                "PERMISSION_DENIED"),
          Entry("admin", "EraseParticipant", {"participants/b"}),
          Entry("officer", "GetParticipation", {"participations/x"})}) {
      ASSERT_TRUE(log_->Append(e).ok());
      env_.clock().Advance(absl::Minutes(1));
    }
  }

  v1::ListAuditEventsResponse List(const std::string& filter, int page_size = 0,
                                   const std::string& token = "") {
    v1::ListAuditEventsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(token);
    absl::StatusOr<v1::ListAuditEventsResponse> page = log_->List(request);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.value_or(v1::ListAuditEventsResponse());
  }

  testing::TestEnv env_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, ListsOldestFirstWithFilters) {
  AppendFive();
  const v1::ListAuditEventsResponse all = List("");
  ASSERT_EQ(all.audit_events_size(), 5);
  EXPECT_TRUE(all.next_page_token().empty());
  for (int i = 1; i < 5; ++i) {
    EXPECT_LT(all.audit_events(i - 1).name(), all.audit_events(i).name());
  }
  EXPECT_EQ(all.audit_events(0).time().seconds(),
            absl::ToUnixSeconds(testing::DefaultTestTime()));
  using V = std::vector<std::string>;
  EXPECT_EQ(Methods(List("principal = officer")),
            (V{"GetParticipant", "ListParticipants", "GetParticipation"}));
  EXPECT_EQ(Methods(List("resource = participants/b")),
            (V{"ListParticipants", "EraseParticipant"}));
  EXPECT_EQ(
      Methods(List("resource = \"participants/b\" AND principal = admin")),
      (V{"EraseParticipant"}));
  EXPECT_EQ(Methods(List("result = PERMISSION_DENIED")), (V{"GetParticipant"}));
  EXPECT_EQ(Methods(List("method = GetParticipant")),
            (V{"GetParticipant", "GetParticipant"}));
  // 10:01 up to, not including, 10:03.
  v1::ListAuditEventsRequest range;
  *range.mutable_start_time() =
      ToTimestamp(testing::DefaultTestTime() + absl::Minutes(1));
  *range.mutable_end_time() =
      ToTimestamp(testing::DefaultTestTime() + absl::Minutes(3));
  EXPECT_EQ(Methods(*log_->List(range)),
            (V{"ListParticipants", "GetParticipant"}));
  range.set_filter("resource = participants/b");
  EXPECT_EQ(Methods(*log_->List(range)), (V{"ListParticipants"}));
}

// Index keys under the resource term `resource`.
int IndexKeysOf(storage::Storage& storage, const std::string& resource) {
  int keys = 0;
  EXPECT_TRUE(storage.Snapshot()
                  ->Scan(storage::Column::kIndex,
                         storage::IndexPrefix("auditEvents",
                                              Term("resource", resource)),
                         "",
                         [&](absl::string_view, absl::string_view) {
                           ++keys;
                           return true;
                         })
                  .ok());
  return keys;
}

TEST_F(AuditLogTest, TracksAreFoundInTheLogThoughOnlyPeopleAreIndexed) {
  AppendFive();
  ASSERT_TRUE(
      log_->Append(Entry("officer", "ProposeTracks",
                         {"participants/a", "tracks/t1", "tracks/t1/intakes/i1",
                          "tracks/t2", "employers/e", "suppliers/s"}))
          .ok());
  ASSERT_TRUE(log_->Append(Entry("officer", "GetTrack", {"tracks/t2"})).ok());
  using V = std::vector<std::string>;
  EXPECT_EQ(Methods(List("resource = tracks/t1")), (V{"ProposeTracks"}));
  EXPECT_EQ(Methods(List("resource = tracks/t1/intakes/i1")),
            (V{"ProposeTracks"}));
  EXPECT_EQ(Methods(List("resource = tracks/t2")),
            (V{"ProposeTracks", "GetTrack"}));
  EXPECT_EQ(Methods(List("resource = tracks/t2 AND method = GetTrack")),
            (V{"GetTrack"}));
  EXPECT_EQ(Methods(List("resource = employers/e")), (V{"ProposeTracks"}));
  EXPECT_EQ(Methods(List("resource = participants/a")),
            (V{"GetParticipant", "ListParticipants", "ProposeTracks"}));
  // The catalogue's names cost no index key; people and organisations do.
  EXPECT_EQ(IndexKeysOf(env_.storage(), "tracks/t1"), 0);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "tracks/t1/intakes/i1"), 0);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "tracks/t2"), 0);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "participants/a"), 3);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "participations/x"), 1);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "employers/e"), 1);
  EXPECT_EQ(IndexKeysOf(env_.storage(), "suppliers/s"), 1);
}

TEST_F(AuditLogTest, AFilterOnATrackPagesThroughTheWholeLog) {
  // More entries than one page may read, the track's only at both ends.
  ASSERT_TRUE(log_->Append(Entry("officer", "GetTrack", {"tracks/t"})).ok());
  for (int i = 0; i < 20001; ++i) {
    ASSERT_TRUE(
        log_->Append(Entry("officer", "GetParticipant", {"participants/p"}))
            .ok());
  }
  ASSERT_TRUE(log_->Append(Entry("admin", "GetTrack", {"tracks/t"})).ok());
  std::vector<std::string> principals;
  std::string token;
  int pages = 0;
  do {
    const v1::ListAuditEventsResponse page =
        List("resource = tracks/t", 10, token);
    for (const auto& e : page.audit_events()) {
      principals.push_back(e.principal());
    }
    token = page.next_page_token();
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(principals, (std::vector<std::string>{"officer", "admin"}));
  EXPECT_GE(pages, 2);  // The scan stopped at its bound and went on.
}

TEST_F(AuditLogTest, PagesFollowTheirTokens) {
  AppendFive();
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    v1::ListAuditEventsResponse page = List("", 2, token);
    for (const auto& e : page.audit_events()) names.push_back(e.name());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(names.size(), 5u);
  // A token belongs to its filter.
  v1::ListAuditEventsRequest other;
  other.set_page_token(List("", 2).next_page_token());
  other.set_filter("principal = officer");
  EXPECT_EQ(log_->List(other).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuditLogTest, BadRequestsNameTheirField) {
  v1::ListAuditEventsRequest request;
  request.set_filter("personnummer = 1");
  EXPECT_TRUE(
      absl::StrContains(log_->List(request).status().message(), "filter"));
  request.set_filter("result = MAYBE");
  EXPECT_TRUE(
      absl::StrContains(log_->List(request).status().message(), "filter"));
  request.clear_filter();
  *request.mutable_start_time() = ToTimestamp(testing::DefaultTestTime());
  *request.mutable_end_time() = ToTimestamp(testing::DefaultTestTime());
  EXPECT_TRUE(
      absl::StrContains(log_->List(request).status().message(), "end_time"));
  request.clear_end_time();
  request.mutable_start_time()->set_nanos(-1);
  EXPECT_TRUE(
      absl::StrContains(log_->List(request).status().message(), "start_time"));
}

TEST_F(AuditLogTest, ContinuesItsSequenceAfterARestart) {
  ASSERT_TRUE(log_->Append(Entry("a", "GetParticipant", {})).ok());
  log_.reset();
  env_.Reopen();
  log_ = *AuditLog::Open(&env_.storage(), &env_.clock());
  // Same clock reading: the sequence alone orders them.
  ASSERT_TRUE(log_->Append(Entry("b", "GetParticipant", {})).ok());
  const v1::ListAuditEventsResponse all = List("");
  ASSERT_EQ(all.audit_events_size(), 2);
  EXPECT_EQ(all.audit_events(0).principal(), "a");
  EXPECT_EQ(all.audit_events(1).principal(), "b");
  EXPECT_NE(all.audit_events(0).name(), all.audit_events(1).name());
}

TEST_F(AuditLogTest, AnEntryInAWriteIsCommittedWithItOrNotAtAll) {
  {
    std::unique_ptr<storage::Transaction> txn = env_.storage().Begin();
    ASSERT_TRUE(txn->Put(storage::Column::kRecords,
                         storage::RecordKey("things", "1"), "x")
                    .ok());
    ASSERT_TRUE(
        log_->AddToCommit(*txn, Entry("a", "CreateThing", {"participants/a"}))
            .ok());
    // Rolled back: neither the record nor the entry.
  }
  EXPECT_EQ(List("").audit_events_size(), 0);
  EXPECT_EQ(List("resource = participants/a").audit_events_size(), 0);
  std::unique_ptr<storage::Transaction> txn = env_.storage().Begin();
  ASSERT_TRUE(
      log_->AddToCommit(*txn, Entry("a", "CreateThing", {"participants/a"}))
          .ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(List("resource = participants/a").audit_events_size(), 1);
}

// A scripted session through the gatekeeper: what is audited, and how.
class AuditSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CallContext setup{.principal = "setup", .method = "Test"};
    v1::Supplier s;
    s.set_display_name("Rusta och matcha AB");
    s.set_organisation_number("5560360793");
    s.add_municipality_codes("0180");
    supplier_ = Suppliers(env_.deps()).Create(setup, s, "", s, "")->name();
    v1::Participant p;
    p.set_external_reference("gbg");
    p.set_birth_year(1990);
    p.set_gender(v1::FEMALE);
    p.set_municipality_code("1480");
    p.set_education_level(v1::UPPER_SECONDARY);
    elsewhere_ = Participants(env_.deps()).Create(setup, p, "", p, "")->name();

    const std::string path = dir_.path() + "/principals.txtpb";
    std::ofstream(path) << absl::StrCat(
        testing::PrincipalEntry("admin", "ADMIN", admin_),
        testing::PrincipalEntry("officer", "CASE_OFFICER", officer_,
                                "municipality_codes: \"0180\""),
        testing::PrincipalEntry("supplier", "SUPPLIER", supplier_token_,
                                absl::StrCat("supplier: \"", supplier_, "\"")));
    chmod(path.c_str(), 0600);
    registry_ = *PrincipalRegistry::Load(path, &env_.clock());
    gatekeeper_ = std::make_unique<Gatekeeper>(registry_.get(), &env_.storage(),
                                               env_.deps().audit);
    Deps deps = env_.deps();
    deps.gatekeeper = gatekeeper_.get();
    ASSERT_TRUE(testing::StartInProcessServer(deps, &server_, &channel_).ok());
  }

  static std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    return testing::WithBearer(token);
  }

  testing::TestEnv env_;
  testing::TempDir dir_;
  const std::string admin_ = *PrincipalRegistry::NewToken();
  const std::string officer_ = *PrincipalRegistry::NewToken();
  const std::string supplier_token_ = *PrincipalRegistry::NewToken();
  std::string supplier_;
  std::string elsewhere_;
  std::unique_ptr<PrincipalRegistry> registry_;
  std::unique_ptr<Gatekeeper> gatekeeper_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuditSessionTest, TheLogHoldsTheExpectedEntriesAfterAScriptedSession) {
  auto participants = v1::ParticipantService::NewStub(channel_);
  auto modules = v1::ModuleService::NewStub(channel_);
  auto audit = v1::AuditService::NewStub(channel_);

  // 1. The officer registers a person in Stockholm, assigned to the
  //    supplier, and 2. reads the record back.
  v1::CreateParticipantRequest create;
  v1::Participant& p = *create.mutable_participant();
  p.set_external_reference("sthlm");
  p.set_birth_year(1985);
  p.set_gender(v1::MALE);
  p.set_municipality_code("0180");
  p.set_education_level(v1::POST_SECONDARY);
  p.set_supplier(supplier_);
  v1::Participant created;
  ASSERT_TRUE(
      participants->CreateParticipant(As(officer_).get(), create, &created)
          .ok());
  v1::GetParticipantRequest get;
  get.set_name(created.name());
  v1::Participant read;
  ASSERT_TRUE(
      participants->GetParticipant(As(officer_).get(), get, &read).ok());
  // 3. The catalogue holds no personal data: not audited.
  v1::ListModulesResponse catalogue;
  ASSERT_TRUE(modules->ListModules(As(officer_).get(), {}, &catalogue).ok());
  // 4. The supplier tries a person who is not theirs.
  get.set_name(elsewhere_);
  EXPECT_EQ(participants->GetParticipant(As(supplier_token_).get(), get, &read)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // 5. A write that fails validation.
  create.mutable_participant()->set_birth_year(1850);
  EXPECT_EQ(
      participants->CreateParticipant(As(officer_).get(), create, &created)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // 6. The supplier lists its participants.
  v1::ListParticipantsResponse listed;
  ASSERT_TRUE(
      participants->ListParticipants(As(supplier_token_).get(), {}, &listed)
          .ok());
  // 7. The officer may not read the log.
  v1::ListAuditEventsResponse log;
  EXPECT_EQ(audit->ListAuditEvents(As(officer_).get(), {}, &log).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_TRUE(audit->ListAuditEvents(As(admin_).get(), {}, &log).ok());
  struct Expected {
    const char* principal;
    const char* role;
    const char* method;
    std::vector<std::string> resources;
    const char* result;
    bool committed;
  };
  const std::string person = created.name();
  const std::vector<Expected> expected = {
      {"officer",
       "CASE_OFFICER",
       "CreateParticipant",
       {supplier_, person},
       "OK",
       true},
      {"officer",
       "CASE_OFFICER",
       "GetParticipant",
       {person, supplier_},
       "OK",
       false},
      {"supplier",
       "SUPPLIER",
       "GetParticipant",
       {elsewhere_},
       "PERMISSION_DENIED",
       false},
      {"officer",
       "CASE_OFFICER",
       "CreateParticipant",
       {supplier_},
       "INVALID_ARGUMENT",
       false},
      {"supplier",
       "SUPPLIER",
       "ListParticipants",
       {person, supplier_},
       "OK",
       false},
      {"officer",
       "CASE_OFFICER",
       "ListAuditEvents",
       {},
       "PERMISSION_DENIED",
       false},
  };
  ASSERT_EQ(log.audit_events_size(), static_cast<int>(expected.size()))
      << log.DebugString();
  for (size_t i = 0; i < expected.size(); ++i) {
    const v1::AuditEvent& e = log.audit_events(static_cast<int>(i));
    SCOPED_TRACE(e.DebugString());
    EXPECT_EQ(e.principal(), expected[i].principal);
    EXPECT_EQ(e.role(), expected[i].role);
    EXPECT_EQ(e.method(), expected[i].method);
    EXPECT_EQ(
        std::vector<std::string>(e.resources().begin(), e.resources().end()),
        expected[i].resources);
    EXPECT_EQ(e.result(), expected[i].result);
    EXPECT_EQ(e.committed_with_write(), expected[i].committed);
    EXPECT_EQ(e.time().seconds(),
              absl::ToUnixSeconds(testing::DefaultTestTime()));
  }
  // Who touched the person: their record's history, through the index.
  v1::ListAuditEventsRequest about;
  about.set_filter(absl::StrCat("resource = \"", person, "\""));
  ASSERT_TRUE(audit->ListAuditEvents(As(admin_).get(), about, &log).ok());
  EXPECT_EQ(Methods(log),
            (std::vector<std::string>{"CreateParticipant", "GetParticipant",
                                      "ListParticipants"}));
}

}  // namespace
}  // namespace jobtrack
