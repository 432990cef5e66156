#include "storage/storage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "storage/keys.h"
#include "storage/records.pb.h"
#include "tests/support/test_env.h"

namespace jobtrack::storage {
namespace {

using jobtrack::testing::TempDir;

Options OptionsFor(const TempDir& dir) {
  Options options;
  options.path = dir.path() + "/db";
  options.lock_timeout = absl::Milliseconds(200);
  return options;
}

std::unique_ptr<Storage> OpenOrDie(Options options) {
  auto storage = Storage::Open(std::move(options));
  EXPECT_TRUE(storage.ok()) << storage.status();
  return storage.ok() ? *std::move(storage) : nullptr;
}

std::optional<std::string> Read(Storage& storage, Column column,
                                absl::string_view key) {
  auto value = storage.Snapshot()->Get(column, key);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : std::nullopt;
}

TEST(StorageTest, CommittedWriteCanBeReadBack) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kRecords, "k", "v").ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Read(*storage, Column::kRecords, "k"), "v");
  // Column families are separate key spaces.
  EXPECT_EQ(Read(*storage, Column::kIndex, "k"), std::nullopt);
}

TEST(StorageTest, AppendWritesItsKeysTogetherAndTellsNoObserver) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  int observed = 0;
  storage->AddCommitObserver([&](const CommittedRecords&) { ++observed; });
  ASSERT_TRUE(storage
                  ->Append({{Column::kAudit, "entry", "what happened"},
                            {Column::kIndex, "entry-by-term", ""}},
                           Durability::kBuffered)
                  .ok());
  EXPECT_EQ(Read(*storage, Column::kAudit, "entry"), "what happened");
  EXPECT_EQ(Read(*storage, Column::kIndex, "entry-by-term"), "");
  EXPECT_EQ(observed, 0);
}

TEST(StorageTest, AppendRefusesRecordsAndWritesNothingOfTheBatch) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  const absl::Status refused = storage->Append(
      {{Column::kAudit, "entry", "v"}, {Column::kRecords, "record", "v"}});
  EXPECT_TRUE(absl::IsInvalidArgument(refused)) << refused;
  EXPECT_EQ(Read(*storage, Column::kAudit, "entry"), std::nullopt);
  EXPECT_EQ(Read(*storage, Column::kRecords, "record"), std::nullopt);
}

TEST(StorageTest, CommitObserversSeeTheRecordsOfSuccessfulCommitsOnly) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  std::vector<CommittedRecords> seen;
  const int id =
      storage->AddCommitObserver([&](const CommittedRecords& committed) {
        // The commit is visible to the observer: each key holds its last
        // write.
        std::map<std::string, std::optional<std::string>> last;
        for (const auto& record : committed.records) {
          last[record.key] = record.value;
        }
        for (const auto& [key, value] : last) {
          EXPECT_EQ(Read(*storage, Column::kRecords, key), value);
        }
        seen.push_back(committed);
      });
  {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "1").ok());
    ASSERT_TRUE(txn->Put(Column::kIndex, "not-a-record", "").ok());
    ASSERT_TRUE(txn->Delete(Column::kRecords, "gone").ok());
    txn->AddEvent("a", "event");
    txn->AddEvent("a", "another event");
    ASSERT_TRUE(txn->Commit().ok());
  }
  {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "rolled-back", "1").ok());
  }
  {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kIndex, "index-only", "").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  {  // Without events: no sequence; the last write of a key comes last.
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "2").ok());
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "3").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "4").ok());
    txn->AddEvent("a", "event");
    ASSERT_TRUE(txn->Commit().ok());
  }
  ASSERT_EQ(seen.size(), 3u);
  ASSERT_EQ(seen[0].records.size(), 2u);
  EXPECT_EQ(seen[0].records[0].key, "a");
  EXPECT_EQ(seen[0].records[0].value, "1");
  EXPECT_EQ(seen[0].records[1].key, "gone");
  EXPECT_EQ(seen[0].records[1].value, std::nullopt);
  EXPECT_EQ(seen[0].first_sequence, 1u);
  ASSERT_EQ(seen[1].records.size(), 2u);
  EXPECT_EQ(seen[1].records[1].value, "3");
  EXPECT_EQ(seen[1].first_sequence, 0u);
  EXPECT_EQ(seen[2].first_sequence, 3u);  // After the two of the first.

  storage->RemoveCommitObserver(id);
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kRecords, "b", "1").ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(seen.size(), 3u);
}

