#include "services/common/field_mask.h"

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/errors.h"

namespace jobtrack {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using google::protobuf::util::FieldMaskUtil;

// The effective mask, or an error.
absl::StatusOr<FieldMask> Resolve(
    const Message& patch, const FieldMask& mask,
    const absl::flat_hash_set<std::string>& updatable) {
  FieldMask resolved;
  const auto* descriptor = patch.GetDescriptor();
  const auto* reflection = patch.GetReflection();
  const bool all = mask.paths_size() == 1 && mask.paths(0) == "*";
  if (mask.paths_size() == 0 || all) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (!updatable.contains(field->name())) continue;
      const bool populated = field->is_repeated()
                                 ? reflection->FieldSize(patch, field) > 0
                                 : reflection->HasField(patch, field);
      if (all || populated) resolved.add_paths(field->name());
    }
    return resolved;
  }
  for (const std::string& path : mask.paths()) {
    const std::string top = path.substr(0, path.find('.'));
    if (path == "*") {
      return InvalidField("update_mask", "`*` must be the only path");
    }
    if (!FieldMaskUtil::GetFieldDescriptors(descriptor, path, nullptr)) {
      return InvalidField("update_mask",
                          absl::StrCat("unknown field `", path, "`"));
    }
    if (!updatable.contains(top)) {
      return InvalidField("update_mask",
                          absl::StrCat("field `", path, "` cannot be updated"));
    }
    resolved.add_paths(path);
  }
  return resolved;
}

}  // namespace

absl::Status ApplyUpdateMask(const Message& patch, const FieldMask& mask,
                             const absl::flat_hash_set<std::string>& updatable,
                             Message* target) {
  absl::StatusOr<FieldMask> resolved = Resolve(patch, mask, updatable);
  if (!resolved.ok()) return resolved.status();
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(patch, *resolved, options, target);
  return absl::OkStatus();
}

bool MaskTouches(const Message& patch, const FieldMask& mask,
                 const absl::flat_hash_set<std::string>& updatable,
                 const std::string& field) {
  absl::StatusOr<FieldMask> resolved = Resolve(patch, mask, updatable);
  if (!resolved.ok()) return false;
  for (const std::string& path : resolved->paths()) {
    if (path == field || absl::StartsWith(path, field + ".")) return true;
  }
  return false;
}

}  // namespace jobtrack
