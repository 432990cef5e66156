#include "services/audit/audit_log.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/errors.h"
#include "services/common/list_query.h"
#include "services/common/resource.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

constexpr absl::string_view kCollection = "auditEvents";
// A page reads at most this many entries, so a filter that matches rarely
// cannot make one call scan the whole log; the page then comes back short
// with a token to resume from.
constexpr int kMaxScannedPerPage = 20000;
// Latest Timestamp proto3 allows: 9999-12-31T23:59:59Z.
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// The collections whose names the resource index holds (see the header).
constexpr absl::string_view kIndexedCollections[] = {
    "participants/", "participations/", "employers/", "suppliers/"};

bool IsIndexedResource(absl::string_view resource) {
  for (absl::string_view prefix : kIndexedCollections) {
    if (absl::StartsWith(resource, prefix)) return true;
  }
  return false;
}

std::optional<std::string> Bounded(absl::string_view value, size_t max) {
  if (value.empty() || value.size() > max) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> StatusCodeName(absl::string_view value) {
  for (int code = 0; code <= 16; ++code) {
    const std::string name =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    if (name == value) return name;
  }
  return std::nullopt;
}

// Microseconds since the epoch of a valid Timestamp; nullopt if invalid.
std::optional<int64_t> Micros(const google::protobuf::Timestamp& t) {
  if (t.seconds() < 0 || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return std::nullopt;
  }
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

bool Matches(const v1::AuditEvent& entry,
             const std::vector<std::string>& terms) {
  for (const std::string& term : terms) {
    const size_t eq = term.find('=');
    const absl::string_view field = absl::string_view(term).substr(0, eq);
    const absl::string_view value = absl::string_view(term).substr(eq + 1);
    if (field == "principal" && entry.principal() != value) return false;
    if (field == "method" && entry.method() != value) return false;
    if (field == "result" && entry.result() != value) return false;
    if (field == "resource" &&
        std::find(entry.resources().begin(), entry.resources().end(), value) ==
            entry.resources().end()) {
      return false;
    }
  }
  return true;
}

}  // namespace

AuditLog::AuditLog(storage::Storage* storage, const Clock* clock,
                   uint64_t next_sequence)
    : storage_(storage), clock_(clock), next_sequence_(next_sequence) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    storage::Storage* storage, const Clock* clock) {
  absl::StatusOr<std::optional<std::string>> last =
      storage->LastKey(storage::Column::kAudit);
  if (!last.ok()) return last.status();
  const uint64_t next =
      last->has_value() ? storage::AuditKeySequence(**last) + 1 : 1;
  return std::unique_ptr<AuditLog>(new AuditLog(storage, clock, next));
}

std::vector<storage::Storage::Put> AuditLog::WritesOf(
    v1::AuditEvent entry) const {
  const absl::Time now = clock_->Now();
  std::string key =
      storage::AuditKey(absl::ToUnixMicros(now), next_sequence_.fetch_add(1));
  const std::string id = absl::BytesToHexString(key);
  entry.set_name(absl::StrCat(kCollection, "/", id));
  *entry.mutable_time() = ToTimestamp(now);
  std::vector<storage::Storage::Put> writes;
  writes.push_back(
      {storage::Column::kAudit, std::move(key), entry.SerializeAsString()});
  for (const std::string& resource : entry.resources()) {
    if (!IsIndexedResource(resource)) continue;
    writes.push_back(
        {storage::Column::kIndex,
         storage::IndexKey(kCollection, Term("resource", resource), id), ""});
  }
  return writes;
}

