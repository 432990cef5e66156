#include "storage/storage.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/cache.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/transaction.h"
#include "rocksdb/utilities/transaction_db.h"
#include "rocksdb/write_batch.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/keys.h"
#include "storage/records.pb.h"
#include "storage/status.h"

namespace jobtrack::storage {
namespace {

// Names of the column families, in Column order.
constexpr const char* kColumnNames[] = {"default",  "records", "index",
                                        "requests", "events",  "audit"};
constexpr size_t kColumnCount = std::size(kColumnNames);

// Drops request-id records whose time to live has passed.
class ExpiredRequestFilter : public rocksdb::CompactionFilter {
 public:
  explicit ExpiredRequestFilter(const Storage* storage) : storage_(storage) {}

  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/,
              const rocksdb::Slice& value, std::string* /*new_value*/,
              bool* /*value_changed*/) const override {
    RequestRecord record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return false;  // Keep what we cannot read; never destroy data blindly.
    }
    const absl::Time recorded =
        absl::FromUnixMicros(record.record_time_micros());
    return recorded + storage_->options().request_ttl < storage_->Now();
  }

  const char* Name() const override { return "jobtrack.ExpiredRequestFilter"; }

 private:
  const Storage* storage_;
};

rocksdb::Slice Slice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

std::string Successor(absl::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(bound.back());
    if (last != 0xff) {
      ++last;
      return bound;
    }
    bound.pop_back();
  }
  return bound;  // Empty: no upper bound.
}

absl::Status ScanIterator(rocksdb::Iterator* it, absl::string_view prefix,
                          absl::string_view start_after,
                          const ScanVisitor& visit) {
  if (start_after.empty()) {
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    it->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
    if (it->Valid() && View(it->key()) == start_after) it->Next();
  }
  for (; it->Valid(); it->Next()) {
    const absl::string_view key = View(it->key());
    if (!absl::StartsWith(key, prefix)) break;
    if (!visit(key, View(it->value()))) break;
  }
  return FromRocksDb(it->status());
}

rocksdb::ReadOptions BoundedReadOptions(absl::string_view prefix,
                                        std::string* upper_storage,
                                        rocksdb::Slice* upper) {
  rocksdb::ReadOptions read_options;
  *upper_storage = Successor(prefix);
  if (!upper_storage->empty()) {
    *upper = rocksdb::Slice(*upper_storage);
    read_options.iterate_upper_bound = upper;
  }
  return read_options;
}

}  // namespace

class SnapshotReader : public Reader {
 public:
  explicit SnapshotReader(Storage* storage)
      : storage_(storage), snapshot_(storage->db_->GetSnapshot()) {}
  ~SnapshotReader() override { storage_->db_->ReleaseSnapshot(snapshot_); }

  absl::StatusOr<std::optional<std::string>> Get(
      Column column, absl::string_view key) override {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot_;
    // Column::kMeta holds the checkpoints, read once at start-up in 4 MiB
    // pieces: kept out of the block cache, they neither evict what the
    // server reads nor pay to be inserted.
    read_options.fill_cache = column != Column::kMeta;
    std::string value;
    rocksdb::Status s = storage_->db_->Get(
        read_options, storage_->Handle(column), Slice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return FromRocksDb(s);
    return value;
  }

  absl::Status Scan(Column column, absl::string_view prefix,
                    absl::string_view start_after,
                    const ScanVisitor& visit) override {
    std::string upper_storage;
    rocksdb::Slice upper;
    rocksdb::ReadOptions read_options =
        BoundedReadOptions(prefix, &upper_storage, &upper);
    read_options.snapshot = snapshot_;
    std::unique_ptr<rocksdb::Iterator> it(
        storage_->db_->NewIterator(read_options, storage_->Handle(column)));
    return ScanIterator(it.get(), prefix, start_after, visit);
  }

 private:
  Storage* storage_;
  const rocksdb::Snapshot* snapshot_;
};

Transaction::Transaction(Storage* storage,
                         std::unique_ptr<rocksdb::Transaction> txn)
    : storage_(storage), txn_(std::move(txn)) {}

Transaction::~Transaction() {
  if (!done_) txn_->Rollback().PermitUncheckedError();
}

absl::StatusOr<std::optional<std::string>> Transaction::Get(
    Column column, absl::string_view key) {
  std::string value;
  rocksdb::Status s = txn_->Get(rocksdb::ReadOptions(),
                                storage_->Handle(column), Slice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s);
  return value;
}

absl::StatusOr<std::optional<std::string>> Transaction::GetForUpdate(
    Column column, absl::string_view key) {
  return GetLocked(column, key, /*exclusive=*/true);
}

absl::StatusOr<std::optional<std::string>> Transaction::GetForShare(
    Column column, absl::string_view key) {
  return GetLocked(column, key, /*exclusive=*/false);
}

absl::StatusOr<std::optional<std::string>> Transaction::GetLocked(
    Column column, absl::string_view key, bool exclusive) {
  std::string value;
  rocksdb::Status s =
      txn_->GetForUpdate(rocksdb::ReadOptions(), storage_->Handle(column),
                         Slice(key), &value, exclusive);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s);
  return value;
}

