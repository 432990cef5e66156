// RecordTable: one collection of resources of message type T in storage,
// with its secondary index terms and unique terms kept in the same
// transaction as the record.
//
// T is a generated message with a `name()` field holding the resource name
// (`employers/{id}`, `tracks/{t}/intakes/{id}`). Thread-compatible: a table
// holds no state beyond its term functions.
#ifndef JOBTRACK_SERVICES_COMMON_RECORD_TABLE_H_
#define JOBTRACK_SERVICES_COMMON_RECORD_TABLE_H_

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/errors.h"
#include "services/common/list_query.h"
#include "storage/keys.h"
#include "storage/storage.h"

namespace jobtrack {

template <typename T>
class RecordTable {
 public:
  using Terms = std::function<std::vector<std::string>(const T&)>;

  // `index_terms` are the filterable terms of a record; `unique_terms` must
  // belong to at most one record of the collection, and `unique_what` says
  // what clashed ("an employer with this organisation number").
  RecordTable(Terms index_terms, Terms unique_terms = nullptr,
              std::string unique_what = "")
      : index_terms_(std::move(index_terms)),
        unique_terms_(std::move(unique_terms)),
        unique_what_(std::move(unique_what)) {}

  // NOT_FOUND if there is no such record.
  absl::StatusOr<T> Get(storage::Reader& reader, absl::string_view name) const {
    std::string key;
    if (absl::Status s = KeyOf(name, &key); !s.ok()) return s;
    return Decode(name, reader.Get(storage::Column::kRecords, key));
  }

  // Record `name` from its stored bytes (a commit observer's value);
  // DATA_LOSS if they do not parse.
  static absl::StatusOr<T> Parse(absl::string_view name,
                                 absl::string_view bytes) {
    T record;
    if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(absl::StrCat("unreadable record ", name));
    }
    return record;
  }

  // As Get, and locks the record until the transaction ends.
  absl::StatusOr<T> GetForUpdate(storage::Transaction& txn,
                                 absl::string_view name) const {
    std::string key;
    if (absl::Status s = KeyOf(name, &key); !s.ok()) return s;
    return Decode(name, txn.GetForUpdate(storage::Column::kRecords, key));
  }
  // The same with a shared lock (storage::Transaction::GetForShare).
  absl::StatusOr<T> GetForShare(storage::Transaction& txn,
                                absl::string_view name) const {
    std::string key;
    if (absl::Status s = KeyOf(name, &key); !s.ok()) return s;
    return Decode(name, txn.GetForShare(storage::Column::kRecords, key));
  }

  // Writes a new record and its terms. ALREADY_EXISTS if a unique term is
  // taken.
  absl::Status Insert(storage::Transaction& txn, const T& record) const {
    return Write(txn, nullptr, record);
  }

  // Replaces `old` (read in this transaction) by `updated`, moving terms.
  absl::Status Replace(storage::Transaction& txn, const T& old,
                       const T& updated) const {
    return Write(txn, &old, updated);
  }

  absl::Status Remove(storage::Transaction& txn, const T& record) const {
    absl::string_view collection, id;
    storage::SplitName(record.name(), &collection, &id);
    for (const std::string& term : Terms_(index_terms_, record)) {
      absl::Status s = txn.Delete(storage::Column::kIndex,
                                  storage::IndexKey(collection, term, id));
      if (!s.ok()) return s;
    }
    for (const std::string& term : Terms_(unique_terms_, record)) {
      absl::Status s = txn.Delete(storage::Column::kIndex,
                                  storage::UniqueKey(collection, term));
      if (!s.ok()) return s;
    }
    return txn.Delete(storage::Column::kRecords,
                      storage::RecordKey(collection, id));
  }

  // Every record of `collection`, in id order. For whole-collection loads
  // (start-up views, reports); callers that page use List.
  absl::StatusOr<std::vector<T>> All(storage::Reader& reader,
                                     absl::string_view collection) const {
    std::vector<T> records;
    absl::Status inner = absl::OkStatus();
    absl::Status s = reader.Scan(
        storage::Column::kRecords, storage::RecordPrefix(collection), "",
        [&](absl::string_view key, absl::string_view bytes) {
          if (!records.emplace_back().ParseFromArray(
                  bytes.data(), static_cast<int>(bytes.size()))) {
            inner = absl::DataLossError(absl::StrCat(
                "unreadable record ", storage::RecordKeyName(key)));
            return false;
          }
          return true;
        });
    if (!s.ok()) return s;
    if (!inner.ok()) return inner;
    return records;
  }