TEST(StorageTest,
     AHookBeforeTheObserversCanHoldACommitBackWhileALaterOneIsObserved) {
  TempDir dir;
  Options options = OptionsFor(dir);
  absl::Notification first_waiting, release_first;
  options.before_observers = [&](uint64_t first_sequence) {
    if (first_sequence != 1) return;
    first_waiting.Notify();
    release_first.WaitForNotification();
  };
  auto storage = OpenOrDie(std::move(options));
  std::vector<uint64_t> order;
  absl::Mutex order_mu;
  const int id =
      storage->AddCommitObserver([&](const CommittedRecords& committed) {
        absl::MutexLock lock(&order_mu);
        order.push_back(committed.first_sequence);
      });
  auto write = [&](const std::string& value) {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->GetForUpdate(Column::kRecords, "k").ok());
    ASSERT_TRUE(txn->Put(Column::kRecords, "k", value).ok());
    txn->AddEvent("k", value);
    ASSERT_TRUE(txn->Commit().ok());
  };
  std::thread first([&] { write("first"); });
  first_waiting.WaitForNotification();
  // The first commit is written and its lock released: the second writes
  // the same key and is observed before it.
  write("second");
  EXPECT_EQ(storage->LastObservedSequence(), 0u);
  release_first.Notify();
  first.join();
  EXPECT_EQ(order, (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(storage->LastObservedSequence(), 2u);
  EXPECT_EQ(storage->LastReservedSequence(), 2u);
  EXPECT_EQ(Read(*storage, Column::kRecords, "k"), "second");
  storage->RemoveCommitObserver(id);
}

TEST(StorageTest, TheObservedSequenceStaysBelowACommitStillNotifying) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  absl::Notification in_observer, release;
  const int id = storage->AddCommitObserver([&](const auto&) {
    in_observer.Notify();
    release.WaitForNotification();
  });
  std::thread committer([&] {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "1").ok());
    txn->AddEvent("a", "event");
    ASSERT_TRUE(txn->Commit().ok());
  });
  in_observer.WaitForNotification();
  // Committed, so in the log; its observer has not returned.
  EXPECT_EQ(storage->LastSequence(), 1u);
  EXPECT_EQ(storage->LastObservedSequence(), 0u);
  release.Notify();
  committer.join();
  EXPECT_EQ(storage->LastObservedSequence(), 1u);
  storage->RemoveCommitObserver(id);
  // Without observers it follows the log.
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kRecords, "b", "1").ok());
  txn->AddEvent("b", "event");
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(storage->LastObservedSequence(), 2u);
}

TEST(StorageTest, UncommittedTransactionLeavesNothing) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  {
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "a", "1").ok());
    ASSERT_TRUE(txn->Put(Column::kIndex, "b", "").ok());
    // Own writes are visible inside the transaction.
    auto own = txn->Get(Column::kRecords, "a");
    ASSERT_TRUE(own.ok());
    EXPECT_EQ(*own, "1");
  }  // Destroyed without Commit: rolled back.
  EXPECT_EQ(Read(*storage, Column::kRecords, "a"), std::nullopt);
  EXPECT_EQ(Read(*storage, Column::kIndex, "b"), std::nullopt);
}

