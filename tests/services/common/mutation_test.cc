#include "services/common/mutation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "jobtrack/v1/employer.pb.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

constexpr char kId[] = "6f1c2a7e-0b7d-4c55-9a34-1f0f6b9e7d21";

v1::CreateEmployerRequest Request(const std::string& name) {
  v1::CreateEmployerRequest request;
  request.mutable_employer()->set_display_name(name);
  request.set_request_id(kId);
  return request;
}

TEST(MutationTest, RetryReturnsFirstResponseWithoutRunningAgain) {
  testing::TestEnv env;
  int runs = 0;
  auto body = [&](storage::Transaction& txn) -> absl::StatusOr<v1::Employer> {
    ++runs;
    v1::Employer e;
    e.set_name(absl::StrCat("employers/run", runs));
    if (absl::Status s = txn.Put(storage::Column::kRecords, e.name(), "x");
        !s.ok()) {
      return s;
    }
    return e;
  };
  const CallContext context{.principal = "p", .method = "CreateEmployer"};
  auto first =
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body);
  auto second =
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(second->name(), "employers/run1");
  // Another principal or method has its own id space.
  auto other = RunMutation<v1::Employer>(
      env.deps(), CallContext{.principal = "q", .method = "CreateEmployer"},
      Request("A"), kId, body);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(runs, 2);
}

TEST(MutationTest, SameIdWithDifferentRequestIsInvalidArgument) {
  testing::TestEnv env;
  auto body = [](storage::Transaction&) -> absl::StatusOr<v1::Employer> {
    return v1::Employer();
  };
  const CallContext context{.method = "CreateEmployer"};
  ASSERT_TRUE(
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body)
          .ok());
  auto clash =
      RunMutation<v1::Employer>(env.deps(), context, Request("B"), kId, body);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(clash.status().message().find("request_id"),
            absl::string_view::npos);
}

TEST(MutationTest, FailedCallStoresNothingSoARetryRunsAgain) {
  testing::TestEnv env;
  int runs = 0;
  auto body = [&](storage::Transaction&) -> absl::StatusOr<v1::Employer> {
    if (++runs == 1) return absl::FailedPreconditionError("not yet");
    return v1::Employer();
  };
  const CallContext context{.method = "CreateEmployer"};
  EXPECT_FALSE(
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body)
          .ok());
  EXPECT_TRUE(
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body)
          .ok());
  EXPECT_EQ(runs, 2);
}

TEST(MutationTest, RecordExpiresAfterTtl) {
  testing::TestEnv env;
  int runs = 0;
  auto body = [&](storage::Transaction&) -> absl::StatusOr<v1::Employer> {
    ++runs;
    return v1::Employer();
  };
  const CallContext context{.method = "CreateEmployer"};
  ASSERT_TRUE(
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body)
          .ok());
  env.clock().Advance(absl::Hours(24 * 7 + 1));
  ASSERT_TRUE(
      RunMutation<v1::Employer>(env.deps(), context, Request("A"), kId, body)
          .ok());
  EXPECT_EQ(runs, 2);
}

TEST(MutationTest, RequestIdMustBeAUuid) {
  testing::TestEnv env;
  auto body = [](storage::Transaction&) -> absl::StatusOr<v1::Employer> {
    return v1::Employer();
  };
  auto bad = RunMutation<v1::Employer>(env.deps(), CallContext{}, Request("A"),
                                       "retry-1", body);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsUuid(kId));
  EXPECT_FALSE(IsUuid("6f1c2a7e0b7d4c559a341f0f6b9e7d21"));
}

TEST(MutationTest, ConcurrentCallsWithOneIdRunTheBodyOnce) {
  testing::TestEnv env;
  std::atomic<int> runs = 0;
  auto body = [&](storage::Transaction& txn) -> absl::StatusOr<v1::Employer> {
    ++runs;
    if (absl::Status s = txn.Put(storage::Column::kRecords, "k", "v"); !s.ok())
      return s;
    v1::Employer e;
    e.set_name("employers/once");
    return e;
  };
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = RunMutation<v1::Employer>(
          env.deps(), CallContext{.method = "CreateEmployer"}, Request("A"),
          kId, body);
      if (r.ok()) {
        EXPECT_EQ(r->name(), "employers/once");
        ++ok;
      } else {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_GE(ok.load(), 1);
}

}  // namespace
}  // namespace jobtrack
