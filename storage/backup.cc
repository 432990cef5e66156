#include "storage/backup.h"

#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/transaction_db.h>

#include <filesystem>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/status.h"

namespace jobtrack::storage {
namespace {

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(
    const std::string& directory) {
  rocksdb::BackupEngineOptions options(directory);
  options.sync = true;
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &engine);
  if (!s.ok()) return FromRocksDb(s);
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

BackupInfo FromEngine(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.id = info.backup_id;
  out.create_time = absl::FromUnixSeconds(info.timestamp);
  out.size_bytes = info.size;
  out.files = info.number_files;
  uint64_t sequence = 0;
  if (absl::SimpleAtoi(info.app_metadata, &sequence)) {
    out.known_at_sequence = sequence;
  }
  return out;
}

}  // namespace

Backups::Backups(std::string directory) : directory_(std::move(directory)) {}

absl::StatusOr<BackupInfo> Backups::CreateBackup(Storage& storage) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> engine =
      OpenEngine(directory_);
  if (!engine.ok()) return engine.status();
  // The backup flushes the memtables first, which writes to the WAL.
  if (!storage.WriteFailure().ok()) return storage.RefuseWrites();
  // Read before the backup starts: a lower bound of what it holds.
  const uint64_t sequence = storage.LastSequence();
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus s = (*engine)->CreateNewBackupWithMetadata(
      options, storage.db_, absl::StrCat(sequence), &id);
  if (!s.ok()) return FromRocksDb(s);
  rocksdb::BackupInfo info;
  if (rocksdb::Status got = (*engine)->GetBackupInfo(id, &info); !got.ok()) {
    return FromRocksDb(got);
  }
  return FromEngine(info);
}

absl::StatusOr<std::vector<BackupInfo>> Backups::ListBackups() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> engine =
      OpenEngine(directory_);
  if (!engine.ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& info : infos) out.push_back(FromEngine(info));
  return out;
}

absl::StatusOr<BackupInfo> Backups::Info(uint32_t id) {
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> engine =
      OpenEngine(directory_);
  if (!engine.ok()) return engine.status();
  rocksdb::BackupInfo info;
  rocksdb::Status s = (*engine)->GetBackupInfo(id, &info);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no backup ", id));
  }
  if (!s.ok()) return FromRocksDb(s);
  return FromEngine(info);
}

absl::StatusOr<BackupInfo> Backups::VerifyBackup(uint32_t id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<BackupInfo> info = Info(id);
  if (!info.ok()) return info.status();
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> engine =
      OpenEngine(directory_);
  if (!engine.ok()) return engine.status();
  rocksdb::IOStatus s = (*engine)->VerifyBackup(id, /*verify_with_checksum=*/
                                                true);
  if (s.IsCorruption() || s.IsNotFound()) {
    return absl::DataLossError(
        absl::StrCat("backup ", id, " is damaged: ", s.ToString()));
  }
  if (!s.ok()) return FromRocksDb(s);
  return info;
}

absl::Status Backups::Restore(uint32_t id, const std::string& data_dir) {
  absl::MutexLock lock(&mu_);
  std::error_code error;
  if (std::filesystem::exists(data_dir, error) &&
      !std::filesystem::is_empty(data_dir, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat(data_dir, " is not empty; restore into a new directory"));
  }
  absl::StatusOr<BackupInfo> info = Info(id);
  if (!info.ok()) return info.status();
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> engine =
      OpenEngine(directory_);
  if (!engine.ok()) return engine.status();
  rocksdb::IOStatus s = (*engine)->VerifyBackup(id, true);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup ", id, " is damaged: ", s.ToString()));
  }
  return FromRocksDb((*engine)->RestoreDBFromBackup(id, data_dir, data_dir));
}

}  // namespace jobtrack::storage
