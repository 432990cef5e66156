// Overload (issue 9): the real jobtrackd with small limits, driven at ten
// times the write rate it sustains. It must answer RESOURCE_EXHAUSTED or
// DEADLINE_EXCEEDED instead of falling over, keep its memory bounded, and
// serve normally soon after the load stops (polled with a 60 s bound,
// ruling 9.7; the time measured is printed, not asserted).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cpp/jobtrack_client.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"
#include "tests/e2e/daemon.h"
#include "tests/support/test_env.h"

namespace jobtrack::reliability {
namespace {

using e2e::Daemon;

// How much resident memory may grow under the load. AddressSanitizer keeps
// freed memory in quarantine (256 MiB by default), so its builds get more.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kGrowthKib = 1024 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long kGrowthKib = 1024 * 1024;
#else
constexpr long kGrowthKib = 256 * 1024;
#endif
#else
constexpr long kGrowthKib = 256 * 1024;
#endif

v1::CreateModuleRequest NewModule(int i) {
  v1::CreateModuleRequest m;
  m.mutable_module()->set_display_name(absl::StrCat("Överlast ", i));
  m.mutable_module()->set_education_form(v1::KOMVUX);
  m.mutable_module()->set_length_weeks(4);
  m.mutable_module()->set_hours_per_week(20);
  client::EnsureRequestId(m);
  return m;
}

// Writes per second that `concurrency` closed-loop clients get.
double SustainedWrites(const std::shared_ptr<grpc::Channel>& channel,
                       int concurrency, absl::Duration duration) {
  std::atomic<int> done{0};
  const absl::Time end = absl::Now() + duration;
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::ModuleService::NewStub(channel);
      for (int i = 0; absl::Now() < end; ++i) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(10));
        v1::Module module;
        if (stub->CreateModule(&context, NewModule(t * 1000000 + i), &module)
                .ok()) {
          done.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return done.load() / absl::ToDoubleSeconds(duration);
}

TEST(OverloadTest, TenTimesTheSustainableLoadIsRefusedNotFatalAndRecovers) {
  jobtrack::testing::TempDir dir;
  Daemon daemon(dir.path(), {"--plaintext", "--max_concurrent_calls=16",
                             "--write_threads=4", "--grpc_memory_mb=64"});
  const int port = daemon.WaitForPort();
  ASSERT_GT(port, 0) << daemon.Log();
  auto channel = e2e::Connect(port);

  const double sustained = SustainedWrites(channel, 4, absl::Seconds(2));
  ASSERT_GT(sustained, 0);
  const long rss_before = daemon.ResidentKib();

  // Open loop at ten times that rate for 4 s, each call with a 1 s deadline,
  // over several connections.
  const double rate = 10 * sustained;
  const absl::Duration load = absl::Seconds(4);
  std::vector<std::unique_ptr<v1::ModuleService::Stub>> stubs;
  for (int c = 0; c < 4; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("jobtrack.connection", c);  // A connection of its own.
    stubs.push_back(v1::ModuleService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                  grpc::InsecureChannelCredentials(), args)));
  }
  std::mutex mu;
  std::map<grpc::StatusCode, int> codes;
  std::atomic<int> outstanding{0};
  long rss_peak = rss_before;
  const absl::Time start = absl::Now();
  int sent = 0;
  while (absl::Now() - start < load) {
    const int due =
        static_cast<int>(absl::ToDoubleSeconds(absl::Now() - start) * rate);
    for (; sent < due; ++sent) {
      struct Call {
        grpc::ClientContext context;
        v1::CreateModuleRequest request;
        v1::Module response;
      };
      auto* call = new Call;
      call->request = NewModule(-sent - 1);
      call->context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::seconds(1));
      outstanding.fetch_add(1);
      stubs[static_cast<size_t>(sent) % stubs.size()]->async()->CreateModule(
          &call->context, &call->request, &call->response,
          [&, call](grpc::Status s) {
            {
              std::lock_guard<std::mutex> lock(mu);
              ++codes[s.error_code()];
            }
            delete call;
            outstanding.fetch_sub(1);
          });
    }
    rss_peak = std::max(rss_peak, daemon.ResidentKib());
    absl::SleepFor(absl::Milliseconds(2));
  }
  while (outstanding.load() > 0) {
    rss_peak = std::max(rss_peak, daemon.ResidentKib());
    absl::SleepFor(absl::Milliseconds(10));
  }
  const absl::Time load_ended = absl::Now();
  ASSERT_TRUE(daemon.Running()) << "jobtrackd died under load:\n"
                                << daemon.Log();

  // Served normally again: a write and a read succeed.
  absl::Duration recovery = absl::InfiniteDuration();
  auto modules = v1::ModuleService::NewStub(channel);
  while (absl::Now() - load_ended < absl::Seconds(60)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(2));
    v1::Module module;
    if (modules->CreateModule(&context, NewModule(-1), &module).ok()) {
      grpc::ClientContext get_context;
      v1::GetModuleRequest get;
      get.set_name(module.name());
      v1::Module again;
      if (modules->GetModule(&get_context, get, &again).ok()) {
        recovery = absl::Now() - load_ended;
        break;
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_LT(recovery, absl::Seconds(60)) << "not serving 60 s after the load";

  int refused = 0, other = 0;
  std::string summary;
  for (const auto& [code, n] : codes) {
    absl::StrAppend(&summary, " code ", static_cast<int>(code), ": ", n, ";");
    if (code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
        code == grpc::StatusCode::DEADLINE_EXCEEDED) {
      refused += n;
    } else if (code != grpc::StatusCode::OK) {
      other += n;
    }
  }
  EXPECT_GT(refused, 0) << "the load did not overload the server:" << summary;
  EXPECT_EQ(other, 0) << summary;
  // Bounded: the queue does not grow with the load.
  EXPECT_LT(rss_peak - rss_before, kGrowthKib)
      << "resident memory grew from " << rss_before << " KiB to " << rss_peak
      << " KiB";
  std::cout << "overload: sustained " << static_cast<int>(sustained)
            << " writes/s; sent " << sent << " at " << static_cast<int>(rate)
            << "/s for " << absl::FormatDuration(load) << ";" << summary
            << " (0 OK, 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED); RSS "
            << rss_before / 1024 << " -> peak " << rss_peak / 1024
            << " MiB; serving again " << absl::FormatDuration(recovery)
            << " after the load\n";
}

}  // namespace
}  // namespace jobtrack::reliability
