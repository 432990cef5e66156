// Storage: jobtrack's RocksDB database.
//
// Contract:
// - Thread safety: Storage, and Reader objects, are safe to use from many
//   threads; a Transaction belongs to one thread at a time.
// - Ownership: Transactions and Readers must be destroyed before the
//   Storage that made them.
// - Durability: with Options::sync (the default) Commit() returns only after
//   the write-ahead log has been synced, so an acknowledged write survives a
//   crash of the process or the machine. Concurrent commits share one sync.
// - Isolation: Transaction::GetForUpdate locks a key (pessimistically) until
//   the transaction ends; a lock that cannot be had in time, or a deadlock,
//   fails with ABORTED. Plain reads see the latest committed data plus the
//   transaction's own writes.
// - Errors: every call returns absl::Status (see status.h for the mapping).
//   A failed write to the disk (full, I/O error) fails that commit with
//   UNAVAILABLE and leaves nothing of it behind. From then on every write
//   (commits, appends, flushes, backups) is refused with UNAVAILABLE, and
//   reads go on, until the database is reopened (WriteFailure()). RocksDB
//   7.8 cannot be trusted to recover in place: after a failed WAL write,
//   its own recovery may succeed without replacing the WAL's writer (when
//   no memtable holds data), and the next write to that writer aborts the
//   process (a debug assertion that Debian's build keeps; later RocksDB
//   releases fixed both).
#ifndef JOBTRACK_STORAGE_STORAGE_H_
#define JOBTRACK_STORAGE_STORAGE_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace rocksdb {
class ColumnFamilyHandle;
class CompactionFilter;
class Env;
class FileSystem;
class Snapshot;
class Statistics;
class Transaction;
class TransactionDB;
struct WriteOptions;
}  // namespace rocksdb

namespace jobtrack::storage {

enum class Column { kMeta, kRecords, kIndex, kRequests, kEvents, kAudit };

// Whether a commit waits for the write-ahead log to reach the disk.
enum class Durability {
  // As Options::sync says (the default for every write).
  kConfigured,
  // Written to the WAL but not synced before Commit returns: survives a
  // crash of the process, not of the machine, until the next synced commit
  // (which syncs everything before it). For the audit entries of reads.
  kBuffered,
};

// The schema version this build writes. Bump it, and add a Migration, when
// the stored layout changes. 2: participations carry latest_event_date.
// 3: intakes' seats are kept in a ledger (storage/keys.h).
inline constexpr int kSchemaVersion = 3;

class Backups;
class Storage;

// Upgrades the stored data from `to_version - 1` to `to_version`. Runs at
// Open, before anything else touches the data, in ascending order.
struct Migration {
  int to_version;
  std::string description;
  std::function<absl::Status(Storage&)> run;
};

struct Options {
  std::string path;
  // Sync the WAL before a commit is acknowledged.
  bool sync = true;
  size_t block_cache_bytes = 64 << 20;
  // The memtables of all columns together: past it, the largest is flushed.
  // With the block cache, this bounds what RocksDB holds in memory.
  size_t memtable_bytes = 64 << 20;
  // The WAL not yet flushed: past it, the memtables it backs are flushed.
  // It bounds what a start after a crash replays. 0: RocksDB's own limit
  // (four times memtable_bytes), for bulk loads.
  size_t max_wal_bytes = 16 << 20;
  // Request-id records older than this are dropped (at compaction) and are
  // ignored by lookups before that.
  absl::Duration request_ttl = absl::Hours(24 * 7);
  // Time source for the expiry of request-id records; absl::Now if empty.
  std::function<absl::Time()> now;
  // How long a transaction waits for a row lock before ABORTED.
  absl::Duration lock_timeout = absl::Seconds(5);
  // The version this build expects, and the migrations to get there.
  int schema_version = kSchemaVersion;
  std::vector<Migration> migrations;
  // The file system RocksDB writes through; the local one if empty. Tests
  // put a fault-injecting wrapper here (a full disk, a crash that loses
  // unsynced writes).
  std::shared_ptr<rocksdb::FileSystem> file_system;
  // Tests only: called with a commit's first sequence (0 without events)
  // on the committing thread, once the commit is written and its locks
  // released, before its observers. A test that blocks here makes commits
  // reach their observers in another order than they were written.
  std::function<void(uint64_t first_sequence)> before_observers;
};

// What a commit wrote in Column::kRecords, as told to commit observers.
struct CommittedRecords {
  struct Record {
    std::string key;
    // The value written, or nullopt if the commit deleted the key.
    std::optional<std::string> value;
  };
  // In the order written, possibly repeated: the last write of a key is
  // the one that stays.
  std::vector<Record> records;
  // The sequence of the commit's first event, or 0 if it added none. Of
  // two commits with events that wrote one key, the later has the greater
  // (Transaction::Commit).
  uint64_t first_sequence = 0;
};

using CommitObserver = std::function<void(const CommittedRecords& committed)>;

// Visits one key and value; return false to stop.
using ScanVisitor =
    std::function<bool(absl::string_view key, absl::string_view value)>;

// Read access. Implemented by snapshots and by transactions.
class Reader {
 public:
  virtual ~Reader() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(
      Column column, absl::string_view key) = 0;
  // Visits the keys that start with `prefix`, in order, beginning after
  // `start_after` if it is not empty (it must then start with `prefix`).
  virtual absl::Status Scan(Column column, absl::string_view prefix,
                            absl::string_view start_after,
                            const ScanVisitor& visit) = 0;
};

class Transaction : public Reader {
 public:
  ~Transaction() override;  // Rolls back unless committed.

