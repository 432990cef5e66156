#include "storage/keys.h"

#include "absl/strings/escaping.h"
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

std::string RecordKeyName(absl::string_view key) {
  const size_t sep = key.find('\0');
  if (sep == absl::string_view::npos || sep == 0 || sep + 1 == key.size() ||
      key.find('\0', sep + 1) != absl::string_view::npos) {
    return "";
  }
  return absl::StrCat(key.substr(0, sep), "/", key.substr(sep + 1));
}

absl::string_view IndexKeyId(absl::string_view key) {
  const size_t sep = key.rfind('\0');
  return sep == absl::string_view::npos ? key : key.substr(sep + 1);
}

std::string UniqueKey(absl::string_view collection, absl::string_view term) {
  return absl::StrCat(collection, kSep, "!", term);
}

std::string RequestByResourceKey(absl::string_view resource,
                                 absl::string_view request_key) {
  return absl::StrCat(RequestByResourcePrefix(resource),
                      absl::BytesToHexString(request_key));
}

std::string RequestByResourcePrefix(absl::string_view resource) {
  return absl::StrCat("\x01", resource, kSep);
}

std::string RequestKeyOf(absl::string_view by_resource_key) {
  const size_t sep = by_resource_key.rfind('\0');
  if (sep == absl::string_view::npos) return "";
  return absl::HexStringToBytes(by_resource_key.substr(sep + 1));
}

std::string BigEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return bytes;
}

uint64_t FromBigEndian64(absl::string_view bytes) {
  if (bytes.size() != 8) return 0;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

std::string EventKey(uint64_t sequence) { return BigEndian64(sequence); }

uint64_t EventKeySequence(absl::string_view key) {
  return FromBigEndian64(key);
}

std::string AggregateEventKey(absl::string_view aggregate, uint64_t sequence) {
  return absl::StrCat(IndexPrefix("events", aggregate), EventKey(sequence));
}

std::string AggregateEventPrefix(absl::string_view aggregate) {
  return IndexPrefix("events", aggregate);
}

std::string SeatKey(absl::string_view intake,
                    absl::string_view participation_id) {
  return IndexKey("seats", intake, participation_id);
}

std::string SeatPrefix(absl::string_view intake) {
  return IndexPrefix("seats", intake);
}

std::string SeatLedgerPrefix() { return RecordPrefix("seats"); }

std::string AuditKey(int64_t unix_micros, uint64_t sequence) {
  return absl::StrCat(EventKey(unix_micros < 0 ? 0 : unix_micros),
                      EventKey(sequence));
}

uint64_t AuditKeySequence(absl::string_view key) {
  if (key.size() != 16) return 0;
  return EventKeySequence(key.substr(8));
}

std::string RequestKey(absl::string_view principal, absl::string_view method,
                       absl::string_view request_id) {
  return absl::StrCat(principal, kSep, method, kSep, request_id);
}

}  // namespace jobtrack::storage
