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
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
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

// Replaces checkpoint `name` with `body`, in one commit. For a view
// encoded when no commit could run since (at a stop): the checkpoint is
// current (Checkpoint::current) until anything else is written.
absl::Status SaveCheckpoint(storage::Storage& storage, absl::string_view name,
                            uint32_t version, uint64_t through,
                            absl::string_view body);
// The same for a view encoded while commits may run: it may miss a commit
// whose writes are in the storage, so it is never current, and the next
// load continues it from `through` however little was written since.
absl::Status SaveCheckpointWhileServing(storage::Storage& storage,
                                        absl::string_view name,
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
//
// Either over a body held whole, or over one pulled from a Source piece by
// piece as it is read (StreamCheckpoint): then only the piece being read
// is held, and a view that String or Bytes returns is valid until the next
// read.
class CheckpointReader {
 public:
  // Gives a body's pieces in order.
  class Source {
   public:
    virtual ~Source() = default;
    // Sets `piece` to the next piece; an error if it cannot be read (the
    // reader then fails every read and returns the error from status()).
    virtual absl::Status Next(std::string& piece) = 0;
  };

  explicit CheckpointReader(absl::string_view data) : data_(data) {}
  // Reads `bytes` bytes from `source`, which must give no more.
  CheckpointReader(uint64_t bytes, std::unique_ptr<Source> source)
      : unread_(bytes), source_(std::move(source)) {}

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
  // A view into the data, valid while it is (see above for a Source).
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
    if (data_.size() < size && !Pull(size)) return false;
    s = data_.substr(0, size);
    data_.remove_prefix(size);
    return true;
  }
  bool done() const { return remaining() == 0; }
  uint64_t remaining() const { return data_.size() + unread_; }
  // Whether `count` items of at least `bytes_each` bytes can follow: a
  // count from a damaged body must not size an allocation.
  bool CanHold(uint64_t count, size_t bytes_each) const {
    return count <= remaining() / bytes_each;
  }
  // OK unless the Source failed (a chunk missing, too long, or unreadable).
  const absl::Status& status() const { return status_; }

 private:
  bool Fixed(uint64_t& v, int bytes) {
    if (data_.size() < static_cast<size_t>(bytes) && !Pull(bytes)) {
      return false;
    }
    v = 0;
    for (int i = 0; i < bytes; ++i) {
      v |= uint64_t{static_cast<uint8_t>(data_[i])} << (8 * i);
    }
    data_.remove_prefix(bytes);
    return true;
  }
  // Makes data_ hold at least `size` bytes by appending pieces from
  // source_ to what is left of it; false if the body has fewer.
  bool Pull(size_t size);

  absl::string_view data_;
  // With a Source: the bytes not yet pulled, the piece data_ points into,
  // and the first error.
  uint64_t unread_ = 0;
  std::unique_ptr<Source> source_;
  std::string held_;
  absl::Status status_;
};

// A stored checkpoint whose body is read from the storage chunk by chunk
// as `body` is read: a body of hundreds of megabytes is decoded without
// first being copied whole. The chunks come from one snapshot, taken with
// the header. A chunk missing or longer than the header says is DATA_LOSS
// in body->status().
struct CheckpointStream {
  uint32_t version = 0;
  uint64_t through = 0;
  bool current = false;  // As Checkpoint::current.
  std::unique_ptr<CheckpointReader> body;
};
// Checkpoint `name` as stored, or nullopt if there is none; a header that
// does not fit is DATA_LOSS. `storage` must outlive the stream.
absl::StatusOr<std::optional<CheckpointStream>> StreamCheckpoint(
    storage::Storage& storage, absl::string_view name);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_CHECKPOINT_H_
