// Storage under disk faults: a crash that loses every unsynced write, a
// full disk, and corrupt files at start-up (issue 9, ruling 9.7).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/keys.h"
#include "storage/storage.h"
#include "tests/support/fault_file_system.h"
#include "tests/support/test_env.h"

namespace jobtrack::storage {
namespace {

using jobtrack::testing::FaultFileSystem;
using jobtrack::testing::TempDir;
using ::testing::HasSubstr;

Options OptionsOn(const TempDir& dir, std::shared_ptr<FaultFileSystem> fs) {
  Options options;
  options.path = dir.path() + "/db";
  options.file_system = std::move(fs);
  return options;
}

std::unique_ptr<Storage> OpenOrDie(Options options) {
  auto storage = Storage::Open(std::move(options));
  EXPECT_TRUE(storage.ok()) << storage.status();
  return storage.ok() ? *std::move(storage) : nullptr;
}

std::optional<std::string> Read(Storage& storage, absl::string_view key,
                                Column column = Column::kRecords) {
  auto value = storage.Snapshot()->Get(column, key);
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : std::nullopt;
}

absl::Status WriteRecordWithEvent(Storage& storage, const std::string& key) {
  auto txn = storage.Begin();
  if (auto s = txn->Put(Column::kRecords, key, "value of " + key); !s.ok()) {
    return s;
  }
  txn->AddEvent("things/" + key, "created " + key);
  return txn->Commit();
}

// Commits from `threads` threads at once (so that commits share WAL syncs)
// and returns the keys whose commits were acknowledged.
std::vector<std::string> CommitConcurrently(Storage& storage, int threads,
                                            int per_thread) {
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string key = absl::StrCat("k", t, "-", i);
        if (WriteRecordWithEvent(storage, key).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(key);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return acknowledged;
}

// Events 1..n, each present, none after.
void ExpectEventLogWithoutGaps(Storage& storage, uint64_t n) {
  EXPECT_EQ(storage.LastSequence(), n);
  uint64_t expected = 1;
  auto reader = storage.Snapshot();
  ASSERT_TRUE(reader
                  ->Scan(Column::kEvents, "", "",
                         [&](absl::string_view key, absl::string_view) {
                           EXPECT_EQ(EventKeySequence(key), expected);
                           ++expected;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(expected, n + 1);
}

TEST(StorageFaultTest,
     AcknowledgedConcurrentCommitsSurviveACrashThatDropsUnsyncedData) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  auto storage = OpenOrDie(OptionsOn(dir, fs));
  const auto acknowledged = CommitConcurrently(*storage, 8, 150);
  ASSERT_EQ(acknowledged.size(), 8u * 150u);
  // Writes that nobody waited for are in the WAL but not synced: a crash
  // may lose them, and that is allowed.
  {
    auto buffered = storage->Begin(Durability::kBuffered);
    ASSERT_TRUE(buffered->Put(Column::kAudit, "read", "entry").ok());
    ASSERT_TRUE(buffered->Commit().ok());
  }

  fs->Crash();
  storage.reset();
  ASSERT_TRUE(fs->DropUnsyncedData().ok());

  storage = OpenOrDie(OptionsOn(dir, fs));
  for (const auto& key : acknowledged) {
    EXPECT_EQ(Read(*storage, key), "value of " + key) << key;
  }
  ExpectEventLogWithoutGaps(*storage, acknowledged.size());
}

// The control that shows the crash above is real: without the WAL sync,
// acknowledged writes are lost.
TEST(StorageFaultTest, WithoutSyncACrashLosesAcknowledgedCommits) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  Options options = OptionsOn(dir, fs);
  options.sync = false;
  auto storage = OpenOrDie(options);
  const auto acknowledged = CommitConcurrently(*storage, 4, 50);
  ASSERT_EQ(acknowledged.size(), 200u);

  fs->Crash();
  storage.reset();
  auto dropped = fs->DropUnsyncedData();
  ASSERT_TRUE(dropped.ok());
  EXPECT_GT(*dropped, 0u);

  storage = OpenOrDie(options);
  int lost = 0;
  for (const auto& key : acknowledged) {
    if (!Read(*storage, key).has_value()) ++lost;
  }
  EXPECT_GT(lost, 0);
}

TEST(StorageFaultTest, FullDiskFailsTheCommitWithUnavailableAndLeavesNothing) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  auto storage = OpenOrDie(OptionsOn(dir, fs));
  ASSERT_TRUE(WriteRecordWithEvent(*storage, "before").ok());

  fs->SetDiskFull(true);
  const absl::Status full = WriteRecordWithEvent(*storage, "refused");
  EXPECT_TRUE(absl::IsUnavailable(full)) << full;
  EXPECT_THAT(full.message(), HasSubstr("No space left"));
  // While the disk stays full, every write is refused, clearly.
  const absl::Status still_full = WriteRecordWithEvent(*storage, "refused2");
  EXPECT_TRUE(absl::IsUnavailable(still_full)) << still_full;
  EXPECT_EQ(Read(*storage, "refused"), std::nullopt);
  EXPECT_EQ(Read(*storage, "refused2"), std::nullopt);
  EXPECT_EQ(Read(*storage, "before"), "value of before");

  EXPECT_THAT(storage->WriteFailure().message(), HasSubstr("No space left"));

  // Space returns. A failed WAL write is cleared by reopening (jobtrackd
  // restarts itself for that); nothing of the refused commits comes back,
  // and the event log holds only the acknowledged events (a failed commit
  // may leave a gap in the numbering, never a half-written event).
  fs->SetDiskFull(false);
  storage.reset();
  storage = OpenOrDie(OptionsOn(dir, fs));
  EXPECT_TRUE(storage->WriteFailure().ok());
  const absl::Status after = WriteRecordWithEvent(*storage, "after");
  EXPECT_TRUE(after.ok()) << after;
  EXPECT_EQ(Read(*storage, "before"), "value of before");
  EXPECT_EQ(Read(*storage, "after"), "value of after");
  EXPECT_EQ(Read(*storage, "refused"), std::nullopt);
  EXPECT_EQ(Read(*storage, "refused2"), std::nullopt);
  int events = 0;
  ASSERT_TRUE(storage->Snapshot()
                  ->Scan(Column::kEvents, "", "",
                         [&](absl::string_view, absl::string_view value) {
                           EXPECT_THAT(std::string(value),
                                       ::testing::Not(HasSubstr("refused")));
                           ++events;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(events, 2);
}

// RocksDB 7.8 recovers from a failed WAL write on a thread of its own once
// the disk has room; when no memtable held data, that recovery keeps the
// failed WAL's writer, and the next write to it aborted the process (a
// debug assertion Debian's build keeps). No write may reach RocksDB again
// before a reopen. The test cannot drive RocksDB's thread, so it keeps
// writing for five seconds after space returns (RocksDB's recovery ran
// within one second here): each write is refused, and the process lives.
TEST(StorageFaultTest, AfterAFailedWalWriteWritesAreRefusedUntilReopened) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  auto storage = OpenOrDie(OptionsOn(dir, fs));
  ASSERT_TRUE(WriteRecordWithEvent(*storage, "before").ok());
  ASSERT_TRUE(storage->Flush().ok());  // No memtable holds data.
  fs->SetDiskFull(true);
  EXPECT_TRUE(absl::IsUnavailable(WriteRecordWithEvent(*storage, "refused")));
  fs->SetDiskFull(false);
  const absl::Time until = absl::Now() + absl::Seconds(5);
  for (int i = 0; absl::Now() < until; ++i) {
    const absl::Status s =
        WriteRecordWithEvent(*storage, absl::StrCat("later", i));
    ASSERT_TRUE(absl::IsUnavailable(s)) << s;
    EXPECT_THAT(s.message(), HasSubstr("No space left"));
    EXPECT_TRUE(absl::IsUnavailable(
        storage->Append({{Column::kAudit, absl::StrCat("later", i), "v"}})));
    EXPECT_TRUE(absl::IsUnavailable(storage->Flush()));
    absl::SleepFor(absl::Milliseconds(50));
  }
  storage.reset();  // Closes without flushing over the failed WAL.
  storage = OpenOrDie(OptionsOn(dir, fs));
  EXPECT_TRUE(WriteRecordWithEvent(*storage, "after").ok());
  EXPECT_EQ(Read(*storage, "before"), "value of before");
  EXPECT_EQ(Read(*storage, "after"), "value of after");
  EXPECT_EQ(Read(*storage, "refused"), std::nullopt);
  EXPECT_EQ(Read(*storage, "later0"), std::nullopt);
}

TEST(StorageFaultTest, FullDiskFailsAnAppendWithUnavailableAndLeavesNothing) {
  TempDir dir;
  auto fs = std::make_shared<FaultFileSystem>();
  auto storage = OpenOrDie(OptionsOn(dir, fs));
  fs->SetDiskFull(true);
  const absl::Status full = storage->Append({{Column::kAudit, "refused", "v"}},
                                            Durability::kBuffered);
  EXPECT_TRUE(absl::IsUnavailable(full)) << full;
  EXPECT_THAT(storage->WriteFailure().message(), HasSubstr("No space left"));
  EXPECT_EQ(Read(*storage, "refused", Column::kAudit), std::nullopt);
  // Commits after it are refused clearly too, until the disk has room and
  // the database is reopened.
  EXPECT_TRUE(absl::IsUnavailable(WriteRecordWithEvent(*storage, "after")));
  fs->SetDiskFull(false);
  storage.reset();
  storage = OpenOrDie(OptionsOn(dir, fs));
  ASSERT_TRUE(
      storage
          ->Append({{Column::kAudit, "accepted", "v"}}, Durability::kBuffered)
          .ok());
  EXPECT_TRUE(storage->WriteFailure().ok());
  EXPECT_EQ(Read(*storage, "accepted", Column::kAudit), "v");
  EXPECT_EQ(Read(*storage, "refused", Column::kAudit), std::nullopt);
}

TEST(StorageFaultTest, CorruptCurrentFileAtStartUpIsAClearErrorNotACrash) {
  TempDir dir;
  Options options;
  options.path = dir.path() + "/db";
  {
    auto storage = OpenOrDie(options);
    ASSERT_TRUE(WriteRecordWithEvent(*storage, "k").ok());
  }
  std::ofstream(options.path + "/CURRENT", std::ios::trunc) << "garbage\n";
  auto storage = Storage::Open(options);
  ASSERT_FALSE(storage.ok());
  EXPECT_NE(storage.status().code(), absl::StatusCode::kOk);
  EXPECT_THAT(storage.status().message(), HasSubstr("CURRENT"));
}

// 200 commits into a fresh database at `options.path`, flushed into table
// files if `flush`.
void WriteTwoHundred(const Options& options, bool flush) {
  auto storage = OpenOrDie(options);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(WriteRecordWithEvent(*storage, absl::StrCat("k", i)).ok());
  }
  if (flush) {
    ASSERT_TRUE(storage->Flush().ok());
  }
}

TEST(StorageFaultTest, ADamagedLogBeforeItsLastRecordIsAnErrorNotSilentLoss) {
  TempDir dir;
  Options options;
  options.path = dir.path() + "/db";
  WriteTwoHundred(options, /*flush=*/false);
  ASSERT_EQ(jobtrack::testing::DamageFiles(options.path, ".log", 0.5, 4096), 1);
  auto storage = Storage::Open(options);
  ASSERT_FALSE(storage.ok()) << "opened, dropping the writes after the damage";
  EXPECT_EQ(storage.status().code(), absl::StatusCode::kDataLoss)
      << storage.status();
}

TEST(StorageFaultTest, CorruptTableFileGivesDataLossOnRead) {
  TempDir dir;
  Options options;
  options.path = dir.path() + "/db";
  WriteTwoHundred(options, /*flush=*/true);
  ASSERT_GT(jobtrack::testing::DamageFiles(options.path, ".sst", 0.25), 0);
  auto storage = Storage::Open(options);
  if (!storage.ok()) {
    // Caught at open: a clear error is just as good.
    EXPECT_EQ(storage.status().code(), absl::StatusCode::kDataLoss)
        << storage.status();
    return;
  }
  absl::Status scanned = (*storage)->Snapshot()->Scan(
      Column::kRecords, "", "",
      [](absl::string_view, absl::string_view) { return true; });
  EXPECT_EQ(scanned.code(), absl::StatusCode::kDataLoss) << scanned;
  EXPECT_THAT(scanned.message(), HasSubstr("corruption"));
}

}  // namespace
}  // namespace jobtrack::storage
