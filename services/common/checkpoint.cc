#include "services/common/checkpoint.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace jobtrack {
namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;

std::string HeaderKey(absl::string_view name) {
  return absl::StrCat(name, "/header");
}
std::string ChunkPrefix(absl::string_view name) {
  return absl::StrCat(name, "/chunk/");
}
std::string ChunkKey(absl::string_view name, uint32_t i) {
  return absl::StrCat(ChunkPrefix(name), absl::Dec(i, absl::kZeroPad6));
}

// Deletes in `txn` the chunks of checkpoint `name` after `start_after`
// (all if empty); how many.
absl::StatusOr<uint64_t> DeleteChunks(storage::Transaction& txn,
                                      absl::string_view name,
                                      absl::string_view start_after) {
  std::vector<std::string> keys;
  absl::Status s =
      txn.Scan(storage::Column::kMeta, ChunkPrefix(name), start_after,
               [&](absl::string_view key, absl::string_view) {
                 keys.emplace_back(key);
                 return true;
               });
  if (!s.ok()) return s;
  for (const std::string& key : keys) {
    if (s = txn.Delete(storage::Column::kMeta, key); !s.ok()) return s;
  }
  return keys.size();
}

struct Header {
  uint32_t version = 0;
  uint64_t through = 0;
  uint32_t chunks = 0;
  uint64_t bytes = 0;
  // Storage::WriteSequence() once the checkpoint was written; 0 in
  // checkpoints from before it was recorded.
  uint64_t written_at = 0;
};

// Whether nothing has been written since the checkpoint of `h` was.
bool Current(const Header& h, uint64_t write_sequence) {
  return h.written_at != 0 && h.written_at == write_sequence;
}

absl::StatusOr<std::optional<Header>> ReadHeader(storage::Reader& reader,
                                                 absl::string_view name) {
  absl::StatusOr<std::optional<std::string>> stored =
      reader.Get(storage::Column::kMeta, HeaderKey(name));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  CheckpointReader in(**stored);
  Header h;
  if (!in.U32(h.version) || !in.U64(h.through) || !in.U32(h.chunks) ||
      !in.U64(h.bytes) || (!in.done() && !in.U64(h.written_at)) || !in.done()) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", name, ": malformed header"));
  }
  return h;
}

absl::Status Save(storage::Storage& storage, absl::string_view name,
                  uint32_t version, uint64_t through, absl::string_view body,
                  bool may_be_current) {
  std::unique_ptr<storage::Transaction> txn = storage.Begin();
  uint32_t chunks = 0;
  uint64_t writes = 0;
  for (size_t at = 0; at < body.size(); at += kChunkBytes, ++chunks, ++writes) {
    if (absl::Status s =
            txn->Put(storage::Column::kMeta, ChunkKey(name, chunks),
                     body.substr(at, kChunkBytes));
        !s.ok()) {
      return s;
    }
  }
  // Chunks of an earlier, longer checkpoint go.
  absl::StatusOr<uint64_t> deleted =
      DeleteChunks(*txn, name, chunks == 0 ? "" : ChunkKey(name, chunks - 1));
  if (!deleted.ok()) return deleted.status();
  writes += *deleted + 1;  // And the header.
  CheckpointWriter header;
  header.U32(version);
  header.U64(through);
  header.U32(chunks);
  header.U64(body.size());
  // A write by anyone between this read and the commit leaves the
  // checkpoint looking out of date: safe, if wasteful. 0 is never current.
  header.U64(may_be_current ? storage.WriteSequence() + writes : 0);
  if (absl::Status s =
          txn->Put(storage::Column::kMeta, HeaderKey(name), header.body());
      !s.ok()) {
    return s;
  }
  return txn->Commit();
}

}  // namespace

absl::Status SaveCheckpoint(storage::Storage& storage, absl::string_view name,
                            uint32_t version, uint64_t through,
                            absl::string_view body) {
  return Save(storage, name, version, through, body, /*may_be_current=*/true);
}

absl::Status SaveCheckpointWhileServing(storage::Storage& storage,
                                        absl::string_view name,
                                        uint32_t version, uint64_t through,
                                        absl::string_view body) {
  return Save(storage, name, version, through, body, /*may_be_current=*/false);
}

namespace {

// A stored checkpoint's chunks, in order, from one snapshot.
class ChunkSource : public CheckpointReader::Source {
 public:
  ChunkSource(std::unique_ptr<storage::Reader> reader, absl::string_view name,
              const Header& header)
      : reader_(std::move(reader)), name_(name), header_(header) {}

  absl::Status Next(std::string& piece) override {
    if (next_ == header_.chunks) {
      return absl::DataLossError(
          absl::StrCat("checkpoint ", name_, ": shorter than its header says"));
    }
    absl::StatusOr<std::optional<std::string>> chunk =
        reader_->Get(storage::Column::kMeta, ChunkKey(name_, next_));
    if (!chunk.ok()) return chunk.status();
    if (!chunk->has_value() || (*chunk)->size() > header_.bytes - given_) {
      return absl::DataLossError(absl::StrCat("checkpoint ", name_, ": chunk ",
                                              next_, " missing or too long"));
    }
    ++next_;
    given_ += (*chunk)->size();
    piece = **std::move(chunk);
    return absl::OkStatus();
  }

