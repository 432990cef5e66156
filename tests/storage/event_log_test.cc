#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/storage.h"
#include "tests/support/test_env.h"

namespace jobtrack::storage {
namespace {

using jobtrack::testing::TempDir;

std::unique_ptr<Storage> Open(const TempDir& dir) {
  Options options;
  options.path = dir.path() + "/db";
  auto storage = Storage::Open(options);
  EXPECT_TRUE(storage.ok()) << storage.status();
  return *std::move(storage);
}

std::vector<std::pair<uint64_t, std::string>> ReadLog(Storage& storage,
                                                      uint64_t after = 0) {
  std::vector<std::pair<uint64_t, std::string>> log;
  storage.Snapshot()
      ->Scan(Column::kEvents, "", after == 0 ? "" : EventKey(after),
             [&](absl::string_view key, absl::string_view value) {
               log.emplace_back(EventKeySequence(key), std::string(value));
               return true;
             })
      .IgnoreError();
  return log;
}

// Commits `events` (aggregate, payload) in one transaction; returns the
// first sequence, 0 on failure.
uint64_t Commit(Storage& storage,
                std::vector<std::pair<std::string, std::string>> events) {
  auto txn = storage.Begin();
  for (auto& [aggregate, payload] : events) txn->AddEvent(aggregate, payload);
  absl::Status s = txn->Commit();
  EXPECT_TRUE(s.ok()) << s;
  return s.ok() ? txn->first_sequence() : 0;
}

TEST(EventKeyTest, SortsBySequenceAndRoundTrips) {
  EXPECT_LT(EventKey(255), EventKey(256));
  EXPECT_LT(EventKey(1), EventKey(1ull << 40));
  EXPECT_EQ(EventKeySequence(EventKey(123456789012ull)), 123456789012ull);
  EXPECT_EQ(EventKeySequence("short"), 0u);
}

TEST(EventLogTest, EventsGetConsecutiveSequencesAndAggregateIndex) {
  TempDir dir;
  auto storage = Open(dir);
  EXPECT_EQ(storage->LastSequence(), 0u);
  auto txn = storage->Begin();
  ASSERT_TRUE(txn->Put(Column::kRecords, "r", "state").ok());
  txn->AddEvent("participations/a", "e1");
  txn->AddEvent("participations/b", "e2");
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(txn->first_sequence(), 1u);
  EXPECT_EQ(Commit(*storage, {{"participations/a", "e3"}}), 3u);
  EXPECT_EQ(storage->LastSequence(), 3u);
  EXPECT_EQ(ReadLog(*storage), (std::vector<std::pair<uint64_t, std::string>>{
                                   {1, "e1"}, {2, "e2"}, {3, "e3"}}));
  EXPECT_EQ(ReadLog(*storage, 1).size(), 2u);

  std::vector<uint64_t> of_a;
  storage->Snapshot()
      ->Scan(Column::kIndex, AggregateEventPrefix("participations/a"), "",
             [&](absl::string_view key, absl::string_view) {
               of_a.push_back(EventKeySequence(key.substr(key.size() - 8)));
               return true;
             })
      .IgnoreError();
  EXPECT_EQ(of_a, (std::vector<uint64_t>{1, 3}));
}

TEST(EventLogTest, SequenceContinuesAfterReopen) {
  TempDir dir;
  {
    auto storage = Open(dir);
    EXPECT_EQ(Commit(*storage, {{"x/1", "a"}, {"x/1", "b"}}), 1u);
  }
  auto storage = Open(dir);
  EXPECT_EQ(storage->LastSequence(), 2u);
  EXPECT_EQ(Commit(*storage, {{"x/1", "c"}}), 3u);
}

TEST(EventLogTest, ConcurrentCommitsLeaveNoGaps) {
  TempDir dir;
  auto storage = Open(dir);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_GT(Commit(*storage, {{absl::StrCat("x/", t), "e"}}), 0u);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto log = ReadLog(*storage);
  ASSERT_EQ(log.size(), 200u);
  for (size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i].first, i + 1);
}

TEST(EventLogTest, ASnapshotAfterLastSequenceHoldsEveryEventUpToIt) {
  TempDir dir;
  auto storage = Open(dir);
  std::atomic<bool> writing = true;
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        Commit(*storage, {{absl::StrCat("x/", t), "a"}, {"y/1", "b"}});
      }
    });
  }
  std::thread reader([&] {
    while (writing) {
      const uint64_t settled = storage->LastSequence();
      uint64_t expected = 1;
      for (const auto& [sequence, payload] : ReadLog(*storage)) {
        if (sequence > settled) break;
        ASSERT_EQ(sequence, expected) << "gap below settled " << settled;
        ++expected;
      }
      ASSERT_EQ(expected, settled + 1);
    }
  });
  for (auto& t : writers) t.join();
  writing = false;
  reader.join();
  EXPECT_EQ(storage->LastSequence(), 640u);
}

TEST(EventLogTest, ConcurrentSyncedCommitsShareWalSyncs) {
  TempDir dir;
  auto storage = Open(dir);
  ASSERT_TRUE(storage->options().sync);
  auto wal_syncs = [&] {
    for (const Storage::Figure& f : storage->Figures()) {
      if (f.name == "rocksdb_wal_syncs_total") return f.value;
    }
    ADD_FAILURE() << "no WAL sync counter";
    return uint64_t{0};
  };
  const uint64_t before = wal_syncs();
  constexpr int kThreads = 32, kCommits = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        EXPECT_GT(Commit(*storage, {{absl::StrCat("x/", t), "e"}}), 0u);
      }
    });
  }
  for (auto& t : threads) t.join();
  const uint64_t syncs = wal_syncs() - before;
  EXPECT_GT(syncs, 0u);
  EXPECT_LT(syncs, uint64_t{kThreads * kCommits})
      << "every commit synced alone";
  std::cout << kThreads * kCommits << " commits, " << syncs << " WAL syncs\n";
}

TEST(EventLogTest, WaitForSequenceWakesOnCommitAndTimesOut) {
  TempDir dir;
  auto storage = Open(dir);
  // Nothing committed: returns at the deadline with the old sequence.
  EXPECT_EQ(storage->WaitForSequence(0, absl::Now()), 0u);
  std::thread writer([&] { EXPECT_EQ(Commit(*storage, {{"x/1", "a"}}), 1u); });
  // Generous deadline: the commit normally wakes us at once.
  EXPECT_EQ(storage->WaitForSequence(0, absl::Now() + absl::Seconds(60)), 1u);
  writer.join();
}

}  // namespace
}  // namespace jobtrack::storage
