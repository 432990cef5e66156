// Backups of a jobtrack database with RocksDB's backup engine: taken while
// the server serves, incremental (files shared between backups), verified
// by checksum, restored into an empty directory.
//
// Contract:
// - Thread safety: CreateBackup, ListBackups and VerifyBackup may be called
//   from many threads; calls on one backup directory are serialized.
// - A backup is consistent: it holds every commit acknowledged before
//   CreateBackup was called, and no partial commit.
// - Errors: INVALID_ARGUMENT for a bad id, NOT_FOUND for an unknown one,
//   FAILED_PRECONDITION when restoring into a directory that is not empty,
//   DATA_LOSS when a backup's files do not match their checksums; storage
//   errors as in status.h.
#ifndef JOBTRACK_STORAGE_BACKUP_H_
#define JOBTRACK_STORAGE_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/storage.h"

namespace jobtrack::storage {

struct BackupInfo {
  uint32_t id = 0;
  absl::Time create_time;
  uint64_t size_bytes = 0;
  uint32_t files = 0;
  // Every event up to this sequence is in the backup.
  uint64_t known_at_sequence = 0;
};

class Backups {
 public:
  // Backups kept in `directory` (created if missing).
  explicit Backups(std::string directory);

  const std::string& directory() const { return directory_; }

  // Flushes `storage` and backs it up.
  absl::StatusOr<BackupInfo> CreateBackup(Storage& storage);
  // Oldest first.
  absl::StatusOr<std::vector<BackupInfo>> ListBackups();
  // Checks every file of backup `id` against its checksum.
  absl::StatusOr<BackupInfo> VerifyBackup(uint32_t id);
  // Restores backup `id` into `data_dir`, which must not exist or be empty.
  // The server is not running on `data_dir` (it cannot be: it is empty).
  absl::Status Restore(uint32_t id, const std::string& data_dir);

 private:
  absl::StatusOr<BackupInfo> Info(uint32_t id);

  const std::string directory_;
  absl::Mutex mu_;
};

}  // namespace jobtrack::storage

#endif  // JOBTRACK_STORAGE_BACKUP_H_
