#include <gtest/gtest.h>

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