absl::Status AuditLog::AddToCommit(storage::Transaction& txn,
                                   v1::AuditEvent entry) const {
  for (const storage::Storage::Put& put : WritesOf(std::move(entry))) {
    if (absl::Status s = txn.Put(put.column, put.key, put.value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status AuditLog::Append(v1::AuditEvent entry) const {
  // Its keys are new and its own: no transaction needs to lock them.
  return storage_->Append(WritesOf(std::move(entry)),
                          storage::Durability::kBuffered);
}

absl::StatusOr<v1::ListAuditEventsResponse> AuditLog::List(
    const v1::ListAuditEventsRequest& request) const {
  int64_t start = 0;
  int64_t end = std::numeric_limits<int64_t>::max();
  if (request.has_start_time()) {
    std::optional<int64_t> micros = Micros(request.start_time());
    if (!micros) return InvalidField("start_time", "is not a valid time");
    start = *micros;
  }
  if (request.has_end_time()) {
    std::optional<int64_t> micros = Micros(request.end_time());
    if (!micros) return InvalidField("end_time", "is not a valid time");
    end = *micros;
    if (end <= start)
      return InvalidField("end_time", "must be after start_time");
  }
  const std::vector<FilterField> fields = {
      {"principal", [](absl::string_view v) { return Bounded(v, 200); }},
      {"method", [](absl::string_view v) { return Bounded(v, 100); }},
      {"resource", [](absl::string_view v) { return Bounded(v, 300); }},
      {"result", StatusCodeName},
  };
  // The time range belongs to the query, so a token works only with it.
  absl::StatusOr<ListQuery> query = ParseListQuery(
      request.page_size(), request.page_token(), request.filter(),
      absl::StrCat(kCollection, "@", start, "-", end), fields);
  if (!query.ok()) return query.status();
  std::string after_key;
  if (!query->start_after.empty()) {
    after_key = absl::HexStringToBytes(query->start_after);
    if (after_key.size() != 16) {
      return InvalidField("page_token", "is not a token this service issued");
    }
  } else if (start > 0) {
    after_key =
        storage::AuditKey(start - 1, std::numeric_limits<uint64_t>::max());
  }
  // An indexed resource is read through the index; any other filter by
  // the log's own order (Matches applies every term either way).
  std::optional<std::string> resource;
  for (const std::string& term : query->terms) {
    if (absl::StartsWith(term, "resource=") &&
        IsIndexedResource(absl::string_view(term).substr(9))) {
      resource = term.substr(9);
    }
  }

  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  v1::ListAuditEventsResponse response;
  std::string last_key;
  int scanned = 0;
  bool more = false;
  absl::Status failure;
  // Visits one entry; false stops the scan.
  auto visit = [&](absl::string_view key, absl::string_view value) {
    if (storage::AuditKey(end, 0) <= key) return false;
    if (response.audit_events_size() >= query->page_size ||
        scanned >= kMaxScannedPerPage) {
      more = true;
      return false;
    }
    ++scanned;
    last_key = std::string(key);
    v1::AuditEvent entry;
    if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      failure = absl::DataLossError(absl::StrCat(
          "audit entry ", absl::BytesToHexString(key), " is unreadable"));
      return false;
    }
    if (Matches(entry, query->terms)) {
      *response.add_audit_events() = std::move(entry);
    }
    return true;
  };
  absl::Status s;
  if (resource) {
    // Through the resource's index entries, which are in key order too.
    const std::string prefix =
        storage::IndexPrefix(kCollection, Term("resource", *resource));
    s = reader->Scan(
        storage::Column::kIndex, prefix,
        after_key.empty()
            ? ""
            : absl::StrCat(prefix, absl::BytesToHexString(after_key)),
        [&](absl::string_view index_key, absl::string_view) {
          const std::string key =
              absl::HexStringToBytes(storage::IndexKeyId(index_key));
          if (key <= after_key) return true;  // Before start_time.
          absl::StatusOr<std::optional<std::string>> value =
              reader->Get(storage::Column::kAudit, key);
          if (!value.ok()) {
            failure = value.status();
            return false;
          }
          if (!value->has_value()) return true;
          return visit(key, **value);
        });
  } else {
    s = reader->Scan(storage::Column::kAudit, "", after_key, visit);
  }
  if (!s.ok()) return s;
  if (!failure.ok()) return failure;
  if (more) {
    response.set_next_page_token(
        MakePageToken(*query, absl::BytesToHexString(last_key)));
  }
  return response;
}

}  // namespace jobtrack
