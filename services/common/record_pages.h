// Changing every record of a collection in pages: for schema migrations,
// which must not hold a whole collection (millions of records at national
// scale) in one transaction.
#ifndef JOBTRACK_SERVICES_COMMON_RECORD_PAGES_H_
#define JOBTRACK_SERVICES_COMMON_RECORD_PAGES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/list_query.h"
#include "services/common/record_table.h"
#include "storage/storage.h"

namespace jobtrack {

// Calls `change` with every record of `collection` (a top-level one), in id
// order, in one transaction per page of `page_size` records that is
// committed before the next page is read. Stops at the first error, of
// `change` or of the storage; the pages before it stay committed, so
// `change` must be idempotent for a migration to be run again.
template <typename T>
absl::Status ChangeEveryRecord(
    storage::Storage& storage, const RecordTable<T>& table,
    absl::string_view collection,
    absl::FunctionRef<absl::Status(storage::Transaction&, const T&)> change,
    int page_size = 1000) {
  ListQuery query;
  query.page_size = page_size;
  bool more = true;
  while (more) {
    std::unique_ptr<storage::Transaction> txn = storage.Begin();
    std::string next;
    absl::StatusOr<std::vector<T>> page =
        table.List(*txn, collection, query, &next);
    if (!page.ok()) return page.status();
    for (const T& record : *page) {
      if (absl::Status s = change(*txn, record); !s.ok()) return s;
    }
    if (absl::Status s = txn->Commit(); !s.ok()) return s;
    more = !next.empty();
    if (more) {
      query.start_after = std::string(absl::StripPrefix(
          page->back().name(), absl::StrCat(collection, "/")));
    }
  }
  return absl::OkStatus();
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_RECORD_PAGES_H_
