// Tracks and intakes through the domain layer: kind rules, references,
// chain versions and the dated history.
#include "services/tracks/tracks.h"

#include <gtest/gtest.h>

#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/matching/matching_index.h"
#include "services/modules/modules.h"
#include "services/tracks/chain.h"
#include "services/tracks/intakes.h"
#include "services/tracks/track_history.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

const CallContext kContext{.principal = "tester", .method = "Test"};

// The track a client receives: the bytes GetTrack sends, parsed.
v1::Track Sent(const HeldWire& wire) {
  v1::Track track;
  EXPECT_TRUE(track.ParseFromString(std::string(wire.bytes())));
  return track;
}

v1::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

class TracksTest : public ::testing::Test {
 protected:
  TracksTest()
      : employers_(env_.deps()),
        modules_(env_.deps()),
        tracks_(env_.deps()),
        intakes_(env_.deps()) {
    v1::Employer e;
    e.set_display_name("Kommunen");
    e.set_organisation_number("2120000142");
    e.set_sector(v1::Employer::MUNICIPAL);
    e.set_sni_code(
        "84111");  // The employer's own SNI differs from the track's.
    e.set_municipality_code("0180");
    employer_ = employers_.Create(kContext, e, "", e, "")->name();
    course_ = MakeModule("Undersköterska", v1::KOMVUX, 40);
    sfi_ = MakeModule("SFI C", v1::SFI, 20);
    placement_ = MakeModule("Praktik", v1::WORK_PLACEMENT, 4);
  }

  std::string MakeModule(const char* name, v1::EducationForm form, int weeks) {
    v1::Module m;
    m.set_display_name(name);
    m.set_education_form(form);
    m.set_length_weeks(weeks);
    m.set_hours_per_week(20);
    return modules_.Create(kContext, m, "", m, "")->name();
  }

  v1::ChainStep Step(const std::string& module) {
    v1::ChainStep step;
    step.set_module(module);
    return step;
  }

  v1::Track CareTrack() {
    v1::Track t;
    t.set_display_name("Undersköterska i hemtjänsten");
    t.set_kind(v1::Track::EMPLOYER_DIRECTED);
    t.set_ssyk_code("5321");
    t.set_sni_code("Q");
    t.add_municipality_codes("0180");
    t.add_employers(employer_);
    t.set_status(v1::Track::OPEN);
    auto* first = t.mutable_chain()->add_stages();
    *first->add_steps() = Step(sfi_);
    *first->add_steps() = Step(course_);
    *t.mutable_chain()->add_stages()->add_steps() = Step(placement_);
    return t;
  }

  absl::StatusOr<v1::Track> Create(const v1::Track& t,
                                   v1::Date effective = {}) {
    v1::CreateTrackRequest request;
    *request.mutable_track() = t;
    *request.mutable_effective_date() = effective;
    return tracks_.CreateTrack(kContext, request);
  }

  absl::StatusOr<v1::Track> Update(const v1::Track& patch,
                                   std::initializer_list<const char*> paths,
                                   v1::Date effective = {}) {
    v1::UpdateTrackRequest request;
    *request.mutable_track() = patch;
    for (const char* p : paths) request.mutable_update_mask()->add_paths(p);
    *request.mutable_effective_date() = effective;
    return tracks_.UpdateTrack(kContext, request);
  }

  testing::TestEnv env_;
  Employers employers_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  std::string employer_, course_, sfi_, placement_;
};

TEST_F(TracksTest, ChainIsResolvedWithParallelStepsCountedOnce) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(CareTrack(), Day(2024, 8, 1)));
  EXPECT_EQ(t.chain().version(), 1);
  EXPECT_EQ(t.chain().length_weeks(), 40 + 4);  // max(20, 40) + 4.
  EXPECT_EQ(t.chain().stages(0).steps(1).display_name(), "Undersköterska");
  EXPECT_EQ(t.chain().stages(0).steps(1).education_form(), v1::KOMVUX);
  EXPECT_EQ(t.chain().stages(1).steps(0).step_id(), "3");
  ASSERT_EQ(t.history_size(), 1);
  EXPECT_EQ(t.history(0).status(), v1::Track::OPEN);
  EXPECT_EQ(ToCivilDay(t.history(0).effective_date()),
            absl::CivilDay(2024, 8, 1));
}

