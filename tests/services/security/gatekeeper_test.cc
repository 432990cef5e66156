// The gatekeeper on a real in-process server: every call is authenticated
// and its method checked against the caller's role before the handler
// runs. (The full authorization matrix, with scopes, comes with the scope
// rules; this covers authentication and the role table.)
#include "services/security/gatekeeper.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "services/common/validation.h"
#include "services/security/access_policy.h"
#include "services/server/server.h"
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
    gatekeeper_ = std::make_unique<Gatekeeper>(registry_.get());
    Deps deps = env_.deps();
    deps.gatekeeper = gatekeeper_.get();
    ASSERT_TRUE(testing::StartInProcessServer(deps, &server_, &channel_).ok());
  }

  static std::string Entry(const char* id, security::Role role,
                           const std::string& token, const char* extra = "") {
    return absl::StrCat(
        "principals { id: \"", id, "\" role: ", security::Role_Name(role),
        " token_sha256: \"", PrincipalRegistry::HashToken(token), "\" ", extra,
        " }\n");
  }

  // A client context carrying `token` (none if empty).
  static std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    return context;
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

TEST(AccessPolicyTest, EveryMethodHasARuleAndItsRequestIsNamedAfterIt) {
  const std::vector<absl::string_view> ruled = MethodsWithAccessRules();
  int methods = 0;
  for (const char* service :
       {"AgreementService", "ChangeService", "EmployerService",
        "FollowUpService", "MatchingService", "ModuleService",
        "ParticipantService", "ParticipationService", "SupplierService",
        "TrackService"}) {
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
