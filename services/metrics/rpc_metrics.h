// RpcMetrics: counts and latencies of the RPCs the server answers, by
// service, method and status code, kept in memory for the Prometheus
// exposition (MetricsHttpServer).
//
// Thread safety: every method may be called from many threads.
#ifndef JOBTRACK_SERVICES_METRICS_RPC_METRICS_H_
#define JOBTRACK_SERVICES_METRICS_RPC_METRICS_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jobtrack {

class RpcMetrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,    0.1,    0.25,  0.5,    1,     2.5,  10};

  // `path` is gRPC's method path, "/jobtrack.v1.TrackService/GetTrack".
  void Started(absl::string_view path);
  void Finished(absl::string_view path, grpc::StatusCode code,
                absl::Duration latency);
  // Calls of `method` (e.g. "WatchChanges") started and not finished: for
  // a streaming method, its open streams.
  int64_t InFlight(absl::string_view method) const;

  // Appends the families jobtrack_rpc_requests_total (counter),
  // jobtrack_rpc_latency_seconds (histogram) and jobtrack_rpcs_in_flight
  // (gauge) in the Prometheus text format.
  void Render(std::string& out) const;

  // A gRPC server interceptor factory that feeds `metrics` (which must
  // outlive the server).
  static std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory(RpcMetrics* metrics);

 private:
  struct PerMethod {
    std::string service;
    std::string method;
    absl::flat_hash_map<int, int64_t> by_code;
    std::array<int64_t, kBuckets.size()> buckets{};  // Not cumulative.
    int64_t count = 0;
    double seconds = 0;
    int64_t in_flight = 0;
  };
  PerMethod& At(absl::string_view path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, PerMethod> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_METRICS_RPC_METRICS_H_