  absl::StatusOr<std::optional<std::string>> Get(
      Column column, absl::string_view key) override;
  absl::Status Scan(Column column, absl::string_view prefix,
                    absl::string_view start_after,
                    const ScanVisitor& visit) override;
  // Reads the latest committed value (or this transaction's own write) and
  // locks the key, present or not, until the transaction ends.
  absl::StatusOr<std::optional<std::string>> GetForUpdate(
      Column column, absl::string_view key);
  // The same with a shared lock: other transactions may read-lock the key
  // too, none may write it until this one ends. For a record that a write
  // depends on but does not change (the track of a proposal), so that
  // writes that depend on it run side by side.
  absl::StatusOr<std::optional<std::string>> GetForShare(Column column,
                                                         absl::string_view key);
  absl::Status Put(Column column, absl::string_view key,
                   absl::string_view value);
  absl::Status Delete(Column column, absl::string_view key);
  // Appends an event to write at commit: `payload` is stored in the event
  // log under the next free sequence and indexed under `aggregate` (a
  // resource name). Events keep the order in which they were added.
  void AddEvent(std::string aggregate, std::string payload);

  // Writes everything atomically. The transaction cannot be used afterwards.
  // With a synced durability, the writes become visible only once the WAL
  // is synced; concurrent commits share one sync (group commit).
  //
  // Events are numbered when the commit begins, while the transaction
  // still holds its locks: of two transactions that wrote one key, the
  // later commit has the later sequences. Unrelated commits may finish out
  // of sequence order, so a snapshot can hold event N+1 before N; readers
  // of the log stop at Storage::LastSequence(), read before their snapshot,
  // below which every event is either committed or abandoned. A commit
  // that fails leaves its sequences unused (a gap the log never fills).
  absl::Status Commit();

  // After a successful Commit with events: the sequence of the first one.
  uint64_t first_sequence() const { return first_sequence_; }