absl::Status Transaction::Scan(Column column, absl::string_view prefix,
                               absl::string_view start_after,
                               const ScanVisitor& visit) {
  std::string upper_storage;
  rocksdb::Slice upper;
  rocksdb::ReadOptions read_options =
      BoundedReadOptions(prefix, &upper_storage, &upper);
  std::unique_ptr<rocksdb::Iterator> it(
      txn_->GetIterator(read_options, storage_->Handle(column)));
  return ScanIterator(it.get(), prefix, start_after, visit);
}

absl::Status Transaction::Put(Column column, absl::string_view key,
                              absl::string_view value) {
  absl::Status s = FromRocksDb(
      txn_->Put(storage_->Handle(column), Slice(key), Slice(value)));
  if (s.ok() && column == Column::kRecords) {
    committed_.records.push_back({std::string(key), std::string(value)});
  }
  return s;
}

absl::Status Transaction::Delete(Column column, absl::string_view key) {
  absl::Status s =
      FromRocksDb(txn_->Delete(storage_->Handle(column), Slice(key)));
  if (s.ok() && column == Column::kRecords) {
    committed_.records.push_back({std::string(key), std::nullopt});
  }
  return s;
}

void Transaction::AddEvent(std::string aggregate, std::string payload) {
  events_.emplace_back(std::move(aggregate), std::move(payload));
}

absl::Status Transaction::Commit() {
  if (done_) return absl::FailedPreconditionError("transaction already ended");
  done_ = true;
  if (absl::Status s =
          storage_->WriteTracked([this] { return CommitWithEvents(); });
      !s.ok()) {
    return s;
  }
  if (!committed_.records.empty()) {
    committed_.first_sequence = first_sequence_;
    storage_->NotifyObservers(committed_);
  }
  if (first_sequence_ != 0) storage_->FinishObserving(first_sequence_);
  return absl::OkStatus();
}

absl::Status Transaction::CommitWithEvents() {
  if (events_.empty()) return FromRocksDb(txn_->Commit());
  // The sequences are taken while this transaction holds its row locks, so
  // of two transactions that touch one record the later holds the later
  // sequences. The commit itself runs outside the mutex: concurrent commits
  // join one RocksDB write group and share its WAL sync (group commit).
  const uint64_t first = storage_->ReserveSequences(events_.size());
  uint64_t sequence = first;
  absl::Status s;
  for (const auto& [aggregate, payload] : events_) {
    s = FromRocksDb(txn_->Put(Handle(Column::kEvents),
                              Slice(EventKey(sequence)), Slice(payload)));
    if (s.ok()) {
      s = FromRocksDb(txn_->Put(Handle(Column::kIndex),
                                Slice(AggregateEventKey(aggregate, sequence)),
                                Slice("")));
    }
    if (!s.ok()) break;
    ++sequence;
  }
  if (s.ok()) s = FromRocksDb(txn_->Commit());
  storage_->ReleaseSequences(first);
  if (s.ok()) {
    first_sequence_ = first;  // Commit() finishes observing.
  } else {
    storage_->FinishObserving(first);
  }
  return s;
}

absl::Status Storage::WriteTracked(absl::FunctionRef<absl::Status()> write) {
  if (write_error_.load(std::memory_order_acquire)) return RefuseWrites();
  absl::Status s = write();
  // An I/O error (a full disk): no write may reach RocksDB again before it
  // is reopened (see the contract in storage.h).
  if (absl::IsUnavailable(s)) SetWriteFailure(s);
  return s;
}

