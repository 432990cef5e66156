#include "services/metrics/rpc_metrics.h"

#include <grpcpp/support/server_interceptor.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jobtrack {
namespace {

// One per call: Started when the call begins, Finished with the status it
// sends (or CANCELLED if it ends without one).
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, std::string path)
      : metrics_(metrics), path_(std::move(path)), start_(absl::Now()) {
    metrics_->Started(path_);
  }
  ~MetricsInterceptor() override {
    if (!finished_) {
      metrics_->Finished(path_, grpc::StatusCode::CANCELLED,
                         absl::Now() - start_);
    }
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      finished_ = true;
      metrics_->Finished(path_, methods->GetSendStatus().error_code(),
                         absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* const metrics_;
  const std::string path_;
  const absl::Time start_;
  bool finished_ = false;
};

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info->method());
  }

 private:
  RpcMetrics* const metrics_;
};

const char* CodeName(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  return code >= 0 && code < 17 ? kNames[code] : "UNKNOWN";
}

}  // namespace

RpcMetrics::PerMethod& RpcMetrics::At(absl::string_view path) {
  auto it = methods_.find(path);
  if (it != methods_.end()) return it->second;
  PerMethod& m = methods_[path];
  // "/jobtrack.v1.TrackService/GetTrack" → service TrackService, method
  // GetTrack; other paths are kept whole as the method.
  absl::string_view rest = path;
  if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) {
    m.method = std::string(rest);
  } else {
    absl::string_view service = rest.substr(0, slash);
    if (const size_t dot = service.rfind('.'); dot != absl::string_view::npos) {
      service.remove_prefix(dot + 1);
    }
    m.service = std::string(service);
    m.method = std::string(rest.substr(slash + 1));
  }
  return m;
}

void RpcMetrics::Started(absl::string_view path) {
  absl::MutexLock lock(&mu_);
  ++At(path).in_flight;
}

void RpcMetrics::Finished(absl::string_view path, grpc::StatusCode code,
                          absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  const size_t bucket =
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) -
      kBuckets.begin();
  absl::MutexLock lock(&mu_);
  PerMethod& m = At(path);
  --m.in_flight;
  ++m.by_code[static_cast<int>(code)];
  if (bucket < kBuckets.size()) ++m.buckets[bucket];
  ++m.count;
  m.seconds += seconds;
}

int64_t RpcMetrics::InFlight(absl::string_view method) const {
  absl::MutexLock lock(&mu_);
  int64_t n = 0;
  for (const auto& [path, m] : methods_) {
    if (m.method == method) n += m.in_flight;
  }
  return n;
}

void RpcMetrics::Render(std::string& out) const {
  absl::MutexLock lock(&mu_);
  // Sorted, so that the exposition is stable.
  std::map<std::string, const PerMethod*> sorted;
  for (const auto& [path, m] : methods_) sorted[path] = &m;
  auto labels = [](const PerMethod& m) {
    return absl::StrCat("service=\"", m.service, "\",method=\"", m.method,
                        "\"");
  };
  absl::StrAppend(&out,
                  "# HELP jobtrack_rpc_requests_total RPCs answered, by "
                  "method and status code.\n"
                  "# TYPE jobtrack_rpc_requests_total counter\n");
  for (const auto& [path, m] : sorted) {
    std::map<int, int64_t> codes(m->by_code.begin(), m->by_code.end());
    for (const auto& [code, n] : codes) {
      absl::StrAppend(&out, "jobtrack_rpc_requests_total{", labels(*m),
                      ",code=\"", CodeName(code), "\"} ", n, "\n");
    }
  }
  absl::StrAppend(&out,
                  "# HELP jobtrack_rpc_latency_seconds Time from the call's "
                  "start to its status, by method.\n"
                  "# TYPE jobtrack_rpc_latency_seconds histogram\n");
  for (const auto& [path, m] : sorted) {
    if (m->count == 0) continue;
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += m->buckets[i];
      absl::StrAppend(&out, "jobtrack_rpc_latency_seconds_bucket{", labels(*m),
                      ",le=\"", absl::StrFormat("%g", kBuckets[i]), "\"} ",
                      cumulative, "\n");
    }
    absl::StrAppend(&out, "jobtrack_rpc_latency_seconds_bucket{", labels(*m),
                    ",le=\"+Inf\"} ", m->count, "\n",
                    "jobtrack_rpc_latency_seconds_sum{", labels(*m), "} ",
                    absl::StrFormat("%.6f", m->seconds), "\n",
                    "jobtrack_rpc_latency_seconds_count{", labels(*m), "} ",
                    m->count, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP jobtrack_rpcs_in_flight Calls started and not yet "
                  "answered (open streams included).\n"
                  "# TYPE jobtrack_rpcs_in_flight gauge\n");
  for (const auto& [path, m] : sorted) {
    absl::StrAppend(&out, "jobtrack_rpcs_in_flight{", labels(*m), "} ",
                    m->in_flight, "\n");
  }
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::InterceptorFactory(RpcMetrics* metrics) {
  return std::make_unique<MetricsInterceptorFactory>(metrics);
}

}  // namespace jobtrack
