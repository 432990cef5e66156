// Checkpoints: an in-memory view of the data (the report projection, the
// matching index) saved in Column::kMeta, so that start-up loads it instead
// of reading the whole history again.
//
// A checkpoint is a header and a body in chunks (big values are cheaper
// for RocksDB in pieces), under keys that start with its name. The header
// holds a format version, the event sequence the view covers, and the
// storage's write sequence once the checkpoint itself is written: whether
// anything at all has been written since (see Storage::WriteSequence).
//
// The body is the owner's business; CheckpointWriter and CheckpointReader
// encode fixed-width little-endian numbers and length-prefixed strings.
//
// Thread safety: the functions are as safe as Storage; the writer and the
// reader belong to one thread.
#ifndef JOBTRACK_SERVICES_COMMON_CHECKPOINT_H_
#define JOBTRACK_SERVICES_COMMON_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/huge_page_allocator.h"
#include "storage/storage.h"

namespace jobtrack {

struct Checkpoint {
  uint32_t version = 0;
  // The event sequence the saved view covers, as its owner said.
  uint64_t through = 0;
  // Whether nothing has been written to the storage since the checkpoint:
  // a view that cannot catch up by itself is usable only then.
  bool current = false;
  // Hundreds of megabytes at national scale, read once at start-up.
  HugeString body;
};

// Replaces checkpoint `name` with `body`, in one commit.
absl::Status SaveCheckpoint(storage::Storage& storage, absl::string_view name,
                            uint32_t version, uint64_t through,
                            absl::string_view body);

// Checkpoint `name` as stored, or nullopt if there is none. A header or a
// chunk that does not fit (damage, a save cut short) is DATA_LOSS; the
// caller decides whether to rebuild instead. Does not check the version.
absl::StatusOr<std::optional<Checkpoint>> LoadCheckpoint(
    storage::Storage& storage, absl::string_view name);

// Deletes checkpoint `name` (header and chunks) in one commit; nothing if
// there is none.
absl::Status DropCheckpoint(storage::Storage& storage, absl::string_view name);

// Whether checkpoint `name` is stored in format `version` and nothing has
// been written since.
absl::StatusOr<bool> CheckpointIsCurrent(storage::Storage& storage,
                                         absl::string_view name,
                                         uint32_t version);

// Appends fixed-width little-endian numbers and length-prefixed strings.
class CheckpointWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void String(absl::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void Bytes(absl::string_view s) { out_.append(s.data(), s.size()); }
  std::string& body() { return out_; }

 private:
  void Fixed(uint64_t v, int bytes) {
    char b[8];
    for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, bytes);
  }
  std::string out_;
};

// Reads what CheckpointWriter wrote; every read fails (returns false) once
// past the end, so a damaged body is refused, never over-read.
class CheckpointReader {
 public:
  explicit CheckpointReader(absl::string_view data) : data_(data) {}
  bool U8(uint8_t& v) {
    uint64_t x = 0;
    if (!Fixed(x, 1)) return false;
    v = static_cast<uint8_t>(x);
    return true;
  }
  bool U16(uint16_t& v) {
    uint64_t x = 0;
    if (!Fixed(x, 2)) return false;
    v = static_cast<uint16_t>(x);
    return true;
  }
  bool U32(uint32_t& v) {
    uint64_t x = 0;
    if (!Fixed(x, 4)) return false;
    v = static_cast<uint32_t>(x);
    return true;
  }
  bool U64(uint64_t& v) { return Fixed(v, 8); }
  // A view into the data, valid while it is.
  bool String(absl::string_view& s) {
    uint32_t size = 0;
    return U32(size) && Bytes(size, s);
  }
  bool String(std::string& s) {
    absl::string_view view;
    if (!String(view)) return false;
    s.assign(view.data(), view.size());
    return true;
  }
  bool Bytes(size_t size, absl::string_view& s) {
    if (data_.size() < size) return false;
    s = data_.substr(0, size);
    data_.remove_prefix(size);
    return true;
  }
  bool done() const { return data_.empty(); }
  size_t remaining() const { return data_.size(); }
  // Whether `count` items of at least `bytes_each` bytes can follow: a
  // count from a damaged body must not size an allocation.
  bool CanHold(uint64_t count, size_t bytes_each) const {
    return count <= data_.size() / bytes_each;
  }

 private:
  bool Fixed(uint64_t& v, int bytes) {
    if (data_.size() < static_cast<size_t>(bytes)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) {
      v |= uint64_t{static_cast<uint8_t>(data_[i])} << (8 * i);
    }
    data_.remove_prefix(bytes);
    return true;
  }
  absl::string_view data_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_CHECKPOINT_H_