TEST_F(TracksTest, KindDecidesWhetherEmployersAreRequiredOrForbidden) {
  v1::Track prep = CareTrack();
  prep.set_kind(v1::Track::PREPARATORY);
  auto with_employer = Create(prep);
  EXPECT_EQ(with_employer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(with_employer.status().message().find("track.employers"),
            absl::string_view::npos);
  prep.clear_employers();
  prep.clear_ssyk_code();
  prep.clear_sni_code();
  EXPECT_TRUE(Create(prep).ok());

  v1::Track directed = CareTrack();
  directed.clear_employers();
  EXPECT_EQ(Create(directed).status().code(),
            absl::StatusCode::kInvalidArgument);
  directed = CareTrack();
  directed.clear_sni_code();
  auto no_sni = Create(directed);
  EXPECT_NE(no_sni.status().message().find("track.sni_code"),
            absl::string_view::npos);
}

TEST_F(TracksTest, UnknownReferencesAreNamedByField) {
  v1::Track t = CareTrack();
  t.set_employers(0, "employers/nosuch");
  t.mutable_chain()->mutable_stages(1)->mutable_steps(0)->set_module(
      "modules/gone");
  auto created = Create(t);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(created.status().message());
  EXPECT_NE(message.find("track.employers[0]"), std::string::npos);
  EXPECT_NE(message.find("track.chain.stages[1].steps[0].module"),
            std::string::npos);
}

TEST_F(TracksTest, FutureEffectiveDateIsRefused) {
  auto created = Create(CareTrack(), Day(2026, 11, 24));  // Tomorrow.
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(created.status().message().find("effective_date"),
            absl::string_view::npos);
}

TEST_F(TracksTest, ChangingTheChainMakesANewVersionAndIntakesKeepTheirs) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(CareTrack(), Day(2024, 8, 1)));
  v1::Intake intake;
  intake.set_start_type(v1::Intake::COMMON);
  *intake.mutable_start_date() = Day(2027, 1, 18);
  intake.set_seats(20);
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Intake first,
      intakes_.Create(kContext, intake, t.name(), intake, ""));
  EXPECT_EQ(first.chain_version(), 1);

  v1::Track patch;
  patch.set_name(t.name());
  *patch.mutable_chain() = t.chain();
  patch.mutable_chain()->mutable_stages(1)->clear_steps();
  *patch.mutable_chain()->mutable_stages(1)->add_steps() = Step(course_);
  JT_ASSERT_OK_AND_ASSIGN(v1::Track changed,
                          Update(patch, {"chain"}, Day(2025, 1, 1)));
  EXPECT_EQ(changed.chain().version(), 2);
  ASSERT_EQ(changed.past_chains_size(), 1);
  EXPECT_EQ(changed.past_chains(0).version(), 1);
  EXPECT_EQ(changed.history_size(), 2);
  EXPECT_EQ(changed.history(1).changed_fields(0), "chain");

  // Sending the same chain again changes nothing.
  *patch.mutable_chain() = changed.chain();
  JT_ASSERT_OK_AND_ASSIGN(v1::Track same, Update(patch, {"chain"}));
  EXPECT_EQ(same.chain().version(), 2);
  EXPECT_EQ(same.history_size(), 2);

  EXPECT_EQ(intakes_.Get(first.name())->chain_version(), 1);
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Intake second,
      intakes_.Create(kContext, intake, t.name(), intake, ""));
  EXPECT_EQ(second.chain_version(), 2);
}

TEST_F(TracksTest, GetTrackAnswersFromTheHeldTrackAndAsksStorageOtherwise) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track stored, Create(CareTrack()));
  auto held = std::make_shared<v1::Track>(stored);
  held->set_display_name("held in memory");
  Tracks with_held(env_.deps(), [&](absl::string_view name) {
    return name == stored.name() ? held : nullptr;
  });
  JT_ASSERT_OK_AND_ASSIGN(HeldWire wire, with_held.GetTrack(stored.name()));
  EXPECT_EQ(Sent(wire).display_name(), "held in memory");
  EXPECT_EQ(wire.bytes(), held->SerializeAsString());

  // Not held: storage's answer, and its errors.
  EXPECT_TRUE(
      absl::IsNotFound(with_held.GetTrack("tracks/nosuchtrack").status()));
  absl::Status bad = with_held.GetTrack("employers/x").status();
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
  Tracks unheld(env_.deps());
  JT_ASSERT_OK_AND_ASSIGN(HeldWire from_storage,
                          unheld.GetTrack(stored.name()));
  EXPECT_EQ(from_storage.bytes(), stored.SerializeAsString());
}

