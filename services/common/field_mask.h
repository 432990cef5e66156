// Update masks (AIP-134).
#ifndef JOBTRACK_SERVICES_COMMON_FIELD_MASK_H_
#define JOBTRACK_SERVICES_COMMON_FIELD_MASK_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace jobtrack {

// Copies the fields named by `mask` from `patch` into `target` (same message
// type), replacing messages and repeated fields whole. An empty mask means
// every updatable field that is populated in `patch`; "*" means every
// updatable field. A path may name a sub-field of an updatable field
// ("requirements.driving_licence"). INVALID_ARGUMENT naming `update_mask`
// for an unknown or non-updatable path; `target` is then unchanged.
absl::Status ApplyUpdateMask(const google::protobuf::Message& patch,
                             const google::protobuf::FieldMask& mask,
                             const absl::flat_hash_set<std::string>& updatable,
                             google::protobuf::Message* target);

// True if `mask` (after the rules above) touches `field`.
bool MaskTouches(const google::protobuf::Message& patch,
                 const google::protobuf::FieldMask& mask,
                 const absl::flat_hash_set<std::string>& updatable,
                 const std::string& field);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_FIELD_MASK_H_