 private:
  friend class Storage;
  Transaction(Storage* storage, std::unique_ptr<rocksdb::Transaction> txn);
  absl::StatusOr<std::optional<std::string>> GetLocked(Column column,
                                                       absl::string_view key,
                                                       bool exclusive);
  // The RocksDB commit, with the events numbered and written.
  absl::Status CommitWithEvents();
  rocksdb::ColumnFamilyHandle* Handle(Column column) const;
  Storage* storage_;
  std::unique_ptr<rocksdb::Transaction> txn_;
  std::vector<std::pair<std::string, std::string>> events_;
  // What was written in Column::kRecords, for the commit observers.
  CommittedRecords committed_;
  uint64_t first_sequence_ = 0;
  bool done_ = false;
};

class Storage {
 public:
  // Opens (creating if needed) the database at options.path, checks the
  // schema version and runs pending migrations. FAILED_PRECONDITION if the
  // data was written by a newer schema than this build knows.
  static absl::StatusOr<std::unique_ptr<Storage>> Open(Options options);
  ~Storage();  // Flushes and closes cleanly.

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  std::unique_ptr<Transaction> Begin(
      Durability durability = Durability::kConfigured);
  // A consistent read-only view as of now.
  std::unique_ptr<Reader> Snapshot();

  // A key and value to write with Append.
  struct Put {
    Column column;
    std::string key;
    std::string value;
  };
  // Writes `puts` atomically, outside any transaction: no row locks, no
  // events, no commit observers (so nothing in Column::kRecords). Only for
  // keys that no other writer writes, such as a log's fresh unique keys;
  // cheaper than a Transaction. Errors and durability as Commit.
  absl::Status Append(const std::vector<Put>& puts,
                      Durability durability = Durability::kConfigured);

  // The greatest key of `column`, or nullopt if it is empty.
  absl::StatusOr<std::optional<std::string>> LastKey(Column column);

  // The sequence up to which every event is settled: committed (and, with
  // a synced durability, on disk) or abandoned by a failed commit. 0 if
  // none. A snapshot taken after this call holds every committed event up
  // to it, so readers of the log scan no further than it.
  uint64_t LastSequence() const;
  // Like LastSequence(), and also below every commit whose observers have
  // not all returned yet: a view that commit observers keep holds every
  // event up to it, whatever commits are in progress. Thread-safe; used to
  // save such a view while serving.
  uint64_t LastObservedSequence() const;
  // The last sequence handed to a commit. A snapshot taken before this call
  // holds no commit whose first sequence is greater. Thread-safe.
  uint64_t LastReservedSequence() const;
  // RocksDB's count of writes: every Put or Delete that reaches the
  // database, in any column, advances it by one, and reopening keeps it.
  // A view of the data saved together with the value this will have once
  // the save itself is written (WriteSequence() before it plus the number
  // of keys it writes or deletes) is current exactly while the two agree:
  // nothing has been written since, not even by another process between
  // runs. Thread-safe.
  uint64_t WriteSequence() const;
  // Blocks until an event after `after` is committed or `deadline` passes;
  // returns LastSequence(). Thread-safe; used by change-stream readers.
  uint64_t WaitForSequence(uint64_t after, absl::Time deadline) const;

  // Registers `observer` to be called after every successful commit that
  // touched Column::kRecords, on the committing thread, before Commit()
  // returns, so a caller that sees its commit acknowledged also sees every
  // view derived by observers. Observers may read (Snapshot) but must not
  // commit. Commits on different threads may call an observer
  // concurrently and in any order: an observer that keeps a view of the
  // records either re-reads what changed or orders the values it is told
  // by first_sequence (with LastObservedSequence, no call of a commit below
  // it is still to come). Returns an id for RemoveCommitObserver.
  int AddCommitObserver(CommitObserver observer);
  // Unregisters; waits for calls of that observer in progress to return.
  void RemoveCommitObserver(int id);

  // Figures for monitoring, as (name, labels, value): RocksDB's counters
  // since start (cache hits and misses, bytes read and written, WAL syncs,
  // compaction bytes, stall time) and per column family its estimated keys,
  // SST bytes, memtable bytes (not yet flushed) and memtable bytes still
  // resident (with flushed ones that readers hold), and the block cache's
  // usage. Names are Prometheus metric names; labels are `key="value"`
  // pairs or empty.
  struct Figure {
    std::string name;
    std::string labels;
    uint64_t value = 0;
    bool counter = false;  // Else a gauge.
  };
  std::vector<Figure> Figures() const;

