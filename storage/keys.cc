#include "storage/keys.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jobtrack::storage {
namespace {
constexpr absl::string_view kSep("\0", 1);
}  // namespace

bool SplitName(absl::string_view name, absl::string_view* collection,
               absl::string_view* id) {
  const size_t slash = name.rfind('/');
  if (slash == absl::string_view::npos) return false;
  *collection = name.substr(0, slash);
  *id = name.substr(slash + 1);
  return true;
}

std::string RecordKey(absl::string_view collection, absl::string_view id) {
  return absl::StrCat(collection, kSep, id);
}

std::string RecordPrefix(absl::string_view collection) {
  return absl::StrCat(collection, kSep);
}

std::string IndexKey(absl::string_view collection, absl::string_view term,
                     absl::string_view id) {
  return absl::StrCat(collection, kSep, term, kSep, id);
}

std::string IndexPrefix(absl::string_view collection, absl::string_view term) {
  return absl::StrCat(collection, kSep, term, kSep);
}

absl::string_view IndexKeyId(absl::string_view key) {
  const size_t sep = key.rfind('\0');
  return sep == absl::string_view::npos ? key : key.substr(sep + 1);
}

std::string UniqueKey(absl::string_view collection, absl::string_view term) {
  return absl::StrCat(collection, kSep, "!", term);
}

std::string RequestKey(absl::string_view principal, absl::string_view method,
                       absl::string_view request_id) {
  return absl::StrCat(principal, kSep, method, kSep, request_id);
}

}  // namespace jobtrack::storage
