// The migrations that bring stored data written by an older jobtrackd to
// storage::kSchemaVersion. jobtrackd passes them to storage::Storage::Open,
// which runs the pending ones, in order, before anything else reads the
// data; a migration that fails stops the start with the data as the last
// completed one left it.
#ifndef JOBTRACK_SERVICES_SERVER_SCHEMA_MIGRATIONS_H_
#define JOBTRACK_SERVICES_SERVER_SCHEMA_MIGRATIONS_H_

#include <vector>

#include "storage/storage.h"

namespace jobtrack {

// One per schema version after 1, each idempotent (a start interrupted in
// the middle of one runs it again).
std::vector<storage::Migration> SchemaMigrations();

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SERVER_SCHEMA_MIGRATIONS_H_