absl::Status Storage::Append(const std::vector<Put>& puts,
                             Durability durability) {
  rocksdb::WriteBatch batch;
  for (const Put& put : puts) {
    if (put.column == Column::kRecords) {
      return absl::InvalidArgumentError(
          "Append cannot write records: their observers would not be told");
    }
    if (absl::Status s = FromRocksDb(
            batch.Put(Handle(put.column), Slice(put.key), Slice(put.value)));
        !s.ok()) {
      return s;
    }
  }
  // The keys are the caller's alone, so the row locks of a transaction
  // would guard nothing.
  rocksdb::TransactionDBWriteOptimizations unlocked;
  unlocked.skip_concurrency_control = true;
  return WriteTracked([&] {
    return FromRocksDb(
        db_->Write(WriteOptionsFor(durability), unlocked, &batch));
  });
}

absl::Status Storage::RefuseWrites() const {
  return absl::UnavailableError(
      absl::StrCat("storage refuses writes since a write to the disk failed: ",
                   WriteFailure().message(),
                   "; writes resume once the database is reopened"));
}

void Storage::SetWriteFailure(absl::Status failure) {
  absl::MutexLock lock(&failure_mu_);
  if (write_error_.load(std::memory_order_relaxed)) return;  // The first.
  write_failure_ = std::move(failure);
  write_error_.store(true, std::memory_order_release);
}

absl::Status Storage::WriteFailure() const {
  absl::MutexLock lock(&failure_mu_);
  return write_failure_;
}

uint64_t Storage::ReserveSequences(size_t count) {
  absl::MutexLock lock(&sequence_mu_);
  const uint64_t first = reserved_through_ + 1;
  reserved_through_ += count;
  in_flight_.insert(first);
  unobserved_.insert(first);
  return first;
}

void Storage::ReleaseSequences(uint64_t first) {
  absl::MutexLock lock(&sequence_mu_);
  in_flight_.erase(first);
  last_sequence_ =
      in_flight_.empty() ? reserved_through_ : *in_flight_.begin() - 1;
}

int Storage::AddCommitObserver(CommitObserver observer) {
  absl::WriterMutexLock lock(&observers_mu_);
  const int id = next_observer_id_++;
  observers_.emplace_back(id, std::move(observer));
  return id;
}

void Storage::RemoveCommitObserver(int id) {
  absl::WriterMutexLock lock(&observers_mu_);
  std::erase_if(observers_, [id](const auto& o) { return o.first == id; });
}

void Storage::NotifyObservers(const CommittedRecords& committed) const {
  if (options_.before_observers) {
    options_.before_observers(committed.first_sequence);
  }
  absl::ReaderMutexLock lock(&observers_mu_);
  for (const auto& [id, observer] : observers_) observer(committed);
}

Storage::Storage(Options options) : options_(std::move(options)) {}

Storage::~Storage() {
  if (db_ == nullptr) return;
  // After a write error the WAL's writer is unusable (this RocksDB build
  // asserts on writing to it again); nothing is buffered in it that a sync
  // could save, and flushing the memtables at close would write to it too.
  // What they hold is in the WAL already, replayed at the next open.
  if (!write_error_.load()) {
    db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
  } else {
    db_->SetDBOptions({{"avoid_flush_during_shutdown", "true"}})
        .PermitUncheckedError();
  }
  for (auto* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
  delete db_;
  db_ = nullptr;
}

absl::StatusOr<std::unique_ptr<Storage>> Storage::Open(Options options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("storage path is empty");
  }
  std::unique_ptr<Storage> storage(new Storage(std::move(options)));
  if (absl::Status s = storage->Init(); !s.ok()) return s;
  if (absl::Status s = storage->CheckSchema(); !s.ok()) return s;
  return storage;
}

