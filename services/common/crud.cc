#include "services/common/crud.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

absl::Status CheckResourceName(absl::string_view name,
                               absl::string_view collection,
                               const std::string& field) {
  if (name.empty()) return InvalidField(field, "is required");
  if (!absl::StartsWith(name, collection) ||
      name.size() <= collection.size() + 1 || name[collection.size()] != '/' ||
      !IsValidId(name.substr(collection.size() + 1))) {
    return InvalidField(field, absl::StrCat("must be `", collection, "/{id}`"));
  }
  return absl::OkStatus();
}

absl::Status RefuseIfReferenced(storage::Reader& reader,
                                absl::string_view collection,
                                absl::string_view term, std::string message) {
  bool found = false;
  absl::Status s = reader.Scan(storage::Column::kIndex,
                               storage::IndexPrefix(collection, term), "",
                               [&](absl::string_view, absl::string_view) {
                                 found = true;
                                 return false;
                               });
  if (!s.ok()) return s;
  if (found) return Precondition("RESOURCE_IN_USE", std::move(message));
  return absl::OkStatus();
}

absl::Status CheckNestedName(absl::string_view name,
                             absl::string_view parent_collection,
                             absl::string_view collection,
                             const std::string& field) {
  if (parent_collection.empty()) {
    return CheckResourceName(name, collection, field);
  }
  const absl::string_view::size_type child = name.rfind('/');
  const absl::string_view::size_type mid =
      child == absl::string_view::npos || child == 0
          ? absl::string_view::npos
          : name.rfind('/', child - 1);
  if (name.empty()) return InvalidField(field, "is required");
  if (mid == absl::string_view::npos ||
      name.substr(mid + 1, child - mid - 1) != collection ||
      !CheckResourceName(name.substr(0, mid), parent_collection, field).ok() ||
      !IsValidId(name.substr(child + 1))) {
    return InvalidField(field, absl::StrCat("must be `", parent_collection,
                                            "/{id}/", collection, "/{id}`"));
  }
  return absl::OkStatus();
}

}  // namespace jobtrack