  // One page of `collection` matching every term of `query`, in id order;
  // `next` gets the next page token, or empty on the last page.
  absl::StatusOr<std::vector<T>> List(storage::Reader& reader,
                                      absl::string_view collection,
                                      const ListQuery& query,
                                      std::string* next) const {
    std::vector<T> page;
    absl::Status inner = absl::OkStatus();
    std::string last_id;
    bool more = false;
    auto take = [&](absl::string_view id, absl::string_view bytes) -> bool {
      if (static_cast<int>(page.size()) == query.page_size) {
        more = true;
        return false;
      }
      T record;
      if (!record.ParseFromArray(bytes.data(),
                                 static_cast<int>(bytes.size()))) {
        inner = absl::DataLossError(absl::StrCat("unreadable record ", id));
        return false;
      }
      if (!query.terms.empty()) {
        const std::vector<std::string> terms = Terms_(index_terms_, record);
        const absl::flat_hash_set<std::string> have(terms.begin(), terms.end());
        for (const std::string& term : query.terms) {
          if (!have.contains(term)) return true;
        }
      }
      last_id = std::string(id);
      page.push_back(std::move(record));
      return true;
    };
    absl::Status s;
    if (query.terms.empty()) {
      const std::string prefix = storage::RecordPrefix(collection);
      s = reader.Scan(storage::Column::kRecords, prefix,
                      query.start_after.empty()
                          ? std::string()
                          : storage::RecordKey(collection, query.start_after),
                      [&](absl::string_view key, absl::string_view value) {
                        return take(key.substr(prefix.size()), value);
                      });
    } else {
      // Walk the first term's index; check the rest on the record.
      const std::string prefix =
          storage::IndexPrefix(collection, query.terms[0]);
      s = reader.Scan(storage::Column::kIndex, prefix,
                      query.start_after.empty()
                          ? std::string()
                          : storage::IndexKey(collection, query.terms[0],
                                              query.start_after),
                      [&](absl::string_view key, absl::string_view) {
                        const absl::string_view id = key.substr(prefix.size());
                        absl::StatusOr<std::optional<std::string>> bytes =
                            reader.Get(storage::Column::kRecords,
                                       storage::RecordKey(collection, id));
                        if (!bytes.ok()) {
                          inner = bytes.status();
                          return false;
                        }
                        if (!bytes->has_value()) {
                          inner = absl::DataLossError(
                              absl::StrCat("index entry without record: ", id));
                          return false;
                        }
                        return take(id, **bytes);
                      });
    }
    if (!s.ok()) return s;
    if (!inner.ok()) return inner;
    next->clear();
    if (more) *next = MakePageToken(query, last_id);
    return page;
  }

  // Every record of `collection` carrying index `term`, in id order.
  absl::StatusOr<std::vector<T>> WithTerm(storage::Reader& reader,
                                          absl::string_view collection,
                                          absl::string_view term) const {
    std::vector<std::string> names;
    const std::string prefix = storage::IndexPrefix(collection, term);
    absl::Status s =
        reader.Scan(storage::Column::kIndex, prefix, "",
                    [&](absl::string_view key, absl::string_view) {
                      names.push_back(absl::StrCat(collection, "/",
                                                   key.substr(prefix.size())));
                      return true;
                    });
    if (!s.ok()) return s;
    std::vector<T> records;
    records.reserve(names.size());
    for (const std::string& name : names) {
      absl::StatusOr<T> record = Get(reader, name);
      if (!record.ok()) return record.status();
      records.push_back(*std::move(record));
    }
    return records;
  }

  // True if any record is stored under `collection` (e.g. a track's intakes).
  static absl::StatusOr<bool> AnyIn(storage::Reader& reader,
                                    absl::string_view collection) {
    bool found = false;
    absl::Status s = reader.Scan(storage::Column::kRecords,
                                 storage::RecordPrefix(collection), "",
                                 [&](absl::string_view, absl::string_view) {
                                   found = true;
                                   return false;
                                 });
    if (!s.ok()) return s;
    return found;
  }

  std::vector<std::string> IndexTerms(const T& record) const {
    return Terms_(index_terms_, record);
  }