absl::Status Storage::Init() {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // One budget for the six columns' memtables (each would otherwise grow to
  // 64 MiB, twice, before a flush).
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.memtable_bytes);
  db_options.max_open_files = 512;
  db_options.keep_log_file_num = 5;
  // The write group's leader inserts every batch of the group itself.
  // With the default, each writer inserts its own batch in parallel,
  // which on two cores shared with gRPC is mostly handing the group's
  // state from thread to thread: durable writes at 64 went from 3 950 to
  // 4 290/s (five alternating pairs, server CPU 423 → 390 µs a write).
  db_options.allow_concurrent_memtable_write = false;
  // A torn last record is a write that was never acknowledged (commits wait
  // for their sync); anything damaged before it is a disk fault, and
  // recovery must stop there with an error rather than drop the
  // acknowledged writes that follow (RocksDB's default would).
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // After a crash, start-up replays the WAL that was not flushed: with the
  // memtables' budget alone that was about 45 MB at scale 100 (1.7 s of a
  // 2.7-2.9 s start, against the 3 s goal). max_wal_bytes (16 MiB unless
  // set) bounds it; flushing the recovered memtables is left to the
  // background as well, instead of writing them out before the server can
  // serve.
  db_options.max_total_wal_size = options_.max_wal_bytes;
  db_options.avoid_flush_during_recovery = true;
  statistics_ = rocksdb::CreateDBStatistics();
  statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  db_options.statistics = statistics_;
  if (options_.file_system != nullptr) {
    env_ = rocksdb::NewCompositeEnv(options_.file_system);
    db_options.env = env_.get();
  }

  rocksdb::BlockBasedTableOptions table_options;
  // Index and filter blocks are charged to the block cache, so that memory
  // stays bounded by block_cache_bytes however large the data grows. They
  // are partitioned (4 KiB pieces under a small pinned top level): with one
  // index block per file, a 64 MiB file's index is ~1 MiB, and every read
  // that missed it in the cache read and decompressed all of it — at scale
  // 100 that was most of a durable write's CPU. Index and filter pieces
  // sit in the cache's high-priority pool, ahead of data blocks.
  table_options.block_cache = rocksdb::NewLRUCache(
      options_.block_cache_bytes, /*num_shard_bits=*/-1,
      /*strict_capacity_limit=*/false, /*high_pri_pool_ratio=*/0.5);
  table_options.cache_index_and_filter_blocks = true;
  table_options.cache_index_and_filter_blocks_with_high_priority = true;
  table_options.index_type =
      rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table_options.partition_filters = true;
  table_options.metadata_block_size = 4096;
  table_options.pin_top_level_index_and_filter = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  // Most point reads miss (a request id seen for the first time, a
  // participant's open participation): a Bloom filter answers those
  // without reading a data block.
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.optimize_filters_for_memory = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> columns;
  for (size_t i = 0; i < kColumnCount; ++i) {
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    cf_options.table_factory.reset(
        rocksdb::NewBlockBasedTableFactory(table_options));
    // TransactionDB keeps flushed memtables in memory as write history
    // unless told otherwise (it turns 0 into "max_write_buffer_number full
    // memtables per column"), outside the memtable budget. The history only
    // serves transactions that validate against a snapshot; ours lock
    // instead (GetForUpdate without SetSnapshot). At scale 100 it held
    // 160 MB after a minute of writes, and grew with every column written.
    // 1 byte: the smallest history RocksDB accepts, trimmed on the next
    // write.
    cf_options.max_write_buffer_size_to_maintain = 1;
    if (static_cast<Column>(i) == Column::kMeta) {
      // The in-memory views' checkpoints (hundreds of MB in 4 MiB values,
      // read once at start-up) go to blob files: a read is then one read
      // of the value, not a table block to fetch, check and copy. Blob
      // files whose values were all replaced go at compaction.
      cf_options.enable_blob_files = true;
      cf_options.min_blob_size = 64 << 10;
      cf_options.enable_blob_garbage_collection = true;
    }
    if (static_cast<Column>(i) == Column::kRequests) {
      request_filter_ = std::make_unique<ExpiredRequestFilter>(this);
      cf_options.compaction_filter = request_filter_.get();
    }
    columns.emplace_back(kColumnNames[i], cf_options);
  }

  rocksdb::TransactionDBOptions txn_db_options;
  txn_db_options.transaction_lock_timeout =
      absl::ToInt64Milliseconds(options_.lock_timeout);
  rocksdb::Status s = rocksdb::TransactionDB::Open(
      db_options, txn_db_options, options_.path, columns, &handles_, &db_);
  if (!s.ok()) return FromRocksDb(s);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Handle(Column::kEvents)));
  it->SeekToLast();
  absl::MutexLock lock(&sequence_mu_);
  last_sequence_ = it->Valid() ? EventKeySequence(View(it->key())) : 0;
  reserved_through_ = last_sequence_;
  return FromRocksDb(it->status());
}

