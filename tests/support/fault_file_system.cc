#include "tests/support/fault_file_system.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jobtrack::testing {
namespace {

// A writable file that reports what it wrote and synced to its file system
// and fails while the file system says so.
class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::string name, uint64_t size, FaultFileSystem* fs,
                    std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)),
        name_(std::move(name)),
        size_(size),
        fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->Append(data, options, dbg);
    if (s.ok()) Grow(size_ + data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->Append(data, options, info, dbg);
    if (s.ok()) Grow(size_ + data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) Grow(std::max(size_, offset + data.size()));
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) Grow(std::max(size_, offset + data.size()));
    return s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->Truncate(size, options, dbg);
    if (s.ok()) Grow(size);
    return s;
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    auto s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  // A range sync does not make the file's length durable: not counted.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (auto s = fs_->CheckWrite(); !s.ok()) return s;
    return target()->RangeSync(offset, nbytes, options, dbg);
  }
  // Sync on close is what RocksDB asks for where it needs it; a plain
  // close leaves the tail in the page cache, which a crash loses.
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return target()->Close(options, dbg);
  }
  bool IsSyncThreadSafe() const override { return true; }

 private:
  void Grow(uint64_t size) {
    size_ = size;
    fs_->Written(name_, size);
  }

  const std::string name_;
  uint64_t size_;
  FaultFileSystem* const fs_;
};

}  // namespace

FaultFileSystem::FaultFileSystem()
    : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

void FaultFileSystem::SetDiskFull(bool full) {
  absl::MutexLock lock(&mu_);
  disk_full_ = full;
}

void FaultFileSystem::Crash() {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
}

rocksdb::IOStatus FaultFileSystem::CheckWrite() const {
  absl::MutexLock lock(&mu_);
  if (crashed_) return rocksdb::IOStatus::IOError("the machine has crashed");
  if (disk_full_) {
    return rocksdb::IOStatus::NoSpace("No space left on device (injected)");
  }
  return rocksdb::IOStatus::OK();
}

void FaultFileSystem::Written(const std::string& name, uint64_t size) {
  absl::MutexLock lock(&mu_);
  files_[name].written = size;
}

void FaultFileSystem::Synced(const std::string& name) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[name];
  state.synced = state.written;
}

absl::StatusOr<uint64_t> FaultFileSystem::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  uint64_t dropped = 0;
  for (const auto& [name, state] : files_) {
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(name, error);
    if (error) continue;  // Deleted since.
    if (size <= state.synced) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(state.synced)) != 0) {
      return absl::InternalError(absl::StrCat("cannot truncate ", name));
    }
    dropped += size - state.synced;
  }
  files_.clear();
  crashed_ = false;
  return dropped;
}

rocksdb::IOStatus FaultFileSystem::Wrap(
    const std::string& name, uint64_t initial_size, rocksdb::IOStatus opened,
    std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (!opened.ok()) return opened;
  {
    absl::MutexLock lock(&mu_);
    FileState& state = files_[name];
    state.written = initial_size;
    state.synced = std::min(state.synced, initial_size);
  }
  *result = std::make_unique<FaultWritableFile>(name, initial_size, this,
                                                std::move(*result));
  return opened;
}

rocksdb::IOStatus FaultFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (auto s = CheckWrite(); !s.ok()) return s;
  {
    // A new file replaces whatever had the name; none of it is synced.
    absl::MutexLock lock(&mu_);
    files_[name] = FileState{};
  }
  return Wrap(name, 0, target()->NewWritableFile(name, options, result, dbg),
              result);
}

rocksdb::IOStatus FaultFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (auto s = CheckWrite(); !s.ok()) return s;
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(name, error);
  {
    // What is there already is as durable as it was.
    absl::MutexLock lock(&mu_);
    if (files_.find(name) == files_.end()) {
      files_[name] = FileState{error ? 0 : size, error ? 0 : size};
    }
  }
  return Wrap(name, error ? 0 : size,
              target()->ReopenWritableFile(name, options, result, dbg), result);
}

rocksdb::IOStatus FaultFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (auto s = CheckWrite(); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    files_.erase(old_name);
    files_[name] = FileState{};
  }
  return Wrap(name, 0,
              target()->ReuseWritableFile(name, old_name, options, result, dbg),
              result);
}

rocksdb::IOStatus FaultFileSystem::RenameFile(const std::string& from,
                                              const std::string& to,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  if (auto s = CheckWrite(); !s.ok()) return s;
  auto s = target()->RenameFile(from, to, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it != files_.end()) {
      files_[to] = it->second;
      files_.erase(from);
    } else {
      files_.erase(to);
    }
  }
  return s;
}

rocksdb::IOStatus FaultFileSystem::DeleteFile(const std::string& name,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (crashed_) return rocksdb::IOStatus::IOError("the machine has crashed");
  }
  auto s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(name);
  }
  return s;
}

}  // namespace jobtrack::testing
