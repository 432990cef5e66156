// List requests (AIP-132, AIP-158, AIP-160): page size, opaque page tokens
// bound to the query they came from, and a filter subset of
// `field = value` conditions joined by AND (values bare or "quoted").
#ifndef JOBTRACK_SERVICES_COMMON_LIST_QUERY_H_
#define JOBTRACK_SERVICES_COMMON_LIST_QUERY_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// A field a list can be filtered by. `normalize` returns the value as it
// appears in index terms, or nullopt if the value is not valid for the
// field (for example an unknown municipality code).
struct FilterField {
  std::string name;
  std::function<std::optional<std::string>(absl::string_view)> normalize;
};

struct ListQuery {
  int page_size = kDefaultPageSize;
  // Resume after this id (from the page token); empty for the first page.
  std::string start_after;
  // Index terms ("municipality=0180") every result must have.
  std::vector<std::string> terms;
  // Binds page tokens to this query.
  std::string fingerprint;
};

// INVALID_ARGUMENT naming page_size, page_token or filter when they are bad.
// `collection` scopes page tokens, so one list's token fails on another.
absl::StatusOr<ListQuery> ParseListQuery(
    int page_size, absl::string_view page_token, absl::string_view filter,
    absl::string_view collection, const std::vector<FilterField>& fields);

// The token for the page after `last_id`.
std::string MakePageToken(const ListQuery& query, absl::string_view last_id);

// The index term of a field and value: "field=value".
std::string Term(absl::string_view field, absl::string_view value);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_LIST_QUERY_H_