rocksdb::ColumnFamilyHandle* Transaction::Handle(Column column) const {
  return storage_->Handle(column);
}

rocksdb::ColumnFamilyHandle* Storage::Handle(Column column) const {
  return handles_[static_cast<size_t>(column)];
}

rocksdb::WriteOptions Storage::WriteOptionsFor(Durability durability) const {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync && durability == Durability::kConfigured;
  return write_options;
}

std::unique_ptr<Transaction> Storage::Begin(Durability durability) {
  const rocksdb::WriteOptions write_options = WriteOptionsFor(durability);
  rocksdb::TransactionOptions txn_options;
  txn_options.deadlock_detect = true;
  txn_options.lock_timeout = absl::ToInt64Milliseconds(options_.lock_timeout);
  return std::unique_ptr<Transaction>(new Transaction(
      this, std::unique_ptr<rocksdb::Transaction>(
                db_->BeginTransaction(write_options, txn_options))));
}

std::unique_ptr<Reader> Storage::Snapshot() {
  return std::make_unique<SnapshotReader>(this);
}

std::vector<Storage::Figure> Storage::Figures() const {
  std::vector<Figure> figures;
  struct Ticker {
    rocksdb::Tickers ticker;
    const char* name;
  };
  constexpr Ticker kTickers[] = {
      {rocksdb::BLOCK_CACHE_HIT, "rocksdb_block_cache_hits_total"},
      {rocksdb::BLOCK_CACHE_MISS, "rocksdb_block_cache_misses_total"},
      {rocksdb::BYTES_WRITTEN, "rocksdb_bytes_written_total"},
      {rocksdb::BYTES_READ, "rocksdb_bytes_read_total"},
      {rocksdb::NUMBER_KEYS_WRITTEN, "rocksdb_keys_written_total"},
      {rocksdb::NUMBER_KEYS_READ, "rocksdb_keys_read_total"},
      {rocksdb::WAL_FILE_SYNCED, "rocksdb_wal_syncs_total"},
      {rocksdb::COMPACT_WRITE_BYTES, "rocksdb_compaction_bytes_written_total"},
      {rocksdb::STALL_MICROS, "rocksdb_stall_microseconds_total"},
  };
  for (const Ticker& t : kTickers) {
    figures.push_back({t.name, "", statistics_->getTickerCount(t.ticker),
                       /*counter=*/true});
  }
  for (size_t i = 0; i < kColumnCount; ++i) {
    const std::string labels =
        absl::StrCat("column_family=\"", kColumnNames[i], "\"");
    struct Property {
      const std::string* property;
      const char* name;
    };
    const Property properties[] = {
        {&rocksdb::DB::Properties::kEstimateNumKeys, "rocksdb_estimated_keys"},
        {&rocksdb::DB::Properties::kTotalSstFilesSize, "rocksdb_sst_bytes"},
        {&rocksdb::DB::Properties::kCurSizeAllMemTables,
         "rocksdb_memtable_bytes"},
        // With the memtables already flushed that readers still pin.
        {&rocksdb::DB::Properties::kSizeAllMemTables,
         "rocksdb_memtable_pinned_bytes"},
    };
    for (const Property& p : properties) {
      uint64_t value = 0;
      if (db_->GetIntProperty(handles_[i], *p.property, &value)) {
        figures.push_back({p.name, labels, value, /*counter=*/false});
      }
    }
  }
  uint64_t cache = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &cache)) {
    figures.push_back({"rocksdb_block_cache_usage_bytes", "", cache, false});
  }
  return figures;
}

absl::StatusOr<std::optional<std::string>> Storage::LastKey(Column column) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Handle(column)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocksDb(it->status());
  if (!it->Valid()) return std::nullopt;
  return std::string(View(it->key()));
}

uint64_t Storage::LastSequence() const {
  absl::MutexLock lock(&sequence_mu_);
  return last_sequence_;
}

void Storage::FinishObserving(uint64_t first) {
  absl::MutexLock lock(&sequence_mu_);
  unobserved_.erase(first);
}