  // Checks what Insert, Replace and Remove keep true of `collection` (a
  // top-level one): every record has its index entries and unique terms,
  // and every index entry and unique term of the collection belongs to a
  // record that carries it. Appends what is wrong to `problems`; returns
  // the number of records checked. Reads everything; for the consistency
  // check, not for serving.
  absl::StatusOr<int64_t> CheckTerms(storage::Reader& reader,
                                     absl::string_view collection,
                                     std::vector<std::string>* problems) const {
    absl::flat_hash_set<std::string> expected;  // Index and unique keys.
    int64_t records = 0;
    const std::string prefix = storage::RecordPrefix(collection);
    absl::Status s = reader.Scan(
        storage::Column::kRecords, prefix, "",
        [&](absl::string_view key, absl::string_view bytes) {
          ++records;
          const std::string id(key.substr(prefix.size()));
          T record;
          if (!record.ParseFromArray(bytes.data(),
                                     static_cast<int>(bytes.size()))) {
            problems->push_back(
                absl::StrCat("unreadable record ", collection, "/", id));
            return true;
          }
          if (record.name() != absl::StrCat(collection, "/", id)) {
            problems->push_back(absl::StrCat("record ", collection, "/", id,
                                             " is named ", record.name()));
          }
          for (const std::string& term : Terms_(index_terms_, record)) {
            expected.insert(storage::IndexKey(collection, term, id));
          }
          for (const std::string& term : Terms_(unique_terms_, record)) {
            expected.insert(storage::UniqueKey(collection, term) + '\0' + id);
          }
          return true;
        });
    if (!s.ok()) return s;
    size_t found = 0;
    s = reader.Scan(
        storage::Column::kIndex, prefix, "",
        [&](absl::string_view key, absl::string_view value) {
          const bool unique = absl::StartsWith(key.substr(prefix.size()), "!");
          const std::string entry =
              unique ? absl::StrCat(key, absl::string_view("\0", 1), value)
                     : std::string(key);
          if (expected.contains(entry)) {
            ++found;
          } else {
            problems->push_back(absl::StrCat(
                unique ? "unique term " : "index entry ", absl::CHexEscape(key),
                " names no record that carries it"));
          }
          return true;
        });
    if (!s.ok()) return s;
    if (found != expected.size()) {
      problems->push_back(absl::StrCat(collection, ": ",
                                       expected.size() - found,
                                       " index entries or unique terms are "
                                       "missing"));
    }
    return records;
  }

 private:
  // A record's terms, sorted and without repeats (several municipalities
  // share a county; several chain steps may use one module).
  static std::vector<std::string> Terms_(const Terms& fn, const T& record) {
    std::vector<std::string> terms =
        fn ? fn(record) : std::vector<std::string>{};
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    return terms;
  }

  static absl::Status KeyOf(absl::string_view name, std::string* key) {
    absl::string_view collection, id;
    if (!storage::SplitName(name, &collection, &id) || id.empty() ||
        name.find('\0') != absl::string_view::npos) {
      return InvalidField("name", "is not a resource name");
    }
    *key = storage::RecordKey(collection, id);
    return absl::OkStatus();
  }

  static absl::StatusOr<T> Decode(
      absl::string_view name,
      absl::StatusOr<std::optional<std::string>> bytes) {
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return ResourceNotFound(name);
    return Parse(name, **bytes);
  }

  absl::Status Write(storage::Transaction& txn, const T* old,
                     const T& record) const {
    absl::string_view collection, id;
    if (!storage::SplitName(record.name(), &collection, &id)) {
      return absl::InternalError("record without a resource name");
    }
    auto contains = [](const std::vector<std::string>& terms,
                       const std::string& term) {
      return std::find(terms.begin(), terms.end(), term) != terms.end();
    };
    const std::vector<std::string> old_unique =
        old ? Terms_(unique_terms_, *old) : std::vector<std::string>{};
    const std::vector<std::string> new_unique = Terms_(unique_terms_, record);
    for (const std::string& term : new_unique) {
      if (contains(old_unique, term)) continue;
      const std::string key = storage::UniqueKey(collection, term);
      absl::StatusOr<std::optional<std::string>> owner =
          txn.GetForUpdate(storage::Column::kIndex, key);
      if (!owner.ok()) return owner.status();
      if (owner->has_value() && **owner != id) {
        return ResourceAlreadyExists(absl::StrCat(
            unique_what_, " already exists: ", collection, "/", **owner));
      }
      if (absl::Status s = txn.Put(storage::Column::kIndex, key, id); !s.ok()) {
        return s;
      }
    }
    for (const std::string& term : old_unique) {
      if (contains(new_unique, term)) continue;
      absl::Status s = txn.Delete(storage::Column::kIndex,
                                  storage::UniqueKey(collection, term));
      if (!s.ok()) return s;
    }
    const std::vector<std::string> old_terms =
        old ? Terms_(index_terms_, *old) : std::vector<std::string>{};
    const std::vector<std::string> terms = Terms_(index_terms_, record);
    for (const std::string& term : old_terms) {
      if (contains(terms, term)) continue;
      absl::Status s = txn.Delete(storage::Column::kIndex,
                                  storage::IndexKey(collection, term, id));
      if (!s.ok()) return s;
    }
    // The old record's keys are stored already: writing them again would
    // cost a memtable insert each (a life-cycle step changes one term of a
    // participation's four).
    for (const std::string& term : terms) {
      if (contains(old_terms, term)) continue;
      absl::Status s = txn.Put(storage::Column::kIndex,
                               storage::IndexKey(collection, term, id), "");
      if (!s.ok()) return s;
    }
    return txn.Put(storage::Column::kRecords,
                   storage::RecordKey(collection, id),
                   record.SerializeAsString());
  }

  Terms index_terms_;
  Terms unique_terms_;
  std::string unique_what_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_RECORD_TABLE_H_
