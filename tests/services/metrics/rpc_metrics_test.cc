// RpcMetrics: counts, cumulative histogram buckets and open calls, in the
// Prometheus text format.
#include "services/metrics/rpc_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace jobtrack {
namespace {

TEST(RpcMetricsTest, RendersCountsCumulativeBucketsAndOpenCalls) {
  RpcMetrics metrics;
  const char* get = "/jobtrack.v1.TrackService/GetTrack";
  const char* watch = "/jobtrack.v1.ChangeService/WatchChanges";
  for (int i = 0; i < 3; ++i) metrics.Started(get);
  metrics.Finished(get, grpc::StatusCode::OK, absl::Microseconds(200));
  metrics.Finished(get, grpc::StatusCode::OK, absl::Milliseconds(3));
  metrics.Finished(get, grpc::StatusCode::NOT_FOUND, absl::Seconds(20));
  metrics.Started(watch);
  metrics.Started(watch);
  metrics.Finished(watch, grpc::StatusCode::CANCELLED, absl::Seconds(1));
  EXPECT_EQ(metrics.InFlight("WatchChanges"), 1);
  EXPECT_EQ(metrics.InFlight("GetTrack"), 0);

  std::string out;
  metrics.Render(out);
  const std::string labels = "service=\"TrackService\",method=\"GetTrack\"";
  for (const std::string& line : std::vector<std::string>{
           "# TYPE jobtrack_rpc_requests_total counter",
           "jobtrack_rpc_requests_total{" + labels + ",code=\"OK\"} 2",
           "jobtrack_rpc_requests_total{" + labels + ",code=\"NOT_FOUND\"} 1",
           "# TYPE jobtrack_rpc_latency_seconds histogram",
           // 0.2 ms in the first bucket; 3 ms from 0.005 on; 20 s only in
           // +Inf.
           "jobtrack_rpc_latency_seconds_bucket{" + labels +
               ",le=\"0.00025\"} 1",
           "jobtrack_rpc_latency_seconds_bucket{" + labels +
               ",le=\"0.0025\"} 1",
           "jobtrack_rpc_latency_seconds_bucket{" + labels + ",le=\"0.005\"} 2",
           "jobtrack_rpc_latency_seconds_bucket{" + labels + ",le=\"10\"} 2",
           "jobtrack_rpc_latency_seconds_bucket{" + labels + ",le=\"+Inf\"} 3",
           "jobtrack_rpc_latency_seconds_sum{" + labels + "} 20.003200",
           "jobtrack_rpc_latency_seconds_count{" + labels + "} 3",
           "jobtrack_rpcs_in_flight{service=\"ChangeService\",method="
           "\"WatchChanges\"} 1",
       }) {
    EXPECT_TRUE(absl::StrContains(out, line + "\n")) << line << "\n" << out;
  }
}

}  // namespace
}  // namespace jobtrack
