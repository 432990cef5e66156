// The jobtrack gRPC server: every service, health checking and reflection
// on one gRPC callback server. Used by jobtrackd and by in-process tests.
#ifndef JOBTRACK_SERVICES_SERVER_SERVER_H_
#define JOBTRACK_SERVICES_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/deps.h"
#include "services/followup/followup.h"
#include "services/followup/report_projection.h"
#include "services/matching/matching_index.h"
#include "services/matching/scoring.h"
#include "services/metrics/metrics_http_server.h"
#include "services/metrics/rpc_metrics.h"

namespace jobtrack {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Largest request accepted, in bytes (larger: RESOURCE_EXHAUSTED).
  int max_receive_message_bytes = 4 << 20;
  // HTTP/2 streams (calls) one connection may have open at once.
  int max_streams_per_connection = 256;
  // Memory gRPC may use for connections and their buffers (its resource
  // quota); beyond it gRPC refuses new work rather than grow.
  int64_t grpc_memory_bytes = int64_t{256} << 20;
  MatchingWeights matching;
  FollowUpConfig follow_up;
  // Where AdminService puts backups; empty: backups are off.
  std::string backup_dir;
  // host:port of the Prometheus exposition (GET /metrics); empty: off.
  std::string metrics_listen;
  // Appends process-wide figures to the exposition, in the Prometheus text
  // format (jobtrackd: its allocator's). Called on the metrics thread, so
  // it must be thread-safe. Empty: none.
  std::function<void(std::string&)> process_metrics;
  // host:port of a plaintext port that serves gRPC health checking and
  // nothing else, for probes that cannot speak TLS (Kubernetes' gRPC
  // probe; ruling 9.6). Bind it to a pod-local address. Empty: off.
  std::string health_listen;
};

// Owns the services; does not own what `deps` points to.
class Server {
 public:
  // Builds and starts the server. UNAVAILABLE if the address cannot be
  // bound; a storage error if the matching index cannot be loaded.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, Deps deps,
      std::shared_ptr<grpc::ServerCredentials> credentials);
  ~Server();  // Shuts down (see Shutdown) if still running.

  int port() const { return port_; }
  // The health-only port (0 if off).
  int health_port() const { return health_port_; }
  // The metrics port (0 if metrics are off).
  int metrics_port() const {
    return metrics_http_ == nullptr ? 0 : metrics_http_->port();
  }
  // Stops accepting calls, lets calls in flight finish until `deadline`,
  // then cancels what is left. Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();
  // What gRPC health checking answers (SERVING or NOT_SERVING), on the
  // main port and the health-only port.
  void SetServing(bool serving);
  // Saves the matching index's checkpoint while serving, then flushes the
  // memtables (so that a restart does not replay the checkpoint from the
  // WAL), bounding what a start after a crash must re-read to what was
  // written since. The report projection's is saved only at a stop: its
  // body (hundreds of MB) would pass through the WAL and memtables in
  // one commit. Not concurrently with Shutdown.
  absl::Status SaveCheckpointsWhileServing();

 private:
  Server() = default;
  // The Prometheus exposition: RPCs, change-stream subscribers,
  // participations by state, RocksDB, resident memory, and
  // ServerOptions::process_metrics.
  std::string RenderMetrics();

  // Used by the matching and follow-up services; declared first so they go
  // last.
  std::unique_ptr<MatchingIndex> matching_index_;
  std::unique_ptr<ReportProjection> report_projection_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  // The health-only server (health_listen), if any.
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;
  storage::Storage* storage_ = nullptr;
  RpcMetrics rpc_metrics_;
  // Counting participations reads an index; a scrape reuses a count for
  // up to kCountTtl.
  absl::Time counted_ = absl::InfinitePast();
  std::vector<std::pair<std::string, int64_t>> participation_counts_;
  std::function<void(std::string&)> process_metrics_;
  // Declared last: stopped first.
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  bool shut_down_ = false;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SERVER_SERVER_H_
