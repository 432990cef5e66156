// MetricsHttpServer: the Prometheus text exposition over plain HTTP on its
// own port (`GET /metrics`), apart from the gRPC port, so that a scraper
// needs neither gRPC nor a token. It serves nothing else: no request data,
// no personal data, only counts.
//
// Thread safety: one thread of its own answers the requests, one at a
// time; the destructor stops it.
#ifndef JOBTRACK_SERVICES_METRICS_METRICS_HTTP_SERVER_H_
#define JOBTRACK_SERVICES_METRICS_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

class MetricsHttpServer {
 public:
  // Listens on `address` ("host:port": an IPv4 address, "localhost", or
  // "[IPv6]"; port 0 picks a free one). `render` returns the exposition; it
  // is called on the server's thread for each scrape. UNAVAILABLE if the
  // address cannot be bound, INVALID_ARGUMENT if it is malformed.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      absl::string_view address, std::function<std::string()> render);
  ~MetricsHttpServer();

  int port() const { return port_; }

 private:
  MetricsHttpServer(int fd, int port, std::function<std::string()> render);
  void Serve();
  void Answer(int connection);

  const int fd_;
  const int port_;
  const std::function<std::string()> render_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_METRICS_METRICS_HTTP_SERVER_H_