TEST_F(TracksTest, TracksHeldByTheMatchingIndexFollowUpdatesAndDeletes) {
  JT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<MatchingIndex> index,
                          MatchingIndex::Open(&env_.storage()));
  Tracks served(env_.deps(),
                [&](absl::string_view name) { return index->HeldTrack(name); });
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(CareTrack()));
  ASSERT_NE(index->HeldTrack(t.name()), nullptr);
  // The wire form, cached for this version.
  JT_ASSERT_OK_AND_ASSIGN(HeldWire before, served.GetTrack(t.name()));
  EXPECT_EQ(before.bytes(), t.SerializeAsString());

  v1::Track patch;
  patch.set_name(t.name());
  patch.set_display_name("Undersköterska, natt");
  JT_ASSERT_OK_AND_ASSIGN(v1::Track updated, Update(patch, {"display_name"}));
  // As soon as the update has returned, the held track is the stored one,
  // and the cached bytes of the earlier version are not sent again.
  JT_ASSERT_OK_AND_ASSIGN(HeldWire after, served.GetTrack(t.name()));
  EXPECT_EQ(after.bytes(), updated.SerializeAsString());
  EXPECT_EQ(Sent(after).etag(), updated.etag());

  ASSERT_TRUE(tracks_.Delete(kContext, patch, t.name(), "", "").ok());
  EXPECT_EQ(index->HeldTrack(t.name()), nullptr);
  EXPECT_TRUE(absl::IsNotFound(served.GetTrack(t.name()).status()));
}

