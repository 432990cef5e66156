// Small helpers every resource shares: etags and timestamps.
#ifndef JOBTRACK_SERVICES_COMMON_RESOURCE_H_
#define JOBTRACK_SERVICES_COMMON_RESOURCE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace jobtrack {

// SHA-256 (32 raw bytes) of `message`'s deterministic serialization, with the
// field named `skip_field` (if it exists) cleared first.
std::string DeterministicDigest(const google::protobuf::Message& message,
                                absl::string_view skip_field);

// A strong etag for the record's current content: 16 hex digits of SHA-256
// over its deterministic serialization with the `etag` field cleared.
std::string ComputeEtag(const google::protobuf::Message& record);

// Sets `etag` (a string field of that name) to ComputeEtag(record).
void StampEtag(google::protobuf::Message* record);

google::protobuf::Timestamp ToTimestamp(absl::Time time);

// ABORTED if `sent` is non-empty and differs from `current`.
absl::Status CheckEtag(absl::string_view sent, absl::string_view current,
                       absl::string_view name);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_RESOURCE_H_
