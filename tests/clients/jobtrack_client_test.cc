// The C++ client library against the real in-process server, and against a
// stand-in EmployerService that is UNAVAILABLE on purpose (to see retries,
// their backoff and the request_id they keep) or never answers (deadlines).
#include "clients/cpp/jobtrack_client.h"

#include <gtest/gtest.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/mutation.h"
#include "services/server/server.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack::client {
namespace {

v1::CreateEmployerRequest NewEmployer() {
  v1::CreateEmployerRequest request;
  v1::Employer& e = *request.mutable_employer();
  e.set_display_name("Bussbolaget AB");
  e.set_organisation_number("5560360793");
  e.set_sector(v1::Employer::PRIVATE);
  e.set_sni_code("49311");
  e.set_municipality_code("1480");
  return request;
}

TEST(JobtrackClientTest, CallsTheServerAndMapsItsErrors) {
  testing::TestEnv env;
  std::unique_ptr<Server> server;
  std::shared_ptr<grpc::Channel> unused;
  ASSERT_TRUE(testing::StartInProcessServer(env.deps(), &server, &unused).ok());
  ClientOptions options;
  options.target = absl::StrCat("127.0.0.1:", server->port());
  absl::StatusOr<std::unique_ptr<Client>> client = Client::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status();

  absl::StatusOr<v1::Employer> created = (*client)->Call(
      &v1::EmployerService::Stub::CreateEmployer, NewEmployer());
  ASSERT_TRUE(created.ok()) << created.status();
  v1::GetEmployerRequest get;
  get.set_name(created->name());
  absl::StatusOr<v1::Employer> read =
      (*client)->Call(&v1::EmployerService::Stub::GetEmployer, get);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->display_name(), "Bussbolaget AB");

  get.set_name("employers/absent");
  EXPECT_EQ((*client)
                ->Call(&v1::EmployerService::Stub::GetEmployer, get)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // A bad field: INVALID_ARGUMENT, its BadRequest kept in the payload.
  v1::CreateEmployerRequest bad = NewEmployer();
  bad.mutable_employer()->set_organisation_number("5560360794");
  absl::Status refused =
      (*client)->Call(&v1::EmployerService::Stub::CreateEmployer, bad).status();
  ASSERT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  auto details = refused.GetPayload(kDetailsPayloadUrl);
  ASSERT_TRUE(details.has_value());
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(std::string(*details)));
  std::vector<std::string> fields;
  for (const auto& any : status.details()) {  // In no particular order.
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations()) {
      fields.push_back(v.field());
    }
  }
  EXPECT_EQ(fields, std::vector<std::string>{"employer.organisation_number"});
}

TEST(JobtrackClientTest, OptionsThatCannotWorkAreRefused) {
  ClientOptions options;
  options.max_attempts = 0;
  EXPECT_EQ(Client::Connect(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.max_attempts = 1;
  options.tls_key_pem = "key";
  EXPECT_EQ(Client::Connect(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Answers CreateEmployer UNAVAILABLE `failures` times, then OK; GetEmployer
// never (until the call is cancelled).
class FlakyEmployers final : public v1::EmployerService::CallbackService {
 public:
  explicit FlakyEmployers(int failures) : failures_(failures) {}

  grpc::ServerUnaryReactor* CreateEmployer(
      grpc::CallbackServerContext* context,
      const v1::CreateEmployerRequest* request,
      v1::Employer* response) override {
    absl::MutexLock lock(&mu_);
    request_ids_.push_back(request->request_id());
    auto* reactor = context->DefaultReactor();
    if (static_cast<int>(request_ids_.size()) <= failures_) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "busy"));
    } else {
      response->set_name("employers/e1");
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

  grpc::ServerUnaryReactor* GetEmployer(grpc::CallbackServerContext* context,
                                        const v1::GetEmployerRequest*,
                                        v1::Employer*) override {
    class Silent : public grpc::ServerUnaryReactor {
     public:
      void OnCancel() override { Finish(grpc::Status::CANCELLED); }
      void OnDone() override { delete this; }
    };
    (void)context;
    return new Silent;
  }

  std::vector<std::string> request_ids() {
    absl::MutexLock lock(&mu_);
    return request_ids_;
  }

 private:
  const int failures_;
  absl::Mutex mu_;
  std::vector<std::string> request_ids_;
};

class RetryTest : public ::testing::Test {
 protected:
  void Start(int failures) {
    service_ = std::make_unique<FlakyEmployers>(failures);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    options_.target = absl::StrCat("127.0.0.1:", port);
    options_.sleep = [this](absl::Duration d) { waits_.push_back(d); };
  }

  ClientOptions options_;
  std::vector<absl::Duration> waits_;
  std::unique_ptr<FlakyEmployers> service_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(RetryTest, UnavailableIsRetriedWithBackoffAndTheSameRequestId) {
  Start(/*failures=*/2);
  auto client = *Client::Connect(options_);
  absl::StatusOr<v1::Employer> created =
      client->Call(&v1::EmployerService::Stub::CreateEmployer, NewEmployer());
  ASSERT_TRUE(created.ok()) << created.status();
  const std::vector<std::string> ids = service_->request_ids();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(IsUuid(ids[0])) << ids[0];
  EXPECT_EQ(ids[1], ids[0]);
  EXPECT_EQ(ids[2], ids[0]);
  // 100 ms, then 200 ms, each jittered down by up to half.
  ASSERT_EQ(waits_.size(), 2u);
  EXPECT_GE(waits_[0], absl::Milliseconds(50));
  EXPECT_LE(waits_[0], absl::Milliseconds(100));
  EXPECT_GE(waits_[1], absl::Milliseconds(100));
  EXPECT_LE(waits_[1], absl::Milliseconds(200));
}

TEST_F(RetryTest, AttemptsRunOutAndACallersOwnRequestIdIsKept) {
  Start(/*failures=*/10);
  options_.max_attempts = 3;
  auto client = *Client::Connect(options_);
  v1::CreateEmployerRequest request = NewEmployer();
  request.set_request_id("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  EXPECT_EQ(client->Call(&v1::EmployerService::Stub::CreateEmployer, request)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(service_->request_ids(),
            std::vector<std::string>(3, request.request_id()));
  EXPECT_EQ(waits_.size(), 2u);
}

TEST_F(RetryTest, EveryAttemptHasADeadline) {
  Start(0);
  options_.deadline = absl::Milliseconds(200);
  auto client = *Client::Connect(options_);
  v1::GetEmployerRequest get;
  get.set_name("employers/e1");
  EXPECT_EQ(client->Call(&v1::EmployerService::Stub::GetEmployer, get)
                .status()
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(waits_.empty());  // Not retried.
}

}  // namespace
}  // namespace jobtrack::client