TEST_F(TracksTest, HistoryAnswersAsOfAnyDay) {
  v1::Track t0 = CareTrack();
  t0.set_status(v1::Track::PLANNED);
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(t0, Day(2018, 3, 1)));
  v1::Track patch;
  patch.set_name(t.name());
  patch.set_status(v1::Track::OPEN);
  ASSERT_TRUE(Update(patch, {"status"}, Day(2018, 9, 1)).ok());
  patch.set_status(v1::Track::CLOSED);
  patch.add_municipality_codes("0114");
  JT_ASSERT_OK_AND_ASSIGN(v1::Track closed,
                          Update(patch, {"status"}, Day(2021, 6, 30)));
  ASSERT_EQ(closed.history_size(), 3);

  EXPECT_FALSE(RevisionAsOf(closed, absl::CivilDay(2018, 2, 28)).has_value());
  EXPECT_EQ(RevisionAsOf(closed, absl::CivilDay(2018, 3, 1))->status(),
            v1::Track::PLANNED);
  EXPECT_EQ(RevisionAsOf(closed, absl::CivilDay(2018, 8, 31))->status(),
            v1::Track::PLANNED);
  EXPECT_EQ(RevisionAsOf(closed, absl::CivilDay(2019, 4, 30))->status(),
            v1::Track::OPEN);
  EXPECT_EQ(RevisionAsOf(closed, absl::CivilDay(2021, 6, 30))->status(),
            v1::Track::CLOSED);

  // A dated change before the latest one is refused; so is going back to
  // PLANNED.
  patch.set_status(v1::Track::OPEN);
  EXPECT_EQ(Update(patch, {"status"}, Day(2020, 1, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  patch.set_status(v1::Track::PLANNED);
  EXPECT_EQ(Update(patch, {"status"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A change of a non-dated field adds no revision.
  v1::Track rename;
  rename.set_name(t.name());
  rename.set_display_name("Nytt namn");
  JT_ASSERT_OK_AND_ASSIGN(v1::Track renamed, Update(rename, {"display_name"}));
  EXPECT_EQ(renamed.history_size(), 3);
}

TEST_F(TracksTest, IntakeRulesAndClosedTrack) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(CareTrack()));
  v1::Intake bad;
  bad.set_start_type(v1::Intake::COMMON);
  *bad.mutable_start_date() = Day(2027, 1, 18);
  *bad.mutable_end_date() = Day(2027, 6, 1);
  bad.set_seats(0);
  auto refused = intakes_.Create(kContext, bad, t.name(), bad, "");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("intake.end_date"),
            absl::string_view::npos);
  EXPECT_NE(refused.status().message().find("intake.seats"),
            absl::string_view::npos);

  v1::Intake rolling;
  rolling.set_start_type(v1::Intake::ROLLING);
  *rolling.mutable_start_date() = Day(2026, 9, 1);
  *rolling.mutable_end_date() = Day(2027, 6, 1);
  rolling.set_seats(8);
  EXPECT_TRUE(intakes_.Create(kContext, rolling, t.name(), rolling, "").ok());
  EXPECT_EQ(intakes_.Create(kContext, rolling, "tracks/nosuch", rolling, "")
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  v1::Track patch;
  patch.set_name(t.name());
  patch.set_status(v1::Track::CLOSED);
  ASSERT_TRUE(Update(patch, {"status"}).ok());
  EXPECT_EQ(
      intakes_.Create(kContext, rolling, t.name(), rolling, "").status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(TracksTest, ReferencedEmployerModuleAndTrackCannotBeDeleted) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track t, Create(CareTrack()));
  v1::DeleteEmployerRequest de;
  EXPECT_EQ(employers_.Delete(kContext, de, employer_, "", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::DeleteModuleRequest dm;
  EXPECT_EQ(modules_.Delete(kContext, dm, course_, "", "").status().code(),
            absl::StatusCode::kFailedPrecondition);

  // A module only in a past chain version is still referenced.
  v1::Track patch;
  patch.set_name(t.name());
  *patch.mutable_chain()->add_stages()->add_steps() = Step(placement_);
  ASSERT_TRUE(Update(patch, {"chain"}).ok());
  EXPECT_EQ(modules_.Delete(kContext, dm, course_, "", "").status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::Intake intake;
  intake.set_start_type(v1::Intake::ROLLING);
  *intake.mutable_start_date() = Day(2026, 9, 1);
  intake.set_seats(5);
  JT_ASSERT_OK_AND_ASSIGN(
      v1::Intake i, intakes_.Create(kContext, intake, t.name(), intake, ""));
  v1::DeleteTrackRequest dt;
  EXPECT_EQ(tracks_.Delete(kContext, dt, t.name(), "", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  v1::DeleteIntakeRequest di;
  ASSERT_TRUE(intakes_.Delete(kContext, di, i.name(), "", "").ok());
  ASSERT_TRUE(tracks_.Delete(kContext, dt, t.name(), "", "").ok());
  EXPECT_TRUE(employers_.Delete(kContext, de, employer_, "", "").ok());
  EXPECT_TRUE(modules_.Delete(kContext, dm, course_, "", "").ok());
}

TEST_F(TracksTest, ListFiltersByEveryIndexedField) {
  JT_ASSERT_OK_AND_ASSIGN(v1::Track care, Create(CareTrack()));
  v1::Track prep;
  prep.set_display_name("Förberedande");
  prep.set_kind(v1::Track::PREPARATORY);
  prep.add_municipality_codes("1280");
  prep.set_status(v1::Track::PLANNED);
  *prep.mutable_chain()->add_stages()->add_steps() = Step(sfi_);
  JT_ASSERT_OK_AND_ASSIGN(v1::Track p, Create(prep));

  auto names = [&](const std::string& filter) {
    std::vector<std::string> out;
    auto page = tracks_.List("", 100, "", filter);
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    if (page.ok())
      for (const auto& t : page->first) out.push_back(t.name());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("municipality = \"0180\""), V{care.name()});
  EXPECT_EQ(names("county = \"12\""), V{p.name()});
  EXPECT_EQ(names("kind = PREPARATORY"), V{p.name()});
  EXPECT_EQ(names("status = OPEN"), V{care.name()});
  EXPECT_EQ(names("sni = Q"), V{care.name()});
  EXPECT_EQ(names("ssyk = \"53\""), V{care.name()});
  EXPECT_EQ(names("employer = \"" + employer_ + "\""), V{care.name()});
  EXPECT_EQ(names("module = \"" + sfi_ + "\"").size(), 2u);
  EXPECT_EQ(names("module = \"" + sfi_ + "\" AND kind = EMPLOYER_DIRECTED"),
            V{care.name()});
  EXPECT_TRUE(names("kind = ENTREPRENEUR").empty());
}

}  // namespace
}  // namespace jobtrack
