#include "services/admin/consistency_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "jobtrack/v1/participation.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/record_table.h"
#include "services/server/demo_data.h"
#include "storage/keys.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using ::testing::HasSubstr;

class ConsistencyCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<bool> seeded = SeedDemoDataIfEmpty(env_.deps());
    ASSERT_TRUE(seeded.ok()) << seeded.status();
  }

  std::string Problems() {
    absl::StatusOr<ConsistencyReport> report = CheckConsistency(env_.deps());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? absl::StrJoin(report->problems, "\n") : "";
  }

  // A participation of the demo data that holds a seat.
  v1::Participation Seated() {
    auto reader = env_.storage().Snapshot();
    auto all =
        RecordTable<v1::Participation>(nullptr).All(*reader, "participations");
    EXPECT_TRUE(all.ok());
    for (const auto& p : *all) {
      if (p.state() == v1::Participation::ENROLLED && !p.intake().empty()) {
        return p;
      }
    }
    ADD_FAILURE() << "no enrolled participation in the demo data";
    return {};
  }

  void Put(storage::Column column, const std::string& key,
           const std::string& value) {
    auto txn = env_.storage().Begin();
    ASSERT_TRUE(txn->Put(column, key, value).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  void Delete(storage::Column column, const std::string& key) {
    auto txn = env_.storage().Begin();
    ASSERT_TRUE(txn->Delete(column, key).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::TestEnv env_;
};

TEST_F(ConsistencyCheckTest, DataWrittenByTheServiceIsConsistent) {
  absl::StatusOr<ConsistencyReport> report = CheckConsistency(env_.deps());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << absl::StrJoin(report->problems, "\n");
  EXPECT_GT(report->records, 30);
  EXPECT_GT(report->participations, 5);
  EXPECT_GT(report->intakes, 0);
  EXPECT_GT(report->events, 30);
}

TEST_F(ConsistencyCheckTest, FindsAMissingIndexEntry) {
  const v1::Participation p = Seated();
  const std::string id = p.name().substr(p.name().find('/') + 1);
  Delete(storage::Column::kIndex,
         storage::IndexKey("participations", "state=ENROLLED", id));
  EXPECT_THAT(Problems(), HasSubstr("participations: 1 index entries or "
                                    "unique terms are missing"));
}

TEST_F(ConsistencyCheckTest, FindsAnIndexEntryWithoutItsRecord) {
  Put(storage::Column::kIndex,
      storage::IndexKey("tracks", "municipality=0180", "nosuch"), "");
  EXPECT_THAT(Problems(), HasSubstr("names no record that carries it"));
}

TEST_F(ConsistencyCheckTest, FindsAStateThatIsNotTheReplayOfItsEvents) {
  v1::Participation p = Seated();
  p.set_state(v1::Participation::COMPLETED);
  const std::string id = p.name().substr(p.name().find('/') + 1);
  // The index follows the record, so only the replay can tell.
  Delete(storage::Column::kIndex,
         storage::IndexKey("participations", "state=ENROLLED", id));
  Put(storage::Column::kIndex,
      storage::IndexKey("participations", "state=COMPLETED", id), "");
  Put(storage::Column::kRecords, storage::RecordKey("participations", id),
      p.SerializeAsString());
  EXPECT_THAT(Problems(), HasSubstr(p.name() + ": the stored state differs "
                                               "from the replay"));
}

TEST_F(ConsistencyCheckTest, FindsAnIntakeOverItsSeats) {
  const v1::Participation p = Seated();
  auto reader = env_.storage().Snapshot();
  auto intake = RecordTable<v1::Intake>(nullptr).Get(*reader, p.intake());
  ASSERT_TRUE(intake.ok());
  v1::Intake smaller = *intake;
  smaller.set_seats(0);
  absl::string_view collection, id;
  ASSERT_TRUE(storage::SplitName(p.intake(), &collection, &id));
  Put(storage::Column::kRecords, storage::RecordKey(collection, id),
      smaller.SerializeAsString());
  EXPECT_THAT(Problems(), HasSubstr("but has 0 seats"));
}

TEST_F(ConsistencyCheckTest, FindsASeatTheLedgerLacks) {
  const v1::Participation p = Seated();
  const std::string id = p.name().substr(p.name().find('/') + 1);
  Delete(storage::Column::kIndex, storage::SeatKey(p.intake(), id));
  EXPECT_THAT(Problems(),
              HasSubstr(p.name() + " holds a seat in " + p.intake() +
                        " that the seat ledger lacks"));
}

TEST_F(ConsistencyCheckTest, FindsALedgerSeatOfOtherDays) {
  const v1::Participation p = Seated();
  const std::string id = p.name().substr(p.name().find('/') + 1);
  auto reader = env_.storage().Snapshot();
  auto stored =
      reader->Get(storage::Column::kIndex, storage::SeatKey(p.intake(), id));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  std::string other = **stored;
  other[3] = static_cast<char>(other[3] ^ 1);  // The first day, by one.
  Put(storage::Column::kIndex, storage::SeatKey(p.intake(), id), other);
  EXPECT_THAT(Problems(),
              HasSubstr("the seat ledger has other days for " + p.name()));
}

TEST_F(ConsistencyCheckTest, FindsALedgerSeatThatNoParticipationHolds) {
  const v1::Participation p = Seated();
  auto reader = env_.storage().Snapshot();
  const std::string id = p.name().substr(p.name().find('/') + 1);
  auto stored =
      reader->Get(storage::Column::kIndex, storage::SeatKey(p.intake(), id));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  Put(storage::Column::kIndex, storage::SeatKey(p.intake(), "nosuch"),
      **stored);
  EXPECT_THAT(Problems(),
              HasSubstr("the seat ledger has a seat in " + p.intake() +
                        " for participations/nosuch, which holds none"));
}

TEST_F(ConsistencyCheckTest, ReportsAnUnreadableLedgerEntryAsDataLoss) {
  const v1::Participation p = Seated();
  Put(storage::Column::kIndex, storage::SeatKey(p.intake(), "short"), "123");
  absl::StatusOr<ConsistencyReport> report = CheckConsistency(env_.deps());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(ConsistencyCheckTest, FindsAnEventWithoutItsIndexEntry) {
  const v1::Participation p = Seated();
  auto reader = env_.storage().Snapshot();
  std::string first;
  ASSERT_TRUE(reader
                  ->Scan(storage::Column::kIndex,
                         storage::AggregateEventPrefix(p.name()), "",
                         [&](absl::string_view key, absl::string_view) {
                           first = std::string(key);
                           return false;
                         })
                  .ok());
  ASSERT_FALSE(first.empty());
  Delete(storage::Column::kIndex, first);
  EXPECT_THAT(Problems(), HasSubstr("is not indexed under " + p.name()));
}

}  // namespace
}  // namespace jobtrack