TEST(StorageTest, DataSurvivesReopen) {
  TempDir dir;
  {
    auto storage = OpenOrDie(OptionsFor(dir));
    auto txn = storage->Begin();
    ASSERT_TRUE(
        txn->Put(Column::kRecords, RecordKey("employers", "x"), "record").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto storage = OpenOrDie(OptionsFor(dir));
  EXPECT_EQ(Read(*storage, Column::kRecords, RecordKey("employers", "x")),
            "record");
}

TEST(StorageTest, WriteSequenceCountsEveryKeyWrittenAndSurvivesReopen) {
  TempDir dir;
  uint64_t after = 0;
  {
    auto storage = OpenOrDie(OptionsFor(dir));
    const uint64_t before = storage->WriteSequence();
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kMeta, "a", "1").ok());
    ASSERT_TRUE(
        txn->Put(Column::kRecords, RecordKey("employers", "x"), "r").ok());
    ASSERT_TRUE(txn->Delete(Column::kMeta, "gone").ok());
    ASSERT_TRUE(txn->Commit().ok());
    // What a checkpoint relies on: one step per key written or deleted.
    EXPECT_EQ(storage->WriteSequence(), before + 3);
    after = storage->WriteSequence();
    // Reads, snapshots, flushes and compactions write nothing.
    EXPECT_EQ(Read(*storage, Column::kMeta, "a"), "1");
    ASSERT_TRUE(storage->CompactAll().ok());
    EXPECT_EQ(storage->WriteSequence(), after);
  }
  auto storage = OpenOrDie(OptionsFor(dir));
  EXPECT_EQ(storage->WriteSequence(), after);
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kAudit, "b", "2").ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(storage->WriteSequence(), after + 1);
}

