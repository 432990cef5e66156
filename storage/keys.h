// Key layout of the jobtrack RocksDB database.
//
// Column families and their keys (0x00 separates parts; no part contains
// 0x00 because every part is a validated code, id or collection path):
//
//   meta      "schema_version"                      -> decimal version
//   records   <collection> 0x00 <id>                -> serialized resource
//   index     <collection> 0x00 <term> 0x00 <id>    -> "" (secondary index)
//   index     <collection> 0x00 "!" <term>          -> <id> (unique term)
//   requests  <principal> 0x00 <method> 0x00 <request_id>
//                                                   -> storage.RequestRecord
//   requests  0x01 <resource> 0x00 <hex of the request key>
//                                                   -> storage.RequestRecord
//             (time only): which stored responses name a resource, so that
//             erasure can forget them; expires with them
//   events    <sequence: 8 bytes big-endian>        -> serialized event
//   index     "events" 0x00 <aggregate> 0x00 <sequence: 8 bytes BE> -> ""
//   audit     <time: 8 bytes BE µs> <sequence: 8 bytes BE> -> v1.AuditEvent
//   index     "auditEvents" 0x00 "resource=" <name> 0x00 <hex audit key> -> ""
//   index     "seats" 0x00 <intake> 0x00 <participation id>
//                                                   -> first and last day of
//             the seat (see services/participations/seats.h); since schema
//             version 3
//
// The audit column family was added after schema version 1 without a
// version change: it is created empty when missing, and nothing else
// changed.
//
// Event sequences are the commit order: gap-free, starting at 1.
//
// A collection is the resource name without its last segment, so
// `tracks/t1/intakes/i1` is stored under collection `tracks/t1/intakes` and
// id `i1`; a prefix scan of `<collection> 0x00` lists one collection only.
// A term is `<field>=<value>`, for example `municipality=0180`; terms never
// start with "!", which keeps unique terms apart from index entries.
#ifndef JOBTRACK_STORAGE_KEYS_H_
#define JOBTRACK_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace jobtrack::storage {

inline constexpr char kSchemaVersionKey[] = "schema_version";

// Splits a resource name into collection and id at its last '/'. Returns
// false if the name has no '/'.
bool SplitName(absl::string_view name, absl::string_view* collection,
               absl::string_view* id);

std::string RecordKey(absl::string_view collection, absl::string_view id);
// Prefix of all record keys of a collection.
std::string RecordPrefix(absl::string_view collection);
// The resource name a record key stores (`<collection>/<id>`); empty if
// `key` is not a record key.
std::string RecordKeyName(absl::string_view key);

std::string IndexKey(absl::string_view collection, absl::string_view term,
                     absl::string_view id);
// Prefix of all index entries of one term.
std::string IndexPrefix(absl::string_view collection, absl::string_view term);
// The id part of an index key.
absl::string_view IndexKeyId(absl::string_view key);

std::string UniqueKey(absl::string_view collection, absl::string_view term);

// Index entry: the request record `request_key` answered with `resource`.
std::string RequestByResourceKey(absl::string_view resource,
                                 absl::string_view request_key);
std::string RequestByResourcePrefix(absl::string_view resource);
// The request key an index entry points at; empty if malformed.
std::string RequestKeyOf(absl::string_view by_resource_key);

std::string EventKey(uint64_t sequence);
// The sequence of an event key; 0 if the key is not one.
uint64_t EventKeySequence(absl::string_view key);
// Index entry tying an event to its aggregate (e.g. a participation's name).
std::string AggregateEventKey(absl::string_view aggregate, uint64_t sequence);

// `value` as 8 bytes big-endian, which sort as the numbers do (EventKey),
// and back; FromBigEndian64 gives 0 unless `bytes` is 8 bytes long.
std::string BigEndian64(uint64_t value);
uint64_t FromBigEndian64(absl::string_view bytes);
std::string AggregateEventPrefix(absl::string_view aggregate);

// Seat ledger entry: participation `participation_id` holds a seat in
// `intake` (a resource name).
std::string SeatKey(absl::string_view intake,
                    absl::string_view participation_id);
std::string SeatPrefix(absl::string_view intake);
// Prefix of the whole ledger.
std::string SeatLedgerPrefix();

// An audit entry's key: recorded time (µs since the epoch; earlier times
// count as 0) and sequence, both 8 bytes big-endian, so keys sort by time.
std::string AuditKey(int64_t unix_micros, uint64_t sequence);
// The sequence of an audit key; 0 if the key is not one.
uint64_t AuditKeySequence(absl::string_view key);

std::string RequestKey(absl::string_view principal, absl::string_view method,
                       absl::string_view request_id);

}  // namespace jobtrack::storage

#endif  // JOBTRACK_STORAGE_KEYS_H_
