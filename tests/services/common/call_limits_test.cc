// Overload behaviour of Serve (handler.h) through an in-process server: a
// call beyond the call limit is refused at once, and a write whose deadline
// passed while it waited for a writer thread is answered without doing its
// work. The only writer thread is held by a task of the test, so what
// waits, waits for certain, and nothing depends on timing but the client's
// own deadline.
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "services/common/call_limiter.h"
#include "services/common/worker_pool.h"
#include "services/security/gatekeeper.h"
#include "services/server/server.h"
#include "tests/support/grpc_support.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

v1::CreateModuleRequest NewModule(const std::string& request_id) {
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name("Kö");
  m.mutable_module()->set_education_form(v1::KOMVUX);
  m.mutable_module()->set_length_weeks(4);
  m.mutable_module()->set_hours_per_week(20);
  m.set_request_id(request_id);
  return m;
}

class CallLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gatekeeper_->RunWritesOn(&writers_);
    gatekeeper_->LimitCallsWith(&limiter_);
    Deps deps = env_.deps();
    deps.gatekeeper = gatekeeper_.get();
    ASSERT_TRUE(testing::StartInProcessServer(deps, &server_, &channel_).ok());
    stub_ = v1::ModuleService::NewStub(channel_);
    // Hold the only writer thread until the test lets go.
    writers_.Run([this] { release_.WaitForNotification(); });
  }
  void TearDown() override {
    if (!release_.HasBeenNotified()) release_.Notify();
    server_->Shutdown(absl::Seconds(5));
  }

  int ModuleCount() {
    grpc::ClientContext context;
    v1::ListModulesRequest list;
    v1::ListModulesResponse response;
    EXPECT_TRUE(stub_->ListModules(&context, list, &response).ok());
    return response.modules_size();
  }

  testing::TestEnv env_;
  WorkerPool writers_{1};
  CallLimiter limiter_{1};
  std::unique_ptr<Gatekeeper> gatekeeper_ = Gatekeeper::LocalDevelopment();
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ModuleService::Stub> stub_;
  absl::Notification release_;
};

TEST_F(CallLimitsTest, ACallBeyondTheLimitIsRefusedAtOnce) {
  // The first write takes the one permit and waits for the writer.
  grpc::ClientContext first_context;
  v1::Module first;
  grpc::Status first_status;
  absl::Notification first_done;
  const v1::CreateModuleRequest first_request =
      NewModule("6f1c3a52-1d7e-4a43-9d1e-0f4c1f0d2a01");
  stub_->async()->CreateModule(&first_context, &first_request, &first,
                               [&](grpc::Status s) {
                                 first_status = s;
                                 first_done.Notify();
                               });
  while (limiter_.in_flight() == 0) absl::SleepFor(absl::Milliseconds(1));

  grpc::ClientContext second_context;
  v1::Module second;
  const grpc::Status refused = stub_->CreateModule(
      &second_context, NewModule("6f1c3a52-1d7e-4a43-9d1e-0f4c1f0d2a02"),
      &second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(limiter_.refused(), 1);

  release_.Notify();
  first_done.WaitForNotification();
  EXPECT_TRUE(first_status.ok()) << first_status.error_message();
  // The permit comes back just after the answer; the next call needs it.
  while (limiter_.in_flight() > 0) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(ModuleCount(), 1);
}

TEST_F(CallLimitsTest, AWriteWhoseDeadlinePassedWhileItWaitedIsNotDone) {
  grpc::ClientContext context;
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(200);
  context.set_deadline(deadline);
  v1::Module module;
  const grpc::Status status = stub_->CreateModule(
      &context, NewModule("6f1c3a52-1d7e-4a43-9d1e-0f4c1f0d2a03"), &module);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The client's timer may fire a moment before the deadline as the server
  // reads it; let the deadline itself pass.
  while (std::chrono::system_clock::now() <=
         deadline + std::chrono::milliseconds(5)) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  // Now the writer runs the queued call, finds its deadline passed and
  // does nothing: no module, and the permit comes back.
  release_.Notify();
  while (limiter_.in_flight() > 0) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(ModuleCount(), 0);
}

}  // namespace
}  // namespace jobtrack