TEST(StorageTest, LargeMetaValuesSurviveFlushCompactionAndReopen) {
  // Column::kMeta keeps values of 64 KiB and more in blob files.
  TempDir dir;
  std::string big(5 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  {
    auto storage = OpenOrDie(OptionsFor(dir));
    for (int round = 0; round < 2; ++round) {
      auto txn = storage->Begin();
      big[0] = static_cast<char>(round);
      ASSERT_TRUE(txn->Put(Column::kMeta, "checkpoint", big).ok());
      ASSERT_TRUE(txn->Commit().ok());
      ASSERT_TRUE(storage->Flush().ok());
    }
    ASSERT_TRUE(storage->CompactAll().ok());
    EXPECT_EQ(Read(*storage, Column::kMeta, "checkpoint"), big);
  }
  // In a blob file, not a table block; the first round's, replaced, gone.
  int blobs = 0;
  for (const auto& f :
       std::filesystem::directory_iterator(dir.path() + "/db")) {
    if (f.path().extension() == ".blob") ++blobs;
  }
  EXPECT_EQ(blobs, 1);
  auto storage = OpenOrDie(OptionsFor(dir));
  EXPECT_EQ(Read(*storage, Column::kMeta, "checkpoint"), big);
}

// The memtable bytes RocksDB holds for `column` (`name` one of the
// Figures), or -1 if not reported.
int64_t MemtableFigure(const Storage& storage, absl::string_view name,
                       absl::string_view column) {
  const std::string labels = absl::StrCat("column_family=\"", column, "\"");
  for (const Storage::Figure& f : storage.Figures()) {
    if (f.name == name && f.labels == labels) {
      return static_cast<int64_t>(f.value);
    }
  }
  return -1;
}

TEST(StorageTest, FlushedMemtablesAreNotKeptAsWriteHistory) {
  // TransactionDB would keep every column's last flushed memtables (up to
  // 128 MiB each) as history for snapshot validation, which nothing here
  // uses: a flushed memtable must leave memory once writes go on.
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  const std::string value(1000, 'v');
  auto write = [&](int from, int count) {
    auto txn = storage->Begin();
    for (int i = from; i < from + count; ++i) {
      ASSERT_TRUE(txn->Put(Column::kRecords, absl::StrCat("k", i), value).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  };
  write(0, 4000);
  ASSERT_TRUE(storage->Flush().ok());
  // RocksDB trims the history on the writes after a flush.
  write(4000, 1);
  write(4001, 1);
  const int64_t unflushed =
      MemtableFigure(*storage, "rocksdb_memtable_bytes", "records");
  const int64_t resident =
      MemtableFigure(*storage, "rocksdb_memtable_pinned_bytes", "records");
  ASSERT_GT(unflushed, 0);
  // Nothing beyond the live memtable: the 4 MB flushed stays on disk only.
  EXPECT_EQ(resident, unflushed);
  EXPECT_EQ(Read(*storage, Column::kRecords, "k17"), value);
}

// The bytes of WAL in `path`: what the next open replays once the files
// whose memtables were flushed are gone.
uintmax_t WalBytes(const std::string& path) {
  uintmax_t bytes = 0;
  for (const auto& file : std::filesystem::directory_iterator(path)) {
    if (file.path().extension() == ".log") bytes += file.file_size();
  }
  return bytes;
}

TEST(StorageTest, TheWalNotYetFlushedStaysNearItsLimit) {
  // 24 MB written in synced commits of 100 KB, below the memtables'
  // budget.
  // With a 1 MiB WAL limit the memtables are flushed as the WAL passes it,
  // and once the storage is closed (which waits for those flushes) only
  // the last stretch of WAL is left to replay (0.4-0.8 MB in tries;
  // unsynced writes can run ahead of the flushes, to 6 MB); without one,
  // all of it.
  const std::string value(1000, 'v');
  auto wal_after_writes = [&](size_t max_wal_bytes) -> uintmax_t {
    TempDir dir;
    Options options = OptionsFor(dir);
    options.memtable_bytes = size_t{256} << 20;
    options.max_wal_bytes = max_wal_bytes;
    {
      auto storage = OpenOrDie(options);
      for (int batch = 0; batch < 240; ++batch) {
        auto txn = storage->Begin();
        for (int i = 0; i < 100; ++i) {
          EXPECT_TRUE(txn->Put(Column::kRecords,
                               absl::StrCat("k", batch * 100 + i), value)
                          .ok());
        }
        EXPECT_TRUE(txn->Commit().ok());
      }
    }
    const uintmax_t wal = WalBytes(options.path);
    // Nothing lost either way.
    auto reopened = OpenOrDie(options);
    EXPECT_EQ(Read(*reopened, Column::kRecords, "k23999"), value);
    return wal;
  };
  EXPECT_GT(wal_after_writes(0), uintmax_t{20} << 20);
  EXPECT_LT(wal_after_writes(1 << 20), uintmax_t{2} << 20);
}

TEST(StorageTest, ScanVisitsPrefixInOrderAndResumesAfterKey) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto txn = storage->Begin();
  for (const char* id : {"c", "a", "b"}) {
    ASSERT_TRUE(txn->Put(Column::kRecords, RecordKey("tracks", id), id).ok());
  }
  ASSERT_TRUE(txn->Put(Column::kRecords, RecordKey("trackz", "a"), "x").ok());
  ASSERT_TRUE(
      txn->Put(Column::kRecords, RecordKey("tracks/a/intakes", "i"), "x").ok());
  ASSERT_TRUE(txn->Commit().ok());

  std::vector<std::string> seen;
  auto collect = [&](absl::string_view, absl::string_view value) {
    seen.emplace_back(value);
    return true;
  };
  auto reader = storage->Snapshot();
  ASSERT_TRUE(
      reader->Scan(Column::kRecords, RecordPrefix("tracks"), "", collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  seen.clear();
  ASSERT_TRUE(reader
                  ->Scan(Column::kRecords, RecordPrefix("tracks"),
                         RecordKey("tracks", "a"), collect)
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"b", "c"}));
}

TEST(StorageTest, IndexScansFindEveryKeyAcrossTablesWhateverThePrefix) {
  // A scan reads the memtable and every table of every level: whatever its
  // prefix (one term, part of one, a whole collection), whether a
  // transaction's own writes are among them, and after a reopen. (A guard
  // for any read-path tuning: prefix filters, for one, may skip tables.)
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  // Three generations: two flushed tables and the memtable, each with keys
  // of term a; term b only in the first table, term c only in memory.
  auto write = [&](std::vector<std::pair<std::string, std::string>> keys) {
    auto txn = storage->Begin();
    for (const auto& [term, id] : keys) {
      ASSERT_TRUE(txn->Put(Column::kIndex, IndexKey("xs", term, id), id).ok());
    }
    ASSERT_TRUE(txn->Put(Column::kIndex, UniqueKey("xs", "u"), "1").ok());
    ASSERT_TRUE(txn->Commit().ok());
  };
  write({{"t=a", "1"}, {"t=b", "1"}, {"t=a", "4"}});
  ASSERT_TRUE(storage->Flush().ok());
  write({{"t=a", "2"}, {"t=a", "12"}});
  ASSERT_TRUE(storage->Flush().ok());
  write({{"t=a", "3"}, {"t=c", "1"}});

  auto ids = [](Reader& reader, absl::string_view prefix,
                absl::string_view after = "") {
    std::vector<std::string> seen;
    EXPECT_TRUE(reader
                    .Scan(Column::kIndex, prefix, after,
                          [&](absl::string_view, absl::string_view value) {
                            seen.emplace_back(value);
                            return true;
                          })
                    .ok());
    return seen;
  };
  using Ids = std::vector<std::string>;
  for (int open = 0; open < 2; ++open) {
    auto reader = storage->Snapshot();
    EXPECT_EQ(ids(*reader, IndexPrefix("xs", "t=a")),
              (Ids{"1", "12", "2", "3", "4"}));
    EXPECT_EQ(
        ids(*reader, IndexPrefix("xs", "t=a"), IndexKey("xs", "t=a", "2")),
        (Ids{"3", "4"}));
    EXPECT_EQ(ids(*reader, IndexPrefix("xs", "t=b")), Ids{"1"});
    EXPECT_EQ(ids(*reader, IndexPrefix("xs", "t=c")), Ids{"1"});
    EXPECT_TRUE(ids(*reader, IndexPrefix("xs", "t=d")).empty());
    // Longer than a term: part of the ids.
    EXPECT_EQ(ids(*reader, IndexPrefix("xs", "t=a") + "1"), (Ids{"1", "12"}));
    // Shorter: every term of the collection, and its unique key.
    EXPECT_EQ(ids(*reader, RecordPrefix("xs")).size(), 8u);
    EXPECT_EQ(ids(*reader, ""), ids(*reader, RecordPrefix("xs")));
    // A transaction sees its own writes among the stored ones.
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kIndex, IndexKey("xs", "t=c", "0"), "0").ok());
    EXPECT_EQ(ids(*txn, IndexPrefix("xs", "t=c")), (Ids{"0", "1"}));
    EXPECT_EQ(ids(*txn, IndexPrefix("xs", "t=a")),
              (Ids{"1", "12", "2", "3", "4"}));
    txn.reset();
    reader.reset();
    // And the same from the tables alone, after a compaction and a reopen.
    ASSERT_TRUE(storage->CompactAll().ok());
    storage.reset();
    storage = OpenOrDie(OptionsFor(dir));
  }
}