  // Why writes are refused since a write to the disk failed (UNAVAILABLE
  // with RocksDB's message: "No space left on device"), or OK. Lasts until
  // the database is reopened (jobtrackd restarts itself once the disk has
  // space again).
  absl::Status WriteFailure() const;

  // The schema version of the stored data.
  absl::StatusOr<int> SchemaVersion();
  // Compacts the request-id column family, dropping expired records.
  absl::Status PurgeExpiredRequests();
  // Flushes memtables to SST files (used before backups and by tests).
  absl::Status Flush();
  // Compacts every column family, flushing first (tests use it to prove
  // erased data is gone; the dataset generator to leave its data compacted).
  absl::Status CompactAll();

  const Options& options() const { return options_; }
  absl::Time Now() const { return options_.now ? options_.now() : absl::Now(); }

 private:
  friend class Transaction;
  friend class SnapshotReader;
  friend class Backups;
  explicit Storage(Options options);
  absl::Status Init();
  absl::Status CheckSchema();
  rocksdb::ColumnFamilyHandle* Handle(Column column) const;

  // What every write gets once one has failed on the disk.
  absl::Status RefuseWrites() const;
  // Flushes the memtables of `columns`; refused as a write once one failed
  // on the disk. Every flush goes through it.
  absl::Status FlushColumns(
      const std::vector<rocksdb::ColumnFamilyHandle*>& columns);
  // Runs `write` (a RocksDB write) unless a write has failed on the disk
  // before, and records its own failure. A FunctionRef: on the path of
  // every commit, it allocates nothing.
  absl::Status WriteTracked(absl::FunctionRef<absl::Status()> write);
  rocksdb::WriteOptions WriteOptionsFor(Durability durability) const;

  Options options_;
  // Wraps options_.file_system, if set; outlives db_.
  std::unique_ptr<rocksdb::Env> env_;
  rocksdb::TransactionDB* db_ = nullptr;
  mutable absl::Mutex failure_mu_;
  // Set, for good, when a write failed on the disk.
  std::atomic<bool> write_error_{false};
  absl::Status write_failure_ ABSL_GUARDED_BY(failure_mu_);
  void SetWriteFailure(absl::Status failure);
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // Numbers the events of a commit (which must call ReleaseSequences with
  // the first of them when it has succeeded or failed, and FinishObserving
  // once its observers have returned or it has failed).
  uint64_t ReserveSequences(size_t count);
  void ReleaseSequences(uint64_t first);
  // Once the commit that reserved from `first` has called its observers,
  // or failed (see LastObservedSequence).
  void FinishObserving(uint64_t first);

  mutable absl::Mutex sequence_mu_;
  // The last sequence handed out.
  uint64_t reserved_through_ ABSL_GUARDED_BY(sequence_mu_) = 0;
  // The first sequences of the commits in progress.
  absl::btree_set<uint64_t> in_flight_ ABSL_GUARDED_BY(sequence_mu_);
  // The first sequences of the commits that have not finished observing.
  absl::btree_set<uint64_t> unobserved_ ABSL_GUARDED_BY(sequence_mu_);
  // What LastSequence() answers: below the first commit in progress.
  uint64_t last_sequence_ ABSL_GUARDED_BY(sequence_mu_) = 0;
  void NotifyObservers(const CommittedRecords& committed) const;
  // Shared while notifying, exclusive to add or remove.
  mutable absl::Mutex observers_mu_;
  std::vector<std::pair<int, CommitObserver>> observers_
      ABSL_GUARDED_BY(observers_mu_);
  int next_observer_id_ ABSL_GUARDED_BY(observers_mu_) = 1;
  // RocksDB's counters (tickers); shared with the options of db_.
  std::shared_ptr<rocksdb::Statistics> statistics_;
  // Referenced by the requests column family's options; outlives db_.
  std::unique_ptr<rocksdb::CompactionFilter> request_filter_;
};

}  // namespace jobtrack::storage

#endif  // JOBTRACK_STORAGE_STORAGE_H_
