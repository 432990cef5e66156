// FaultFileSystem: the local file system as RocksDB sees it, with the two
// faults that matter to a database: a disk that is full, and a machine that
// crashes and loses whatever was not synced.
//
// SIGKILL cannot show a missing fsync (the page cache outlives the process;
// ruling 9.7), so durability tests run the storage on this file system,
// "crash" it, and reopen what a power cut would have left.
//
// Contract:
// - Thread-safe: RocksDB calls it from its own threads.
// - Every file written through it keeps the length that was last synced
//   (Sync, Fsync, or Close of a file RocksDB already synced). Files it never
//   wrote (there before) count as synced. Renames and deletions carry the
//   bookkeeping along. Directory entries are taken as durable; RocksDB syncs
//   the directory after creating the files it depends on.
// - Crash(): from then on every write and sync fails, so nothing the closing
//   database does reaches the disk. DropUnsyncedData() (after the database is
//   closed) cuts every file back to its synced length and ends the crash.
// - SetDiskFull(true): appends, syncs and new files fail with ENOSPC (an
//   IOError with subcode kNoSpace), as on a full disk, until set false.
#ifndef JOBTRACK_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_
#define JOBTRACK_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace jobtrack::testing {

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem();

  const char* Name() const override { return "jobtrack.FaultFileSystem"; }

  void SetDiskFull(bool full);
  void Crash();
  // Truncates every file to its synced length; returns the number of bytes
  // dropped in all (so a test can show that the crash did lose something).
  absl::StatusOr<uint64_t> DropUnsyncedData();

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Called by the files it hands out.
  rocksdb::IOStatus CheckWrite() const;
  void Written(const std::string& name, uint64_t size);
  void Synced(const std::string& name);

 private:
  struct FileState {
    uint64_t written = 0;
    uint64_t synced = 0;
  };
  rocksdb::IOStatus Wrap(const std::string& name, uint64_t initial_size,
                         rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);

  mutable absl::Mutex mu_;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack::testing

#endif  // JOBTRACK_TESTS_SUPPORT_FAULT_FILE_SYSTEM_H_