TEST(StorageTest, SnapshotDoesNotSeeLaterCommits) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto reader = storage->Snapshot();
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kRecords, "k", "v").ok());
  ASSERT_TRUE(txn->Commit().ok());
  auto value = reader->Get(Column::kRecords, "k");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, std::nullopt);
}

TEST(StorageTest, LockedKeyMakesSecondWriterAbort) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto first = storage->Begin();
  ASSERT_TRUE(first->GetForUpdate(Column::kRecords, "k").ok());
  auto second = storage->Begin();
  auto blocked = second->GetForUpdate(Column::kRecords, "k");
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(first->Commit().ok());
}

TEST(StorageTest, SharedLocksCoexistAndKeepWritersOut) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto first = storage->Begin();
  auto second = storage->Begin();
  ASSERT_TRUE(first->GetForShare(Column::kRecords, "k").ok());
  EXPECT_TRUE(second->GetForShare(Column::kRecords, "k").ok());
  auto writer = storage->Begin();
  EXPECT_EQ(writer->Put(Column::kRecords, "k", "v").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(writer->GetForUpdate(Column::kRecords, "k").status().code(),
            absl::StatusCode::kAborted);
  ASSERT_TRUE(first->Commit().ok());
  ASSERT_TRUE(second->Commit().ok());
  // Both released: the writer gets the key.
  auto later = storage->Begin();
  EXPECT_TRUE(later->Put(Column::kRecords, "k", "v").ok());
  EXPECT_TRUE(later->Commit().ok());
}