uint64_t Storage::LastObservedSequence() const {
  absl::MutexLock lock(&sequence_mu_);
  // A commit leaves in_flight_ before unobserved_, so this is never past
  // last_sequence_.
  return unobserved_.empty() ? reserved_through_ : *unobserved_.begin() - 1;
}

uint64_t Storage::LastReservedSequence() const {
  absl::MutexLock lock(&sequence_mu_);
  return reserved_through_;
}

uint64_t Storage::WriteSequence() const {
  return db_->GetLatestSequenceNumber();
}

uint64_t Storage::WaitForSequence(uint64_t after, absl::Time deadline) const {
  struct Wait {
    const uint64_t* last;
    uint64_t after;
  } wait{&last_sequence_, after};
  absl::MutexLock lock(&sequence_mu_);
  sequence_mu_.AwaitWithDeadline(
      absl::Condition(
          +[](Wait* w) { return *w->last > w->after; }, &wait),
      deadline);
  return last_sequence_;
}

absl::StatusOr<int> Storage::SchemaVersion() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(Column::kMeta),
                               kSchemaVersionKey, &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksDb(s);
  int version = 0;
  if (!absl::SimpleAtoi(value, &version)) {
    return absl::DataLossError("stored schema version is unreadable");
  }
  return version;
}

absl::Status Storage::CheckSchema() {
  absl::StatusOr<int> stored = SchemaVersion();
  if (!stored.ok()) return stored.status();
  const int target = options_.schema_version;
  if (*stored > target) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory has schema version ", *stored,
                     " but this build knows only up to ", target,
                     "; use a newer jobtrackd"));
  }
  bool empty = true;
  if (*stored == 0) {
    std::unique_ptr<Reader> reader = Snapshot();
    absl::Status s = reader->Scan(Column::kRecords, "", "",
                                  [&](absl::string_view, absl::string_view) {
                                    empty = false;
                                    return false;
                                  });
    if (!s.ok()) return s;
  }
  // A new database starts at the current version; an old one migrates.
  int version = (*stored == 0 && empty) ? target : std::max(*stored, 1);
  std::vector<Migration> migrations = options_.migrations;
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) {
              return a.to_version < b.to_version;
            });
  for (const Migration& migration : migrations) {
    if (migration.to_version <= version || migration.to_version > target) {
      continue;
    }
    if (migration.to_version != version + 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no migration from schema version ", version, " to ", version + 1));
    }
    if (absl::Status s = migration.run(*this); !s.ok()) {
      return absl::Status(
          s.code(),
          absl::StrCat("migration to version ", migration.to_version, " (",
                       migration.description, ") failed: ", s.message()));
    }
    version = migration.to_version;
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    absl::Status s =
        FromRocksDb(db_->Put(write_options, Handle(Column::kMeta),
                             kSchemaVersionKey, absl::StrCat(version)));
    if (!s.ok()) return s;
  }
  if (version != target) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no migration from schema version ", version, " to ", target));
  }
  if (*stored != version) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    return FromRocksDb(db_->Put(write_options, Handle(Column::kMeta),
                                kSchemaVersionKey, absl::StrCat(version)));
  }
  return absl::OkStatus();
}

absl::Status Storage::PurgeExpiredRequests() {
  rocksdb::CompactRangeOptions compact_options;
  compact_options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  if (absl::Status s = FlushColumns({Handle(Column::kRequests)}); !s.ok()) {
    return s;
  }
  return FromRocksDb(db_->CompactRange(
      compact_options, Handle(Column::kRequests), nullptr, nullptr));
}

absl::Status Storage::Flush() { return FlushColumns(handles_); }

absl::Status Storage::FlushColumns(
    const std::vector<rocksdb::ColumnFamilyHandle*>& columns) {
  // A flush switches to a new WAL, writing to the old one's writer first.
  if (write_error_.load(std::memory_order_acquire)) return RefuseWrites();
  return FromRocksDb(db_->Flush(rocksdb::FlushOptions(), columns));
}

absl::Status Storage::CompactAll() {
  if (absl::Status s = Flush(); !s.ok()) return s;
  rocksdb::CompactRangeOptions compact_options;
  compact_options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (auto* handle : handles_) {
    absl::Status s = FromRocksDb(
        db_->CompactRange(compact_options, handle, nullptr, nullptr));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace jobtrack::storage
