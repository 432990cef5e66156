// Participations through the domain layer on a real RocksDB.
#include "services/participations/participations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "services/admin/consistency_check.h"
#include "services/common/record_table.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/seats.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "storage/keys.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

using P = v1::Participation;
const CallContext kContext{.principal = "case-officer", .method = "Test"};

v1::Date Day(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

class ParticipationsTest : public ::testing::Test {
 protected:
  ParticipationsTest()
      : participants_(env_.deps()), participations_(env_.deps()) {
    Employers employers(env_.deps());
    Modules modules(env_.deps());
    Tracks tracks(env_.deps());
    Intakes intakes(env_.deps());
    v1::Employer e;
    e.set_display_name("Lager AB");
    e.set_organisation_number("5560360793");
    e.set_sector(v1::Employer::PRIVATE);
    e.set_sni_code("52100");
    e.set_municipality_code("0680");
    const std::string employer =
        employers.Create(kContext, e, "", e, "")->name();
    auto module = [&](const char* name, v1::EducationForm form, int weeks) {
      v1::Module m;
      m.set_display_name(name);
      m.set_education_form(form);
      m.set_length_weeks(weeks);
      m.set_hours_per_week(40);
      return modules.Create(kContext, m, "", m, "")->name();
    };
    const std::string truck = module("Truck", v1::AUB, 8);
    const std::string sfi = module("SFI", v1::SFI, 20);
    const std::string placement = module("Praktik", v1::WORK_PLACEMENT, 4);
    v1::CreateTrackRequest t;
    auto* track = t.mutable_track();
    track->set_display_name("Lager");
    track->set_kind(v1::Track::EMPLOYER_DIRECTED);
    track->set_ssyk_code("4322");
    track->set_sni_code("52100");
    track->add_municipality_codes("0680");
    track->add_employers(employer);
    track->set_status(v1::Track::OPEN);
    auto* first = track->mutable_chain()->add_stages();
    first->add_steps()->set_module(truck);
    first->add_steps()->set_module(sfi);
    track->mutable_chain()->add_stages()->add_steps()->set_module(placement);
    *t.mutable_effective_date() = Day(2023, 1, 1);
    track_ = tracks.CreateTrack(kContext, t)->name();
    auto intake = [&](v1::Intake::StartType type, v1::Date start, int seats) {
      v1::Intake i;
      i.set_start_type(type);
      *i.mutable_start_date() = start;
      i.set_seats(seats);
      return intakes.Create(kContext, i, track_, i, "")->name();
    };
    common_ = intake(v1::Intake::COMMON, Day(2024, 2, 1), 10);
    rolling_ = intake(v1::Intake::ROLLING, Day(2024, 1, 1), 2);
  }

  std::string NewParticipant(int n) {
    v1::Participant p;
    p.set_external_reference(absl::StrCat("af-", n));
    p.set_birth_year(1990);
    p.set_gender(n % 2 ? v1::FEMALE : v1::MALE);
    p.set_municipality_code("0680");
    auto created = participants_.Create(kContext, p, "", p, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  // Proposed and selected, ready to enrol.
  std::string Selected(const std::string& participant,
                       v1::Date day = Day(2024, 1, 15)) {
    v1::ProposeParticipationRequest propose;
    propose.set_participant(participant);
    propose.set_track(track_);
    *propose.mutable_effective_date() = day;
    auto proposed = participations_.Propose(kContext, propose);
    EXPECT_TRUE(proposed.ok()) << proposed.status();
    v1::SelectParticipationRequest select;
    select.set_name(proposed->name());
    *select.mutable_effective_date() = day;
    EXPECT_TRUE(participations_.Select(kContext, select).ok());
    return proposed->name();
  }

  absl::StatusOr<P> Enroll(const std::string& name, const std::string& intake,
                           v1::Date effective, v1::Date start = {}) {
    v1::EnrollParticipationRequest enroll;
    enroll.set_name(name);
    enroll.set_intake(intake);
    *enroll.mutable_effective_date() = effective;
    *enroll.mutable_start_date() = start;
    return participations_.Enroll(kContext, enroll);
  }

  absl::StatusOr<P> Complete(const std::string& name, v1::Date end) {
    v1::CompleteParticipationRequest complete;
    complete.set_name(name);
    *complete.mutable_end_date() = end;
    return participations_.Complete(kContext, complete);
  }

  testing::TestEnv env_;
  Participants participants_;
  Participations participations_;
  std::string track_, common_, rolling_;
};

TEST_F(ParticipationsTest, FromProposalToNinetyDayOutcomeWithAsOfState) {
  const std::string participant = NewParticipant(1);
  const std::string name = Selected(participant, Day(2024, 1, 15));

  v1::EnrollParticipationRequest enroll;
  enroll.set_name(name);
  enroll.set_intake(common_);
  *enroll.mutable_effective_date() = Day(2024, 1, 20);
  enroll.add_plan_adjustments()->set_remove_step_id("2");  // Has Swedish.
  auto* shorten = enroll.add_plan_adjustments()->mutable_shorten();
  shorten->set_step_id("3");
  shorten->set_length_weeks(2);
  auto* add = enroll.add_plan_adjustments()->mutable_add();
  add->set_display_name("Arbetsmiljö");
  add->set_education_form(v1::INTERNAL);
  add->set_length_weeks(1);
  auto enrolled = participations_.Enroll(kContext, enroll);
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  EXPECT_EQ(enrolled->state(), P::ENROLLED);
  EXPECT_EQ(ToCivilDay(enrolled->start_date()), absl::CivilDay(2024, 2, 1));
  EXPECT_EQ(enrolled->home_municipality_code(), "0680");
  const v1::PersonalPlan& plan = enrolled->plan();
  ASSERT_EQ(plan.steps_size(), 3);  // Truck, shortened placement, extra.
  EXPECT_EQ(plan.difference().removed_step_ids(0), "2");
  EXPECT_EQ(plan.difference().shortened_step_ids(0), "3");
  EXPECT_EQ(plan.difference().added_step_ids(0), "extra-1");
  EXPECT_EQ(plan.difference().weeks_difference(), -20 - 2 + 1);

  v1::ReportStepProgressRequest step;
  step.set_name(name);
  step.set_step_id("1");
  step.set_status(v1::STEP_DONE);
  step.set_certificate("Truckkort A+B");
  *step.mutable_effective_date() = Day(2024, 3, 28);
  ASSERT_TRUE(participations_.ReportStepProgress(kContext, step).ok());
  ASSERT_TRUE(Complete(name, Day(2024, 4, 30)).ok());

  v1::RecordOutcomeRequest outcome;
  outcome.set_name(name);
  outcome.set_point(v1::AT_END);
  outcome.set_kind(v1::WORK_SUBSIDIZED);
  outcome.set_subsidy(v1::NYSTARTSJOBB);
  *outcome.mutable_effective_date() = Day(2024, 4, 30);
  ASSERT_TRUE(participations_.RecordOutcome(kContext, outcome).ok());
  outcome.set_point(v1::AFTER_90_DAYS);
  outcome.set_kind(v1::WORK_UNSUBSIDIZED);
  outcome.clear_subsidy();
  *outcome.mutable_effective_date() = Day(2024, 7, 29);
  auto final_state = participations_.RecordOutcome(kContext, outcome);
  ASSERT_TRUE(final_state.ok()) << final_state.status();
  EXPECT_EQ(final_state->state(), P::COMPLETED);
  EXPECT_EQ(final_state->outcomes_size(), 2);

  // Every step is in the event log, in commit order.
  auto events = participations_.Events(name);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 7u);
  EXPECT_TRUE((*events)[2].has_enrolled());
  EXPECT_EQ((*events)[2].actor(), "case-officer");
  for (size_t i = 1; i < events->size(); ++i) {
    EXPECT_GT((*events)[i].sequence(), (*events)[i - 1].sequence());
  }

  // The state as of any day.
  auto as_of = [&](v1::Date day) {
    v1::GetParticipationRequest get;
    get.set_name(name);
    *get.mutable_as_of() = day;
    return participations_.Get(get);
  };
  EXPECT_EQ(as_of(Day(2024, 1, 16))->state(), P::SELECTED);
  EXPECT_EQ(as_of(Day(2024, 3, 1))->state(), P::ENROLLED);
  EXPECT_EQ(as_of(Day(2024, 3, 1))->plan().steps(0).status(), v1::STEP_PLANNED);
  EXPECT_EQ(as_of(Day(2024, 4, 1))->plan().steps(0).status(), v1::STEP_DONE);
  EXPECT_EQ(as_of(Day(2024, 5, 1))->outcomes_size(), 1);
  EXPECT_EQ(as_of(Day(2024, 1, 1)).status().code(),
            absl::StatusCode::kNotFound);
  // The projection equals the replay of every event.
  v1::GetParticipationRequest get;
  get.set_name(name);
  auto projection = participations_.Get(get);
  auto replayed = Replay(name, *events);
  ASSERT_TRUE(projection.ok() && replayed.ok());
  EXPECT_EQ(projection->state(), replayed->state());
  EXPECT_EQ(projection->plan().SerializeAsString(),
            replayed->plan().SerializeAsString());
  EXPECT_EQ(projection->outcomes_size(), replayed->outcomes_size());
}

TEST_F(ParticipationsTest, InvalidTransitionsNameTheState) {
  const std::string name = Selected(NewParticipant(1));
  auto done = Complete(name, Day(2024, 5, 1));
  EXPECT_EQ(done.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(done.status().message().find("is SELECTED"),
            absl::string_view::npos)
      << done.status();
  v1::SelectParticipationRequest select;
  select.set_name(name);
  auto twice = participations_.Select(kContext, select);
  EXPECT_NE(twice.status().message().find("is SELECTED"),
            absl::string_view::npos);
  // Nothing was recorded by the refused calls.
  EXPECT_EQ(participations_.Events(name)->size(), 2u);
}

TEST_F(ParticipationsTest, FutureDatesAndBadArgumentsAreInvalid) {
  const std::string name = Selected(NewParticipant(1));
  v1::SelectParticipationRequest select;
  select.set_name(name);
  *select.mutable_effective_date() = Day(2026, 11, 24);  // Tomorrow.
  EXPECT_EQ(participations_.Select(kContext, select).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::InterruptParticipationRequest interrupt;
  interrupt.set_name(name);
  EXPECT_EQ(participations_.Interrupt(kContext, interrupt).status().code(),
            absl::StatusCode::kInvalidArgument);  // No reason.
  v1::RecordOutcomeRequest outcome;
  outcome.set_name(name);
  outcome.set_point(v1::AT_END);
  outcome.set_kind(v1::WORK_SUBSIDIZED);
  auto missing_subsidy = participations_.RecordOutcome(kContext, outcome);
  EXPECT_EQ(missing_subsidy.status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing_subsidy.status().message().find("subsidy"),
            absl::string_view::npos);
}

TEST_F(ParticipationsTest, RetryWithSameRequestIdReturnsFirstAnswer) {
  const std::string name = Selected(NewParticipant(1));
  v1::EnrollParticipationRequest enroll;
  enroll.set_name(name);
  enroll.set_intake(common_);
  *enroll.mutable_effective_date() = Day(2024, 1, 20);
  enroll.set_request_id("3c0e7f1a-9b2d-4e6f-8a1b-2c3d4e5f6a7b");
  auto first = participations_.Enroll(kContext, enroll);
  auto again = participations_.Enroll(kContext, enroll);
  ASSERT_TRUE(first.ok() && again.ok()) << again.status();
  EXPECT_EQ(first->SerializeAsString(), again->SerializeAsString());
  EXPECT_EQ(participations_.Events(name)->size(), 3u);
}

TEST_F(ParticipationsTest, FiftyConcurrentEnrolmentsIntoTenSeats) {
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i) names.push_back(Selected(NewParticipant(i)));
  std::atomic<int> enrolled = 0, no_seat = 0, other = 0;
  std::vector<std::thread> threads;
  for (const std::string& name : names) {
    threads.emplace_back([&, name] {
      auto result = Enroll(name, common_, Day(2024, 1, 20));
      if (result.ok()) {
        ++enrolled;
      } else if (result.status().code() ==
                     absl::StatusCode::kFailedPrecondition &&
                 absl::StrContains(result.status().message(), "no free seat")) {
        ++no_seat;
      } else {
        ++other;
        ADD_FAILURE() << result.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(enrolled.load(), 10);
  EXPECT_EQ(no_seat.load(), 40);
  EXPECT_EQ(other.load(), 0);
  v1::ListParticipationsRequest list;
  auto page = participations_.List(
      "", 100, "",
      absl::StrCat("intake = \"", common_, "\" AND state = ENROLLED"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->first.size(), 10u);
}

TEST_F(ParticipationsTest,
       RollingIntakeRefusesABackdatedEnrolmentThatOverbooksLater) {
  // Two seats at a time. A: Feb–Mar. B: from April, open.
  const std::string a = Selected(NewParticipant(1));
  const std::string b = Selected(NewParticipant(2));
  const std::string c = Selected(NewParticipant(3));
  ASSERT_TRUE(Enroll(a, rolling_, Day(2024, 1, 20), Day(2024, 2, 1)).ok());
  ASSERT_TRUE(Complete(a, Day(2024, 3, 31)).ok());
  ASSERT_TRUE(Enroll(b, rolling_, Day(2024, 3, 20), Day(2024, 4, 1)).ok());
  // C, backdated to 22 January, shares a seat with A (February–March) and
  // then with B (from April): never more than two at a time. D from
  // 25 January would make three on 1 February, when A starts.
  ASSERT_TRUE(Enroll(c, rolling_, Day(2024, 1, 20), Day(2024, 1, 22)).ok());
  const std::string d = Selected(NewParticipant(4));
  auto refused = Enroll(d, rolling_, Day(2024, 1, 25), Day(2024, 1, 25));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("3 participants on 2024-02-01"),
            absl::string_view::npos)
      << refused.status();
  // Once C has left, D fits from then on.
  ASSERT_TRUE(Complete(c, Day(2024, 5, 31)).ok());
  EXPECT_TRUE(Enroll(d, rolling_, Day(2024, 6, 1), Day(2024, 6, 1)).ok());
}

TEST_F(ParticipationsTest, AParticipantHasOneActiveParticipationAtATime) {
  const std::string participant = NewParticipant(1);
  const std::string first = Selected(participant);
  const std::string second = Selected(participant);  // Side by side: fine.
  ASSERT_TRUE(Enroll(first, common_, Day(2024, 1, 20)).ok());
  auto refused = Enroll(second, rolling_, Day(2024, 1, 25), Day(2024, 3, 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(first), absl::string_view::npos);
  ASSERT_TRUE(Complete(first, Day(2024, 4, 30)).ok());
  // Overlapping the finished one is still refused; after it, allowed.
  EXPECT_FALSE(
      Enroll(second, rolling_, Day(2024, 5, 1), Day(2024, 4, 15)).ok());
  EXPECT_TRUE(Enroll(second, rolling_, Day(2024, 5, 1), Day(2024, 5, 2)).ok());
}

TEST_F(ParticipationsTest, CorrectionAmendsAReportWithoutLosingIt) {
  const std::string name = Selected(NewParticipant(1));
  ASSERT_TRUE(Enroll(name, common_, Day(2024, 1, 20)).ok());
  ASSERT_TRUE(Complete(name, Day(2024, 6, 30)).ok());
  v1::RecordOutcomeRequest outcome;
  outcome.set_name(name);
  outcome.set_point(v1::AT_END);
  outcome.set_kind(v1::WORK_UNSUBSIDIZED);
  *outcome.mutable_effective_date() = Day(2024, 6, 30);
  ASSERT_TRUE(participations_.RecordOutcome(kContext, outcome).ok());
  const int64_t wrong = participations_.Events(name)->back().sequence();

  v1::CorrectParticipationEventRequest correct;
  correct.set_name(name);
  correct.set_event_sequence(wrong);
  correct.mutable_replacement()->mutable_outcome()->set_kind(
      v1::WORK_SUBSIDIZED);
  correct.mutable_replacement()->mutable_outcome()->set_subsidy(v1::LONEBIDRAG);
  auto corrected = participations_.Correct(kContext, correct);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  ASSERT_EQ(corrected->outcomes_size(), 1);
  EXPECT_EQ(corrected->outcomes(0).kind(), v1::WORK_SUBSIDIZED);
  EXPECT_EQ(corrected->outcomes(0).point(), v1::AT_END);
  // Both reports stay in the log; the correction names the original.
  auto events = *participations_.Events(name);
  EXPECT_EQ(events.back().corrects(), wrong);
  EXPECT_EQ(events[events.size() - 2].outcome().kind(), v1::WORK_UNSUBSIDIZED);

  // A different kind of change, or a later end date, is refused.
  correct.mutable_replacement()->mutable_completed();
  EXPECT_EQ(participations_.Correct(kContext, correct).status().code(),
            absl::StatusCode::kInvalidArgument);
  const int64_t completion = events[3].sequence();
  ASSERT_TRUE(events[3].has_completed());
  v1::CorrectParticipationEventRequest end;
  end.set_name(name);
  end.set_event_sequence(completion);
  end.mutable_replacement()->mutable_completed();
  *end.mutable_replacement()->mutable_effective_date() = Day(2024, 7, 15);
  EXPECT_EQ(participations_.Correct(kContext, end).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // An earlier end that still fits the outcome date is accepted, and the
  // state as of a day between the two dates changes with it.
  *end.mutable_replacement()->mutable_effective_date() = Day(2024, 6, 20);
  ASSERT_TRUE(participations_.Correct(kContext, end).ok());
  v1::GetParticipationRequest get;
  get.set_name(name);
  *get.mutable_as_of() = Day(2024, 6, 25);
  EXPECT_EQ(participations_.Get(get)->state(), P::COMPLETED);
}

TEST_F(ParticipationsTest, ErasureClearsFreeTextFromEventsAndProjections) {
  const std::string participant = NewParticipant(1);
  const std::string declined = Selected(participant);
  v1::DeclineParticipationRequest decline;
  decline.set_name(declined);
  decline.set_reason(v1::ILLNESS);
  decline.set_reason_text("Sjukskriven för utmattningssyndrom");
  ASSERT_TRUE(participations_.Decline(kContext, decline).ok());
  const std::string enrolled = Selected(participant);
  ASSERT_TRUE(Enroll(enrolled, common_, Day(2024, 1, 20)).ok());
  v1::ReportStepProgressRequest step;
  step.set_name(enrolled);
  step.set_step_id("1");
  step.set_status(v1::STEP_DONE);
  step.set_certificate("Truckkort nr 77-1234");
  ASSERT_TRUE(participations_.ReportStepProgress(kContext, step).ok());

  v1::EraseParticipantRequest erase;
  erase.set_name(participant);
  ASSERT_TRUE(participants_.Erase(kContext, erase).ok());

  v1::GetParticipationRequest get;
  get.set_name(declined);
  auto d = participations_.Get(get);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->reason_text().empty());
  EXPECT_EQ(d->reason(), v1::ILLNESS);  // The reason code is statistics.
  get.set_name(enrolled);
  auto e = participations_.Get(get);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->plan().steps(0).certificate().empty());
  EXPECT_EQ(e->plan().steps(0).status(), v1::STEP_DONE);
  for (const auto& name : {declined, enrolled}) {
    auto events = participations_.Events(name);
    ASSERT_TRUE(events.ok());
    for (const v1::Event& event : *events) {
      EXPECT_TRUE(event.declined().reason_text().empty());
      EXPECT_TRUE(event.step_progressed().certificate().empty());
    }
  }
  ASSERT_TRUE(env_.storage().CompactAll().ok());
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(env_.data_dir() + "/db")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str().find("utmattningssyndrom"), std::string::npos)
        << entry.path();
    EXPECT_EQ(content.str().find("77-1234"), std::string::npos) << entry.path();
  }
}

// Random life-cycle calls (valid and invalid, with random past dates) on a
// few participants and two intakes. Afterwards every stored participation
// equals the replay of its stored events, no intake was ever over its seats
// on any day, and no participant was ever enrolled twice at once — checked
// by brute force over the days of the year.
TEST_F(ParticipationsTest, ProjectionEqualsReplayOnRandomizedHistories) {
  std::mt19937 random(20261123);
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  std::vector<std::string> people;
  for (int i = 0; i < 20; ++i) people.push_back(NewParticipant(i));
  std::vector<std::string> names;
  // Each participation's dates mostly move forward; one call in six is
  // backdated.
  std::map<std::string, absl::CivilDay> last;
  int accepted = 0;
  for (int step = 0; step < 600; ++step) {
    absl::Status status;
    if (names.empty() || pick(5) == 0) {
      v1::ProposeParticipationRequest propose;
      propose.set_participant(people[pick(people.size())]);
      propose.set_track(track_);
      const absl::CivilDay d = absl::CivilDay(2024, 1, 1) + pick(200);
      *propose.mutable_effective_date() = ToDate(d);
      auto created = participations_.Propose(kContext, propose);
      status = created.status();
      if (created.ok()) {
        names.push_back(created->name());
        last[created->name()] = d;
      }
    } else {
      const std::string& name = names[pick(names.size())];
      absl::CivilDay d = last[name] + (pick(6) == 0 ? -pick(20) : pick(40));
      const v1::Date date = ToDate(d);
      v1::GetParticipationRequest get;
      get.set_name(name);
      const P::State state = participations_.Get(get)->state();
      // Mostly the call the state allows; now and then any call.
      int action = pick(8);
      if (pick(5) != 0) {
        switch (state) {
          case P::PROPOSED:
            action = pick(10) ? 0 : 1;
            break;
          case P::SELECTED:
            action = pick(10) ? 2 : 1;
            break;
          case P::ENROLLED:
            action = 4 + pick(3);
            break;
          case P::COMPLETED:
          case P::INTERRUPTED:
            action = 7;
            break;
          default:
            break;
        }
      }
      switch (action) {
        case 0: {
          v1::SelectParticipationRequest r;
          r.set_name(name);
          *r.mutable_effective_date() = date;
          status = participations_.Select(kContext, r).status();
          break;
        }
        case 1: {
          v1::DeclineParticipationRequest r;
          r.set_name(name);
          r.set_reason(v1::DECLINED_BY_EMPLOYER);
          *r.mutable_effective_date() = date;
          status = participations_.Decline(kContext, r).status();
          break;
        }
        case 2:
        case 3: {
          const bool common = pick(2);
          const absl::CivilDay start =
              std::max(d, common ? absl::CivilDay(2024, 2, 1)
                                 : absl::CivilDay(2024, 1, 1));
          status =
              Enroll(name, common ? common_ : rolling_, date, ToDate(start))
                  .status();
          break;
        }
        case 4: {
          v1::ReportStepProgressRequest r;
          r.set_name(name);
          r.set_step_id(absl::StrCat(1 + pick(3)));
          r.set_status(pick(2) ? v1::STEP_STARTED : v1::STEP_DONE);
          *r.mutable_effective_date() = date;
          status = participations_.ReportStepProgress(kContext, r).status();
          break;
        }
        case 5:
          status = Complete(name, date).status();
          break;
        case 6: {
          v1::InterruptParticipationRequest r;
          r.set_name(name);
          r.set_reason(v1::GOT_JOB);
          *r.mutable_end_date() = date;
          status = participations_.Interrupt(kContext, r).status();
          break;
        }
        case 7: {
          v1::RecordOutcomeRequest r;
          r.set_name(name);
          r.set_point(pick(2) ? v1::AT_END : v1::AFTER_90_DAYS);
          r.set_kind(v1::STUDIES);
          *r.mutable_effective_date() = ToDate(d + pick(120));
          status = participations_.RecordOutcome(kContext, r).status();
          break;
        }
      }
      if (status.ok()) last[name] = std::max(last[name], d);
    }
    if (status.ok()) {
      ++accepted;
    } else {
      // Refusals are the expected kinds only.
      EXPECT_TRUE(status.code() == absl::StatusCode::kFailedPrecondition ||
                  status.code() == absl::StatusCode::kInvalidArgument)
          << status;
    }
  }
  EXPECT_GT(accepted, 100);  // The walk gets somewhere.

  struct Held {
    std::string participant, intake;
    absl::CivilDay start;
    std::optional<absl::CivilDay> end;
  };
  std::vector<Held> held;
  for (const std::string& name : names) {
    v1::GetParticipationRequest get;
    get.set_name(name);
    auto stored = participations_.Get(get);
    auto events = participations_.Events(name);
    ASSERT_TRUE(stored.ok() && events.ok());
    auto replayed = Replay(name, *events);
    ASSERT_TRUE(replayed.ok()) << replayed.status();
    v1::Participation projection = *stored;
    projection.clear_create_time();
    projection.clear_update_time();
    projection.clear_etag();
    EXPECT_EQ(projection.SerializeAsString(), replayed->SerializeAsString())
        << name;
    if (HasDate(stored->start_date())) {
      Held h{stored->participant(), stored->intake(),
             *ToCivilDay(stored->start_date()), std::nullopt};
      if (HasDate(stored->end_date())) h.end = ToCivilDay(stored->end_date());
      held.push_back(h);
    }
  }
  // Enough enrolments that the invariants below mean something.
  EXPECT_GE(held.size(), 8u);
  int common_taken = 0;
  for (const Held& h : held) common_taken += h.intake == common_;
  EXPECT_LE(common_taken, 10);
  std::cerr << "randomized history: " << accepted << " accepted calls, "
            << names.size() << " participations, " << held.size()
            << " enrolled, " << common_taken << " in the COMMON intake\n";
  for (absl::CivilDay d(2024, 1, 1); d < absl::CivilDay(2026, 1, 1); ++d) {
    int rolling = 0;
    std::map<std::string, int> per_person;
    for (const Held& h : held) {
      if (h.start > d || (h.end && *h.end < d)) continue;
      rolling += h.intake == rolling_;
      ++per_person[h.participant];
    }
    EXPECT_LE(rolling, 2) << FormatDate(d);
    for (const auto& [person, n] : per_person) {
      EXPECT_LE(n, 1) << person << " on " << FormatDate(d);
    }
  }
  // The seat ledger, which the seat counts read, followed every change.
  JT_ASSERT_OK_AND_ASSIGN(ConsistencyReport report,
                          CheckConsistency(env_.deps()));
  EXPECT_TRUE(report.ok()) << absl::StrJoin(report.problems, "\n");
}

TEST_F(ParticipationsTest, TheSeatLedgerHoldsTheSeatEachParticipationHolds) {
  const std::string a = Selected(NewParticipant(1));
  const std::string b = Selected(NewParticipant(2));
  const std::string waiting = Selected(NewParticipant(3));
  ASSERT_TRUE(Enroll(a, common_, Day(2024, 1, 20)).ok());
  ASSERT_TRUE(Enroll(b, rolling_, Day(2024, 1, 20), Day(2024, 2, 5)).ok());
  auto ledger = [&] {
    auto reader = env_.storage().Snapshot();
    absl::StatusOr<SeatLedger> read = ReadSeatLedger(*reader);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? *read : SeatLedger();
  };
  const int32_t feb1 = SeatInterval::DayNumber(absl::CivilDay(2024, 2, 1));
  const int32_t feb5 = SeatInterval::DayNumber(absl::CivilDay(2024, 2, 5));
  const int32_t mar31 = SeatInterval::DayNumber(absl::CivilDay(2024, 3, 31));
  EXPECT_EQ(
      ledger(),
      (SeatLedger{
          {common_,
           {{a, SeatInterval::FromDayNumbers(feb1, SeatInterval::kOpen)}}},
          {rolling_,
           {{b, SeatInterval::FromDayNumbers(feb5, SeatInterval::kOpen)}}}}));
  ASSERT_TRUE(Complete(b, Day(2024, 3, 31)).ok());
  EXPECT_EQ(ledger()[rolling_][b], SeatInterval::FromDayNumbers(feb5, mar31));
  EXPECT_FALSE(ledger()[common_].contains(waiting));

  auto reader = env_.storage().Snapshot();
  auto rolling = RecordTable<v1::Intake>(nullptr).Get(*reader, rolling_);
  ASSERT_TRUE(rolling.ok());
  EXPECT_EQ(HeldSeats(*reader, *rolling, "")->size(), 1u);
  EXPECT_TRUE(HeldSeats(*reader, *rolling, b)->empty()) << "b left out";
}

// Data written before schema version 3 has no seat ledger. Opening it
// enters every seat, and the seat counts that read the ledger hold: the
// full ROLLING intake refuses a third participant.
TEST_F(ParticipationsTest, OpeningSchemaTwoDataEntersEverySeatInTheLedger) {
  const std::string a = Selected(NewParticipant(1));
  const std::string b = Selected(NewParticipant(2));
  const std::string c = Selected(NewParticipant(3));
  ASSERT_TRUE(Enroll(a, rolling_, Day(2024, 1, 20), Day(2024, 2, 1)).ok());
  ASSERT_TRUE(Enroll(b, rolling_, Day(2024, 1, 20), Day(2024, 2, 1)).ok());
  ASSERT_TRUE(Complete(b, Day(2024, 6, 30)).ok());
  SeatLedger before;
  {
    auto reader = env_.storage().Snapshot();
    JT_ASSERT_OK_AND_ASSIGN(before, ReadSeatLedger(*reader));
  }
  ASSERT_EQ(before[rolling_].size(), 2u);
  {
    // As schema version 2 left it: no ledger.
    std::unique_ptr<storage::Transaction> txn = env_.storage().Begin();
    for (const auto& [intake, seats] : before) {
      for (const auto& [name, seat] : seats) {
        ASSERT_TRUE(txn->Delete(storage::Column::kIndex,
                                storage::SeatKey(
                                    intake, name.substr(name.find('/') + 1)))
                        .ok());
      }
    }
    ASSERT_TRUE(
        txn->Put(storage::Column::kMeta, storage::kSchemaVersionKey, "2").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  env_.Reopen();
  EXPECT_EQ(*env_.storage().SchemaVersion(), storage::kSchemaVersion);
  {
    auto reader = env_.storage().Snapshot();
    JT_ASSERT_OK_AND_ASSIGN(SeatLedger after, ReadSeatLedger(*reader));
    EXPECT_EQ(after, before);
  }
  Participations participations(env_.deps());
  v1::EnrollParticipationRequest enroll;
  enroll.set_name(c);
  enroll.set_intake(rolling_);
  *enroll.mutable_effective_date() = Day(2024, 1, 25);
  *enroll.mutable_start_date() = Day(2024, 3, 1);
  EXPECT_EQ(participations.Enroll(kContext, enroll).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Running it again changes nothing.
  ASSERT_TRUE(EnterSeatsInLedger(env_.storage()).ok());
  JT_ASSERT_OK_AND_ASSIGN(ConsistencyReport report,
                          CheckConsistency(env_.deps()));
  EXPECT_TRUE(report.ok()) << absl::StrJoin(report.problems, "\n");
}

// Data written before schema version 2 has no latest_event_date. Opening it
// (as jobtrackd does, with SchemaMigrations) stamps every participation
// with the date its events give and a new etag; writes after that apply
// their events to the stored participation and stay equal to the replay.
TEST_F(ParticipationsTest, OpeningSchemaOneDataStampsEveryLatestEventDate) {
  const std::string selected = Selected(NewParticipant(1), Day(2024, 1, 15));
  const std::string enrolled = Selected(NewParticipant(2), Day(2024, 1, 10));
  ASSERT_TRUE(Enroll(enrolled, common_, Day(2024, 1, 20)).ok());
  v1::ReportStepProgressRequest step;
  step.set_name(enrolled);
  step.set_step_id("1");
  step.set_status(v1::STEP_STARTED);
  *step.mutable_effective_date() = Day(2024, 2, 5);
  ASSERT_TRUE(participations_.ReportStepProgress(kContext, step).ok());
  const std::map<std::string, absl::CivilDay> latest = {
      {selected, absl::CivilDay(2024, 1, 15)},
      {enrolled, absl::CivilDay(2024, 2, 5)}};

  // Rewrite them as schema version 1 stored them.
  std::map<std::string, P> old;
  {
    std::unique_ptr<storage::Transaction> txn = env_.storage().Begin();
    for (const auto& [name, day] : latest) {
      v1::GetParticipationRequest get;
      get.set_name(name);
      JT_ASSERT_OK_AND_ASSIGN(P stored, participations_.Get(get));
      ASSERT_EQ(ToCivilDay(stored.latest_event_date()), day) << name;
      stored.clear_latest_event_date();
      StampEtag(&stored);
      old[name] = stored;
      absl::string_view collection, id;
      ASSERT_TRUE(storage::SplitName(name, &collection, &id));
      ASSERT_TRUE(txn->Put(storage::Column::kRecords,
                           storage::RecordKey(collection, id),
                           stored.SerializeAsString())
                      .ok());
    }
    ASSERT_TRUE(
        txn->Put(storage::Column::kMeta, storage::kSchemaVersionKey, "1").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  env_.Reopen();
  EXPECT_EQ(*env_.storage().SchemaVersion(), storage::kSchemaVersion);
  Participations participations(env_.deps());
  for (const auto& [name, day] : latest) {
    v1::GetParticipationRequest get;
    get.set_name(name);
    JT_ASSERT_OK_AND_ASSIGN(P migrated, participations.Get(get));
    EXPECT_EQ(ToCivilDay(migrated.latest_event_date()), day) << name;
    EXPECT_NE(migrated.etag(), old[name].etag()) << name;
    EXPECT_EQ(migrated.etag(), ComputeEtag(migrated)) << name;
    P unstamped = migrated;
    unstamped.clear_latest_event_date();
    unstamped.set_etag(old[name].etag());
    EXPECT_EQ(unstamped.SerializeAsString(), old[name].SerializeAsString())
        << name << ": only the date and the etag change";
  }
  // Running it again changes nothing.
  ASSERT_TRUE(StampLatestEventDates(env_.storage()).ok());
  step.set_status(v1::STEP_DONE);
  *step.mutable_effective_date() = Day(2024, 2, 20);
  JT_ASSERT_OK_AND_ASSIGN(P after,
                          participations.ReportStepProgress(kContext, step));
  EXPECT_EQ(ToCivilDay(after.latest_event_date()), absl::CivilDay(2024, 2, 20));
  JT_ASSERT_OK_AND_ASSIGN(ConsistencyReport report,
                          CheckConsistency(env_.deps()));
  EXPECT_TRUE(report.ok()) << absl::StrJoin(report.problems, "\n");
  EXPECT_EQ(report.participations, 2);
}

}  // namespace
}  // namespace jobtrack
