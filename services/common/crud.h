// Crud<T>: the standard methods (AIP-131..135) for a top-level resource
// collection, with validation, etags, update masks, request ids and list
// filters. A resource supplies its rules by overriding the hooks.
//
// Thread-safe: all state is in storage.
#ifndef JOBTRACK_SERVICES_COMMON_CRUD_H_
#define JOBTRACK_SERVICES_COMMON_CRUD_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/common/deps.h"
#include "services/common/errors.h"
#include "services/common/field_mask.h"
#include "services/common/ids.h"
#include "services/common/list_query.h"
#include "services/common/mutation.h"
#include "services/common/record_table.h"
#include "services/common/resource.h"

namespace jobtrack {

// INVALID_ARGUMENT naming `field` unless `name` is `<collection>/<id>`.
absl::Status CheckResourceName(absl::string_view name,
                               absl::string_view collection,
                               const std::string& field);

// INVALID_ARGUMENT naming `field` unless `name` is
// `<parent_collection>/<id>/<collection>/<id>`; a top-level resource has an
// empty `parent_collection`.
absl::Status CheckNestedName(absl::string_view name,
                             absl::string_view parent_collection,
                             absl::string_view collection,
                             const std::string& field);

// FAILED_PRECONDITION (reason RESOURCE_IN_USE) with `message` if any record
// of `collection` carries `term`, e.g. a track naming an employer.
absl::Status RefuseIfReferenced(storage::Reader& reader,
                                absl::string_view collection,
                                absl::string_view term, std::string message);

template <typename T>
class Crud {
 public:
  struct Spec {
    std::string collection;  // "employers", or "intakes" under a parent
    // For a nested resource, the parent's collection ("tracks"); else empty.
    std::string parent_collection;
    std::string field;  // "employer": the request field of the resource
    absl::flat_hash_set<std::string> updatable;
    std::vector<FilterField> filters;
  };

  Crud(Deps deps, Spec spec, RecordTable<T> table)
      : deps_(deps), spec_(std::move(spec)), table_(std::move(table)) {}
  virtual ~Crud() = default;

  // `parent` is empty for a top-level resource.
  absl::StatusOr<T> Create(const CallContext& context,
                           const google::protobuf::Message& request,
                           absl::string_view parent, const T& resource,
                           absl::string_view request_id) {
    if (absl::Status s = CheckParent(parent); !s.ok()) return s;
    FieldViolations violations;
    Validate(resource, /*creating=*/true, violations);
    if (!violations.empty()) return violations.ToStatus();
    return RunMutation<T>(
        deps_, context, request, request_id,
        [&](storage::Transaction& txn) -> absl::StatusOr<T> {
          T record = resource;
          record.set_name(
              absl::StrCat(CollectionOf(parent), "/", deps_.ids->NewId()));
          if (absl::Status s = Prepare(txn, record, nullptr); !s.ok()) return s;
          const auto now = ToTimestamp(deps_.clock->Now());
          *record.mutable_create_time() = now;
          *record.mutable_update_time() = now;
          StampEtag(&record);
          if (absl::Status s = table_.Insert(txn, record); !s.ok()) return s;
          OnWrite(txn, context, nullptr, record);
          return Present(std::move(record));
        });
  }

  absl::StatusOr<T> Get(absl::string_view name) {
    if (absl::Status s = CheckName(name, "name"); !s.ok()) return s;
    std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
    absl::StatusOr<T> record = table_.Get(*reader, name);
    if (!record.ok()) return record.status();
    return Present(*std::move(record));
  }

  absl::StatusOr<std::pair<std::vector<T>, std::string>> List(
      absl::string_view parent, int page_size, absl::string_view page_token,
      absl::string_view filter) {
    if (absl::Status s = CheckParent(parent); !s.ok()) return s;
    const std::string collection = CollectionOf(parent);
    absl::StatusOr<ListQuery> query = ParseListQuery(
        page_size, page_token, filter, collection, spec_.filters);
    if (!query.ok()) return query.status();
    std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
    if (!parent.empty()) {
      absl::string_view parent_collection, parent_id;
      storage::SplitName(parent, &parent_collection, &parent_id);
      absl::StatusOr<std::optional<std::string>> found =
          reader->Get(storage::Column::kRecords,
                      storage::RecordKey(parent_collection, parent_id));
      if (!found.ok()) return found.status();
      if (!found->has_value()) return ResourceNotFound(parent);
    }
    std::string next;
    absl::StatusOr<std::vector<T>> page =
        table_.List(*reader, collection, *query, &next);
    if (!page.ok()) return page.status();
    for (T& record : *page) record = Present(std::move(record));
    return std::make_pair(*std::move(page), std::move(next));
  }