TEST(StorageTest, NewDatabaseStartsAtCurrentSchemaVersion) {
  TempDir dir;
  auto storage = OpenOrDie(OptionsFor(dir));
  auto version = storage->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, kSchemaVersion);
}

TEST(StorageTest, MigrationRunsOnceWhenSchemaVersionRises) {
  TempDir dir;
  {
    auto storage = OpenOrDie(OptionsFor(dir));
    auto txn = storage->Begin();
    ASSERT_TRUE(txn->Put(Column::kRecords, "old", "1").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  int runs = 0;
  Options options = OptionsFor(dir);
  options.schema_version = kSchemaVersion + 1;
  options.migrations.push_back(
      {kSchemaVersion + 1, "rename old to new", [&](Storage& s) {
         ++runs;
         auto txn = s.Begin();
         auto value = txn->GetForUpdate(Column::kRecords, "old");
         if (!value.ok()) return value.status();
         if (absl::Status st = txn->Delete(Column::kRecords, "old"); !st.ok())
           return st;
         if (absl::Status st = txn->Put(Column::kRecords, "new", **value);
             !st.ok()) {
           return st;
         }
         return txn->Commit();
       }});
  {
    auto storage = OpenOrDie(options);
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(*storage->SchemaVersion(), kSchemaVersion + 1);
    EXPECT_EQ(Read(*storage, Column::kRecords, "new"), "1");
  }
  auto again = OpenOrDie(options);
  EXPECT_EQ(runs, 1);
}

TEST(StorageTest, DataFromNewerSchemaIsRefused) {
  TempDir dir;
  Options newer = OptionsFor(dir);
  newer.schema_version = kSchemaVersion + 1;
  newer.migrations.push_back(
      {kSchemaVersion + 1, "noop", [](Storage&) { return absl::OkStatus(); }});
  { OpenOrDie(newer); }
  auto old = Storage::Open(OptionsFor(dir));
  EXPECT_EQ(old.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(StorageTest, ExpiredRequestRecordsAreDroppedByPurge) {
  TempDir dir;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  Options options = OptionsFor(dir);
  options.request_ttl = absl::Hours(24);
  options.now = [&now] { return now; };
  auto storage = OpenOrDie(options);
  auto put = [&](const std::string& key, absl::Time at) {
    RequestRecord record;
    record.set_record_time_micros(absl::ToUnixMicros(at));
    auto txn = storage->Begin();
    ASSERT_TRUE(
        txn->Put(Column::kRequests, key, record.SerializeAsString()).ok());
    ASSERT_TRUE(txn->Commit().ok());
  };
  put("old", now - absl::Hours(30));
  put("fresh", now - absl::Hours(1));
  ASSERT_TRUE(storage->PurgeExpiredRequests().ok());
  EXPECT_EQ(Read(*storage, Column::kRequests, "old"), std::nullopt);
  EXPECT_NE(Read(*storage, Column::kRequests, "fresh"), std::nullopt);
}

}  // namespace
}  // namespace jobtrack::storage
