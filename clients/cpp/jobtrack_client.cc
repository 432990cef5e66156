#include "clients/cpp/jobtrack_client.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"

namespace jobtrack::client {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  if (!status.error_details().empty()) {
    out.SetPayload(kDetailsPayloadUrl, absl::Cord(status.error_details()));
  }
  return out;
}

bool EnsureRequestId(google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return false;
  }
  const google::protobuf::Reflection* reflection = request.GetReflection();
  if (!reflection->GetString(request, field).empty()) return true;
  // A version-4 UUID.
  absl::BitGen random;
  uint64_t high = absl::Uniform<uint64_t>(random);
  uint64_t low = absl::Uniform<uint64_t>(random);
  high = (high & ~0xF000ull) | 0x4000ull;
  low = (low & ~(0xC000ull << 48)) | (0x8000ull << 48);
  reflection->SetString(&request, field,
                        absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32,
                                        (high >> 16) & 0xFFFF, high & 0xFFFF,
                                        low >> 48, low & 0xFFFFFFFFFFFFull));
  return true;
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(ClientOptions options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("ClientOptions.target is empty");
  }
  if (options.max_attempts < 1) {
    return absl::InvalidArgumentError(
        "ClientOptions.max_attempts must be >= 1");
  }
  if (options.tls_cert_pem.empty() != options.tls_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "ClientOptions.tls_cert_pem and tls_key_pem go together");
  }
  if (!options.tls_cert_pem.empty() && options.tls_ca_pem.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs TLS: set ClientOptions.tls_ca_pem");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls_ca_pem.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_ca_pem;
    ssl.pem_cert_chain = options.tls_cert_pem;
    ssl.pem_private_key = options.tls_key_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.target, credentials, args);
  return std::unique_ptr<Client>(
      new Client(std::move(options), std::move(channel)));
}

Client::Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)), channel_(std::move(channel)) {}

std::unique_ptr<grpc::ClientContext> Client::NewStreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) {
    context->AddMetadata("authorization",
                         absl::StrCat("Bearer ", options_.token));
  }
  return context;
}

std::unique_ptr<grpc::ClientContext> Client::NewContext() const {
  std::unique_ptr<grpc::ClientContext> context = NewStreamContext();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
  return context;
}

absl::Status Client::Retry(
    const std::function<grpc::Status(grpc::ClientContext&)>& attempt) const {
  absl::BitGen random;
  absl::Duration backoff = options_.initial_backoff;
  for (int n = 1;; ++n) {
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    const grpc::Status status = attempt(*context);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        n >= options_.max_attempts) {
      return FromGrpc(status);
    }
    const absl::Duration wait =
        backoff * absl::Uniform<double>(random, 0.5, 1.0);
    if (options_.sleep) {
      options_.sleep(wait);
    } else {
      absl::SleepFor(wait);
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace jobtrack::client