 private:
  const std::unique_ptr<storage::Reader> reader_;
  const std::string name_;
  const Header header_;
  uint32_t next_ = 0;
  uint64_t given_ = 0;
};

struct Opened {
  Header header;
  bool current = false;
  std::unique_ptr<ChunkSource> chunks;
};

// Checkpoint `name`'s header, and its chunks to read.
absl::StatusOr<std::optional<Opened>> OpenChunks(storage::Storage& storage,
                                                 absl::string_view name) {
  // Read before the snapshot: a write after it makes the checkpoint look
  // out of date, never the reverse.
  const uint64_t write_sequence = storage.WriteSequence();
  std::unique_ptr<storage::Reader> reader = storage.Snapshot();
  absl::StatusOr<std::optional<Header>> header = ReadHeader(*reader, name);
  if (!header.ok()) return header.status();
  if (!header->has_value()) return std::nullopt;
  const Header& h = **header;
  if (h.chunks != (h.bytes + kChunkBytes - 1) / kChunkBytes) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", name, ": malformed header"));
  }
  Opened opened;
  opened.header = h;
  opened.current = Current(h, write_sequence);
  opened.chunks = std::make_unique<ChunkSource>(std::move(reader), name, h);
  return opened;
}

}  // namespace

absl::StatusOr<std::optional<Checkpoint>> LoadCheckpoint(
    storage::Storage& storage, absl::string_view name) {
  absl::StatusOr<std::optional<Opened>> opened = OpenChunks(storage, name);
  if (!opened.ok()) return opened.status();
  if (!opened->has_value()) return std::nullopt;
  const Header& h = (*opened)->header;
  Checkpoint checkpoint;
  checkpoint.version = h.version;
  checkpoint.through = h.through;
  checkpoint.current = (*opened)->current;
  // A damaged header must not size a huge allocation: past 1 GiB the
  // string grows as the chunks arrive.
  checkpoint.body.reserve(std::min<uint64_t>(h.bytes, uint64_t{1} << 30));
  std::string piece;
  while (checkpoint.body.size() < h.bytes) {
    if (absl::Status s = (*opened)->chunks->Next(piece); !s.ok()) return s;
    checkpoint.body.append(piece.data(), piece.size());
  }
  return checkpoint;
}

absl::StatusOr<std::optional<CheckpointStream>> StreamCheckpoint(
    storage::Storage& storage, absl::string_view name) {
  absl::StatusOr<std::optional<Opened>> opened = OpenChunks(storage, name);
  if (!opened.ok()) return opened.status();
  if (!opened->has_value()) return std::nullopt;
  CheckpointStream stream;
  stream.version = (*opened)->header.version;
  stream.through = (*opened)->header.through;
  stream.current = (*opened)->current;
  stream.body = std::make_unique<CheckpointReader>(
      (*opened)->header.bytes, std::move((*opened)->chunks));
  return stream;
}

bool CheckpointReader::Pull(size_t size) {
  if (!status_.ok() || size > remaining()) return false;
  // The rest of the piece being read (data_ may point into held_), then
  // whole pieces until `size` bytes are there.
  std::string held(data_);
  while (held.size() < size) {
    std::string piece;
    if (absl::Status s = source_->Next(piece); !s.ok()) {
      status_ = std::move(s);
      return false;
    }
    if (piece.empty() || piece.size() > unread_) {
      status_ = absl::DataLossError(
          "checkpoint: a piece does not fit the size it was read with");
      return false;
    }
    unread_ -= piece.size();
    if (held.empty()) {
      held = std::move(piece);
    } else {
      held.append(piece);
    }
  }
  held_ = std::move(held);
  data_ = held_;
  return true;
}

absl::Status DropCheckpoint(storage::Storage& storage, absl::string_view name) {
  std::unique_ptr<storage::Transaction> txn = storage.Begin();
  absl::StatusOr<uint64_t> deleted = DeleteChunks(*txn, name, "");
  if (!deleted.ok()) return deleted.status();
  if (absl::Status s = txn->Delete(storage::Column::kMeta, HeaderKey(name));
      !s.ok()) {
    return s;
  }
  return txn->Commit();
}

absl::StatusOr<bool> CheckpointIsCurrent(storage::Storage& storage,
                                         absl::string_view name,
                                         uint32_t version) {
  const uint64_t write_sequence = storage.WriteSequence();
  std::unique_ptr<storage::Reader> reader = storage.Snapshot();
  absl::StatusOr<std::optional<Header>> header = ReadHeader(*reader, name);
  if (!header.ok()) return header.status();
  return header->has_value() && (*header)->version == version &&
         Current(**header, write_sequence);
}

}  // namespace jobtrack
