// The one place where RocksDB errors become canonical status codes. Every
// storage call returns absl::Status; the services map absl::Status to gRPC in
// services/common/grpc_status.h and never see rocksdb::Status.
#ifndef JOBTRACK_STORAGE_STATUS_H_
#define JOBTRACK_STORAGE_STATUS_H_

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace jobtrack::storage {

// Lock time-outs, deadlocks and write conflicts → ABORTED (the caller may
// retry the whole call); out of space and I/O errors → UNAVAILABLE; data
// corruption → DATA_LOSS; anything else → INTERNAL. The message keeps
// RocksDB's text, which never contains record contents.
absl::Status FromRocksDb(const rocksdb::Status& status);

}  // namespace jobtrack::storage

#endif  // JOBTRACK_STORAGE_STATUS_H_
