// jobtrack C++ client: a channel with credentials, and calls that return
// absl::StatusOr, each with a deadline, retried with exponential backoff
// when the server is UNAVAILABLE.
//
// Contract:
// - Thread safety: a Client may be used from many threads at once.
// - Retries: only UNAVAILABLE is retried (the call did not reach the
//   service, or the service could not take it), up to
//   ClientOptions::max_attempts. A request with a `request_id` field that
//   is empty gets a fresh UUID before the first attempt, and every retry
//   sends that same id, so a write that did land the first time is not
//   done twice (the server answers the retry with the first response).
// - Errors: the server's status as an absl::Status with the same code and
//   message; its google.rpc.Status details (BadRequest field violations,
//   ErrorInfo) are kept as the payload kDetailsPayloadUrl.
//
// Example:
//   jobtrack::client::ClientOptions options;
//   options.target = "jobtrack.example:50051";
//   options.tls_ca_pem = ReadFile("ca.pem");
//   options.token = ReadFile("anna.token");
//   auto client = jobtrack::client::Client::Connect(options);
//   v1::GetTrackRequest get;
//   get.set_name("tracks/abc");
//   absl::StatusOr<v1::Track> track =
//       (*client)->Call(&v1::TrackService::Stub::GetTrack, get);
#ifndef JOBTRACK_CLIENTS_CPP_JOBTRACK_CLIENT_H_
#define JOBTRACK_CLIENTS_CPP_JOBTRACK_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "jobtrack/v1/admin.grpc.pb.h"
#include "jobtrack/v1/agreement.grpc.pb.h"
#include "jobtrack/v1/audit.grpc.pb.h"
#include "jobtrack/v1/change_service.grpc.pb.h"
#include "jobtrack/v1/employer.grpc.pb.h"
#include "jobtrack/v1/followup.grpc.pb.h"
#include "jobtrack/v1/matching.grpc.pb.h"
#include "jobtrack/v1/module.grpc.pb.h"
#include "jobtrack/v1/participant.grpc.pb.h"
#include "jobtrack/v1/participation_service.grpc.pb.h"
#include "jobtrack/v1/supplier.grpc.pb.h"
#include "jobtrack/v1/track.grpc.pb.h"

namespace jobtrack::client {

// The payload URL under which a failed call's google.rpc.Status (its
// details) is kept.
inline constexpr char kDetailsPayloadUrl[] =
    "type.googleapis.com/google.rpc.Status";

struct ClientOptions {
  // host:port of jobtrackd.
  std::string target = "127.0.0.1:50051";
  // TLS: the CA that signed the server's certificate (PEM). Empty: a
  // plaintext channel (local development only).
  std::string tls_ca_pem;
  // Mutual TLS: the client's certificate chain and key (PEM).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // Overrides the name checked against the server's certificate.
  std::string tls_server_name;
  // Sent as `authorization: Bearer <token>` when not empty.
  std::string token;
  // Each attempt's deadline.
  absl::Duration deadline = absl::Seconds(30);
  // Attempts in all (1: no retries).
  int max_attempts = 4;
  // The wait before the first retry, doubled each time up to max_backoff,
  // each wait jittered down by up to half so that clients spread out.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  // How to wait between attempts; absl::SleepFor if empty (tests inject).
  std::function<void(absl::Duration)> sleep;
};

// A gRPC status as an absl::Status (same code and message, details kept).
absl::Status FromGrpc(const grpc::Status& status);

// Sets `request`'s `request_id` to a fresh UUID if it has that field and it
// is empty. True if the request has such a field.
bool EnsureRequestId(google::protobuf::Message& request);

class Client {
 public:
  // INVALID_ARGUMENT if the options are inconsistent (a key without a
  // certificate, no target, max_attempts < 1).
  static absl::StatusOr<std::unique_ptr<Client>> Connect(ClientOptions options);

  // Calls `method` of the service's stub with `request`, as the contract
  // says. `method` is the stub's synchronous method, e.g.
  // &v1::TrackService::Stub::GetTrack.
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                   Response*),
      Request request) {
    EnsureRequestId(request);
    Stub stub(channel_);
    Response response;
    absl::Status status = Retry([&](grpc::ClientContext& context) {
      response.Clear();
      return (stub.*method)(&context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // A context with the deadline and credentials of one attempt.
  std::unique_ptr<grpc::ClientContext> NewContext() const;
  // A context with the credentials and no deadline, for streams that run
  // as long as the caller reads (exports, the change stream).
  std::unique_ptr<grpc::ClientContext> NewStreamContext() const;

 private:
  Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel);
  // Runs `attempt` until it is not UNAVAILABLE or attempts run out.
  absl::Status Retry(
      const std::function<grpc::Status(grpc::ClientContext&)>& attempt) const;

  const ClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace jobtrack::client

#endif  // JOBTRACK_CLIENTS_CPP_JOBTRACK_CLIENT_H_
