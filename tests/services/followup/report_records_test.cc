// ReportRecords on a real RocksDB: the tracks and employers are read again
// after a commit wrote one of them, and only then.
#include "services/followup/report_records.h"

#include <gtest/gtest.h>

#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
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
  ASSERT_EQ((*first)->tracks.size(), 1u);
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
  ASSERT_EQ((*renamed)->tracks.size(), 1u);
  EXPECT_EQ((*renamed)->tracks[0].display_name(), "Vård och omsorg");
  EXPECT_EQ(records.loads(), 2);

  v1::Employer e;
  e.set_display_name("Omsorgshuset AB");
  e.set_organisation_number("5560360793");
  e.set_sector(v1::Employer::PRIVATE);
  e.set_sni_code("87301");
  e.set_municipality_code("0180");
  auto employer = employers_.Create(kContext, e, "", e, "");
  ASSERT_TRUE(employer.ok()) << employer.status();
  auto with_employer = records.Get();
  ASSERT_TRUE(with_employer.ok());
  EXPECT_TRUE((*with_employer)->employers.contains(employer->name()));
  EXPECT_EQ(records.loads(), 3);
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