  absl::StatusOr<T> Update(const CallContext& context,
                           const google::protobuf::Message& request,
                           const T& patch,
                           const google::protobuf::FieldMask& mask,
                           absl::string_view request_id) {
    if (absl::Status s =
            CheckName(patch.name(), absl::StrCat(spec_.field, ".name"));
        !s.ok()) {
      return s;
    }
    {
      // Reject a bad mask before touching storage.
      T scratch;
      if (absl::Status s =
              ApplyUpdateMask(patch, mask, spec_.updatable, &scratch);
          !s.ok()) {
        return s;
      }
    }
    return RunMutation<T>(
        deps_, context, request, request_id,
        [&](storage::Transaction& txn) -> absl::StatusOr<T> {
          absl::StatusOr<T> current = table_.GetForUpdate(txn, patch.name());
          if (!current.ok()) return current.status();
          if (absl::Status s =
                  CheckEtag(patch.etag(), current->etag(), patch.name());
              !s.ok()) {
            return s;
          }
          T next = *current;
          if (absl::Status s =
                  ApplyUpdateMask(patch, mask, spec_.updatable, &next);
              !s.ok()) {
            return s;
          }
          FieldViolations violations;
          Validate(next, /*creating=*/false, violations);
          if (!violations.empty()) return violations.ToStatus();
          if (absl::Status s = Prepare(txn, next, &*current); !s.ok()) return s;
          *next.mutable_update_time() = ToTimestamp(deps_.clock->Now());
          StampEtag(&next);
          if (absl::Status s = table_.Replace(txn, *current, next); !s.ok()) {
            return s;
          }
          OnWrite(txn, context, &*current, next);
          return Present(std::move(next));
        });
  }

  absl::StatusOr<google::protobuf::Empty> Delete(
      const CallContext& context, const google::protobuf::Message& request,
      absl::string_view name, absl::string_view etag,
      absl::string_view request_id) {
    if (absl::Status s = CheckName(name, "name"); !s.ok()) return s;
    return RunMutation<google::protobuf::Empty>(
        deps_, context, request, request_id,
        [&](storage::Transaction& txn)
            -> absl::StatusOr<google::protobuf::Empty> {
          absl::StatusOr<T> current = table_.GetForUpdate(txn, name);
          if (!current.ok()) return current.status();
          if (absl::Status s = CheckEtag(etag, current->etag(), name);
              !s.ok()) {
            return s;
          }
          if (absl::Status s = CheckDeletable(txn, *current); !s.ok()) return s;
          if (absl::Status s = table_.Remove(txn, *current); !s.ok()) return s;
          return google::protobuf::Empty();
        });
  }

  const RecordTable<T>& table() const { return table_; }

  // The collection path of records under `parent` (empty for top level).
  std::string CollectionOf(absl::string_view parent) const {
    return parent.empty() ? spec_.collection
                          : absl::StrCat(parent, "/", spec_.collection);
  }

  absl::Status CheckName(absl::string_view name,
                         const std::string& field) const {
    return CheckNestedName(name, spec_.parent_collection, spec_.collection,
                           field);
  }

 protected:
  // Adds a violation for every invalid field (paths start with spec.field).
  // On update `creating` is false and immutable fields are not checked.
  virtual void Validate(const T& resource, bool creating,
                        FieldViolations& violations) const = 0;
  // Last step before the write, inside the transaction: normalize fields,
  // check references. `old` is null on create.
  virtual absl::Status Prepare(storage::Transaction& /*txn*/, T& /*record*/,
                               const T* /*old*/) const {
    return absl::OkStatus();
  }
  // Called after a create (`old` null) or update is written, inside the
  // transaction: the place to append events.
  virtual void OnWrite(storage::Transaction& /*txn*/,
                       const CallContext& /*context*/, const T* /*old*/,
                       const T& /*record*/) const {}
  // FAILED_PRECONDITION if something still refers to the record.
  virtual absl::Status CheckDeletable(storage::Transaction& /*txn*/,
                                      const T& /*record*/) const {
    return absl::OkStatus();
  }
  // The record as callers see it (internal fields removed).
  virtual T Present(T record) const { return record; }

  // INVALID_ARGUMENT naming `parent` unless it fits the spec.
  absl::Status CheckParent(absl::string_view parent) const {
    if (spec_.parent_collection.empty()) {
      if (!parent.empty()) return InvalidField("parent", "must be empty");
      return absl::OkStatus();
    }
    return CheckResourceName(parent, spec_.parent_collection, "parent");
  }

  const Deps deps_;
  const Spec spec_;
  const RecordTable<T> table_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_CRUD_H_
