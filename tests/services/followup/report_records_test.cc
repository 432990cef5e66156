// ReportRecords on a real RocksDB: the tracks and employers a commit wrote
// are read again after it, and only then; what the next call answers is
// what reading everything would.
#include "services/followup/report_records.h"

#include <gtest/gtest.h>

#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/followup/report.h"
#include "services/modules/modules.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/bench/synthetic_sweden.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

const CallContext kContext{.principal = "planner", .method = "Test"};

class ReportRecordsTest : public ::testing::Test {
 protected:
  ReportRecordsTest()
      : employers_(env_.deps()),
        modules_(env_.deps()),
        tracks_(env_.deps()),
        intakes_(env_.deps()) {
    v1::Module m;
    m.set_display_name("Vård, komvux");
    m.set_education_form(v1::KOMVUX);
    m.set_length_weeks(20);
    m.set_hours_per_week(30);
    auto created = modules_.Create(kContext, m, "", m, "");
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) module_ = created->name();
  }

  std::string CreateTrack(const char* title) {
    v1::CreateTrackRequest request;
    v1::Track* t = request.mutable_track();
    t->set_display_name(title);
    t->set_kind(v1::Track::PREPARATORY);
    t->set_status(v1::Track::OPEN);
    t->add_municipality_codes("0180");
    t->mutable_chain()->add_stages()->add_steps()->set_module(module_);
    auto created = tracks_.CreateTrack(kContext, request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->name() : "";
  }

  std::string CreateEmployer(int i) {
    v1::Employer e;
    e.set_display_name(absl::StrCat("Omsorgshuset ", i, " AB"));
    e.set_organisation_number(bench::OrganisationNumber(i));
    e.set_sector(v1::Employer::PRIVATE);
    e.set_sni_code("87301");
    e.set_municipality_code("0180");
    auto created = employers_.Create(kContext, e, "", e, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->name() : "";
  }

  // What reading every record now gives, to compare with.
  FollowUpData ReadEverything() {
    auto reader = env_.storage().Snapshot();
    auto records = LoadFollowUpRecords(*reader);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : FollowUpData();
  }

  static void ExpectSame(const ReportRecordSet& got, const FollowUpData& want) {
    ASSERT_EQ(got.tracks().size(), want.tracks.size());
    for (size_t i = 0; i < want.tracks.size(); ++i) {
      EXPECT_EQ(got.tracks()[i]->SerializeAsString(),
                want.tracks[i].SerializeAsString())
          << "track " << i << ": " << got.tracks()[i]->name() << " vs "
          << want.tracks[i].name();
    }
    ASSERT_EQ(got.employer_count(), want.employers.size());
    for (const auto& [name, employer] : want.employers) {
      const v1::Employer* held = got.employer(name);
      ASSERT_NE(held, nullptr) << name;
      EXPECT_EQ(held->SerializeAsString(), employer.SerializeAsString());
    }
  }

  testing::TestEnv env_;
  Employers employers_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  std::string module_;
};

TEST_F(ReportRecordsTest, AreReadOnceAndSharedWhileNothingChanges) {
  CreateTrack("Vård");
  ReportRecords records(&env_.storage());
  auto first = records.Get();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ((*first)->tracks().size(), 1u);
  auto second = records.Get();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(records.loads(), 1);
}

TEST_F(ReportRecordsTest, ATrackOrEmployerWrittenAfterAReadIsSeenByTheNext) {
  const std::string track = CreateTrack("Vård");
  ReportRecords records(&env_.storage());
  ASSERT_TRUE(records.Get().ok());

  v1::UpdateTrackRequest update;
  update.mutable_track()->set_name(track);
  update.mutable_track()->set_display_name("Vård och omsorg");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(tracks_.UpdateTrack(kContext, update).ok());
  auto renamed = records.Get();
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  ASSERT_EQ((*renamed)->tracks().size(), 1u);
  EXPECT_EQ((*renamed)->tracks()[0]->display_name(), "Vård och omsorg");

  const std::string employer = CreateEmployer(1);
  auto with_employer = records.Get();
  ASSERT_TRUE(with_employer.ok());
  EXPECT_NE((*with_employer)->employer(employer), nullptr);
  // Only what was written was read again.
  EXPECT_EQ(records.loads(), 1);
  EXPECT_EQ(records.updates(), 2);
}

TEST_F(ReportRecordsTest, RecordsReadAgainOneByOneEqualAFullRead) {
  CreateTrack("Bygg");
  const std::string renamed = CreateTrack("Vård");
  CreateTrack("Lager");
  const std::string kept = CreateEmployer(1);
  const std::string deleted = CreateEmployer(2);
  ReportRecords records(&env_.storage());
  auto before = records.Get();
  ASSERT_TRUE(before.ok()) << before.status();

  // New tracks (ids that sort anywhere among the held), a rename, an
  // employer deleted and one added.
  for (const char* title : {"Kök", "Industri", "Transport"}) {
    CreateTrack(title);
  }
  v1::UpdateTrackRequest update;
  update.mutable_track()->set_name(renamed);
  update.mutable_track()->set_display_name("Vård och omsorg");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(tracks_.UpdateTrack(kContext, update).ok());
  google::protobuf::Empty request;
  ASSERT_TRUE(employers_.Delete(kContext, request, deleted, "", "").ok());
  CreateEmployer(3);

  auto after = records.Get();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(records.loads(), 1);
  EXPECT_EQ(records.updates(), 1);
  ExpectSame(**after, ReadEverything());
  EXPECT_EQ((*after)->employer(deleted), nullptr);
  EXPECT_NE((*after)->employer(kept), nullptr);
  // The set the earlier call answered is unchanged, and shares the
  // records that were not written.
  ASSERT_EQ((*before)->tracks().size(), 3u);
  EXPECT_NE((*before)->employer(deleted), nullptr);
  EXPECT_EQ((*before)->employer(kept), (*after)->employer(kept));
}

TEST_F(ReportRecordsTest, ManyRecordsWrittenAreReadAgainAllAtOnce) {
  ReportRecords records(&env_.storage());
  ASSERT_TRUE(records.Get().ok());
  for (int i = 0; i <= static_cast<int>(ReportRecords::kMaxChanged); ++i) {
    CreateEmployer(i);
  }
  auto after = records.Get();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(records.loads(), 2);
  EXPECT_EQ(records.updates(), 0);
  EXPECT_EQ((*after)->employer_count(), ReportRecords::kMaxChanged + 1);
  ExpectSame(**after, ReadEverything());
}

TEST_F(ReportRecordsTest, AnIntakeIsNotAWriteOfItsTrack) {
  // Intakes share the tracks' key prefix and change with every enrolment;
  // reports do not read them.
  const std::string track = CreateTrack("Vård");
  ReportRecords records(&env_.storage());
  auto before = records.Get();
  ASSERT_TRUE(before.ok());
  v1::Intake intake;
  intake.set_start_type(v1::Intake::COMMON);
  *intake.mutable_start_date() = ToDate(absl::CivilDay(2026, 3, 1));
  intake.set_seats(20);
  ASSERT_TRUE(intakes_.Create(kContext, intake, track, intake, "").ok());
  auto after = records.Get();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(before->get(), after->get());
  EXPECT_EQ(records.loads(), 1);
}

}  // namespace
}  // namespace jobtrack
