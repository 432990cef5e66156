// The participation state machine as a table, and as-of derivation with
// backdated events and corrections, on the pure replay function.
#include "services/participations/lifecycle.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

using State = v1::Participation::State;
using P = v1::Participation;

enum Change {
  kPropose,
  kSelect,
  kDecline,
  kEnroll,
  kStep,
  kComplete,
  kInterrupt,
  kOutcome
};
constexpr const char* kChangeNames[] = {"propose",   "select", "decline",
                                        "enroll",    "step",   "complete",
                                        "interrupt", "outcome"};

v1::Event Make(Change change, int64_t sequence, absl::CivilDay day) {
  v1::Event e;
  e.set_sequence(sequence);
  *e.mutable_effective_date() = ToDate(day);
  switch (change) {
    case kPropose:
      e.mutable_proposed()->set_participant("participants/p");
      e.mutable_proposed()->set_track("tracks/t");
      break;
    case kSelect:
      e.mutable_selected();
      break;
    case kDecline:
      e.mutable_declined()->set_reason(v1::NOT_ELIGIBLE);
      break;
    case kEnroll: {
      auto* enrolled = e.mutable_enrolled();
      enrolled->set_intake("tracks/t/intakes/i");
      *enrolled->mutable_start_date() = ToDate(day);
      auto* step = enrolled->mutable_plan()->add_steps();
      step->set_step_id("1");
      step->set_status(v1::STEP_PLANNED);
      break;
    }
    case kStep:
      e.mutable_step_progressed()->set_step_id("1");
      e.mutable_step_progressed()->set_status(v1::STEP_STARTED);
      break;
    case kComplete:
      e.mutable_completed();
      break;
    case kInterrupt:
      e.mutable_interrupted()->set_reason(v1::GOT_JOB);
      break;
    case kOutcome:
      e.mutable_outcome()->set_point(v1::AT_END);
      e.mutable_outcome()->set_kind(v1::WORK_UNSUBSIDIZED);
      break;
  }
  return e;
}

// Proposed on 10 January 2024, selected on 20 January, enrolled on 1
// February (sequences 1 to 3).
std::vector<v1::Event> Enrolled() {
  return {Make(kPropose, 1, absl::CivilDay(2024, 1, 10)),
          Make(kSelect, 2, absl::CivilDay(2024, 1, 20)),
          Make(kEnroll, 3, absl::CivilDay(2024, 2, 1))};
}

// The shortest history that reaches each state.
std::vector<Change> PathTo(State state) {
  switch (state) {
    case P::STATE_UNSPECIFIED:
      return {};
    case P::PROPOSED:
      return {kPropose};
    case P::SELECTED:
      return {kPropose, kSelect};
    case P::DECLINED:
      return {kPropose, kDecline};
    case P::ENROLLED:
      return {kPropose, kSelect, kEnroll};
    case P::COMPLETED:
      return {kPropose, kSelect, kEnroll, kComplete};
    case P::INTERRUPTED:
      return {kPropose, kSelect, kEnroll, kInterrupt};
    default:
      return {};
  }
}

// Written by hand: which change each state accepts, and the state after it
// (the same state for step progress and outcomes).
struct Row {
  State from;
  Change change;
  bool allowed;
  State to = P::STATE_UNSPECIFIED;
};
constexpr Row kTable[] = {
    {P::STATE_UNSPECIFIED, kPropose, true, P::PROPOSED},
    {P::STATE_UNSPECIFIED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kDecline, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kStep, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::STATE_UNSPECIFIED, kOutcome, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kSelect, true, P::SELECTED},
    {P::PROPOSED, kDecline, true, P::DECLINED},
    {P::PROPOSED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kStep, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::PROPOSED, kOutcome, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kDecline, true, P::DECLINED},
    {P::SELECTED, kEnroll, true, P::ENROLLED},
    {P::SELECTED, kStep, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::SELECTED, kOutcome, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kDecline, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kStep, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::DECLINED, kOutcome, false, P::STATE_UNSPECIFIED},
    {P::ENROLLED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::ENROLLED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::ENROLLED, kDecline, false, P::STATE_UNSPECIFIED},
    {P::ENROLLED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::ENROLLED, kStep, true, P::ENROLLED},
    {P::ENROLLED, kComplete, true, P::COMPLETED},
    {P::ENROLLED, kInterrupt, true, P::INTERRUPTED},
    {P::ENROLLED, kOutcome, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kDecline, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kStep, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::COMPLETED, kOutcome, true, P::COMPLETED},
    {P::INTERRUPTED, kPropose, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kSelect, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kDecline, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kEnroll, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kStep, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kComplete, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kInterrupt, false, P::STATE_UNSPECIFIED},
    {P::INTERRUPTED, kOutcome, true, P::INTERRUPTED},
};

TEST(LifecycleTest, EveryTransitionOfTheTable) {
  EXPECT_EQ(std::size(kTable), 7u * 8u);  // Every state × every change.
  const absl::CivilDay day(2024, 3, 1);
  for (const Row& row : kTable) {
    std::vector<v1::Event> events;
    int64_t sequence = 0;
    for (Change c : PathTo(row.from))
      events.push_back(Make(c, ++sequence, day));
    events.push_back(Make(row.change, ++sequence, day));
    auto result = Replay("participations/x", events);
    const std::string label =
        absl::StrCat(P::State_Name(row.from), " + ", kChangeNames[row.change]);
    if (row.allowed) {
      ASSERT_TRUE(result.ok()) << label << ": " << result.status();
      EXPECT_EQ(result->state(), row.to) << label;
    } else {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition)
          << label;
      // The error names the state the participation is in.
      EXPECT_NE(result.status().message().find(
                    absl::StrCat(" is ", P::State_Name(row.from))),
                absl::string_view::npos)
          << label << ": " << result.status();
    }
  }
}

TEST(LifecycleTest, AsOfAppliesOnlyWhatWasEffectiveByThatDay) {
  std::vector<v1::Event> events = Enrolled();
  events.push_back(Make(kComplete, 4, absl::CivilDay(2024, 6, 30)));
  auto state_on = [&](absl::CivilDay day) {
    ReplayOptions options;
    options.as_of = day;
    return Replay("participations/x", events, options)->state();
  };
  EXPECT_EQ(state_on(absl::CivilDay(2024, 1, 9)), P::STATE_UNSPECIFIED);
  EXPECT_EQ(state_on(absl::CivilDay(2024, 1, 10)), P::PROPOSED);
  EXPECT_EQ(state_on(absl::CivilDay(2024, 1, 31)), P::SELECTED);
  EXPECT_EQ(state_on(absl::CivilDay(2024, 6, 29)), P::ENROLLED);
  EXPECT_EQ(state_on(absl::CivilDay(2024, 6, 30)), P::COMPLETED);
}

TEST(LifecycleTest, BackdatedEventMustFitEveryLaterDate) {
  // Completed on 30 June; an interruption backdated to 1 May would leave the
  // later completion without an ENROLLED participation.
  std::vector<v1::Event> events = Enrolled();
  events.push_back(Make(kComplete, 4, absl::CivilDay(2024, 6, 30)));
  events.push_back(Make(kInterrupt, 5, absl::CivilDay(2024, 5, 1)));
  auto result = Replay("participations/x", events);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("INTERRUPTED on 2024-06-30"),
            absl::string_view::npos)
      << result.status();
  // Backdated into a gap that fits, it is applied in date order.
  events.pop_back();
  events.push_back(Make(kStep, 5, absl::CivilDay(2024, 3, 1)));
  ReplayOptions options;
  options.as_of = absl::CivilDay(2024, 3, 1);
  auto march = Replay("participations/x", events, options);
  ASSERT_TRUE(march.ok()) << march.status();
  EXPECT_EQ(march->plan().steps(0).status(), v1::STEP_STARTED);
}

TEST(LifecycleTest, CorrectionReplacesTheEventFromItsRecordingOn) {
  std::vector<v1::Event> events = Enrolled();
  events.push_back(Make(kComplete, 4, absl::CivilDay(2024, 6, 30)));
  events.push_back(Make(kOutcome, 5, absl::CivilDay(2024, 6, 30)));
  // The supplier reported unsubsidised work; it was subsidised.
  v1::Event correction = Make(kOutcome, 6, absl::CivilDay(2024, 6, 30));
  correction.set_corrects(5);
  correction.mutable_outcome()->set_kind(v1::WORK_SUBSIDIZED);
  correction.mutable_outcome()->set_subsidy(v1::LONEBIDRAG);
  events.push_back(correction);
  auto now = Replay("participations/x", events);
  ASSERT_TRUE(now.ok()) << now.status();
  ASSERT_EQ(now->outcomes_size(), 1);
  EXPECT_EQ(now->outcomes(0).kind(), v1::WORK_SUBSIDIZED);
  // "As known at" sequence 5 still sees the original report.
  ReplayOptions before;
  before.known_at = 5;
  auto then = Replay("participations/x", events, before);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->outcomes(0).kind(), v1::WORK_UNSUBSIDIZED);
}

TEST(LifecycleTest, OutcomesHaveTheirEarliestDatesAndOnePerPoint) {
  std::vector<v1::Event> base = Enrolled();
  base.push_back(Make(kComplete, 4, absl::CivilDay(2024, 6, 30)));
  auto with = [&](std::vector<v1::Event> extra) {
    std::vector<v1::Event> events = base;
    for (auto& e : extra) events.push_back(e);
    return Replay("participations/x", events);
  };
  v1::Event after90 = Make(kOutcome, 5, absl::CivilDay(2024, 9, 27));
  after90.mutable_outcome()->set_point(v1::AFTER_90_DAYS);
  EXPECT_FALSE(with({after90}).ok());  // 89 days after the end.
  *after90.mutable_effective_date() = ToDate(absl::CivilDay(2024, 9, 28));
  EXPECT_TRUE(with({after90}).ok());
  EXPECT_FALSE(with({Make(kOutcome, 5, absl::CivilDay(2024, 6, 29))}).ok());
  EXPECT_FALSE(with({Make(kOutcome, 5, absl::CivilDay(2024, 6, 30)),
                     Make(kOutcome, 6, absl::CivilDay(2024, 7, 1))})
                   .ok());
}

TEST(LifecycleTest, LatestEventDateIsTheLastDayOfAnyAppliedEvent) {
  std::vector<v1::Event> events = Enrolled();
  events.push_back(Make(kStep, 4, absl::CivilDay(2024, 3, 5)));
  auto replayed = Replay("participations/x", events);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  // The state changed on 1 February; a step progressed on 5 March.
  EXPECT_EQ(*ToCivilDay(replayed->state_date()), absl::CivilDay(2024, 2, 1));
  EXPECT_EQ(*ToCivilDay(replayed->latest_event_date()),
            absl::CivilDay(2024, 3, 5));
  ReplayOptions options;
  options.as_of = absl::CivilDay(2024, 3, 4);
  auto before = Replay("participations/x", events, options);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*ToCivilDay(before->latest_event_date()),
            absl::CivilDay(2024, 2, 1));
  // A correction that moves the step to an earlier day moves it too.
  v1::Event correction = Make(kStep, 5, absl::CivilDay(2024, 2, 15));
  correction.set_corrects(4);
  events.push_back(correction);
  auto corrected = Replay("participations/x", events);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(*ToCivilDay(corrected->latest_event_date()),
            absl::CivilDay(2024, 2, 15));
}

// The write path applies an event dated on or after every earlier one to
// the stored participation instead of replaying: for every state and change
// it must give exactly what the replay gives, errors included.
TEST(LifecycleTest, ApplyingLastGivesWhatTheReplayGives) {
  const absl::CivilDay day(2024, 3, 1);
  for (const Row& row : kTable) {
    for (int later : {0, 1}) {
      std::vector<v1::Event> events;
      int64_t sequence = 0;
      for (Change c : PathTo(row.from)) {
        events.push_back(Make(c, ++sequence, day));
      }
      auto stored = Replay("participations/x", events);
      ASSERT_TRUE(stored.ok());
      const v1::Event event = Make(row.change, ++sequence, day + later);
      const std::string label =
          absl::StrCat(P::State_Name(row.from), " + ", kChangeNames[row.change],
                       " +", later);
      if (row.from == P::STATE_UNSPECIFIED) {
        // Nothing stored yet: a new participation is always replayed.
        EXPECT_FALSE(AppliesLast(*stored, event)) << label;
        continue;
      }
      ASSERT_TRUE(AppliesLast(*stored, event)) << label;
      events.push_back(event);
      auto replayed = Replay("participations/x", events);
      auto applied = ApplyLast(*stored, event);
      ASSERT_EQ(applied.status(), replayed.status()) << label;
      if (!replayed.ok()) continue;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*applied,
                                                                     *replayed))
          << label << "\napplied: " << applied->DebugString()
          << "\nreplayed: " << replayed->DebugString();
    }
  }
}

TEST(LifecycleTest, BackdatedEventsAndCorrectionsDoNotApplyLast) {
  std::vector<v1::Event> events = Enrolled();
  auto stored = Replay("participations/x", events);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(AppliesLast(*stored, Make(kStep, 4, absl::CivilDay(2024, 2, 1))));
  EXPECT_FALSE(
      AppliesLast(*stored, Make(kStep, 4, absl::CivilDay(2024, 1, 31))));
  v1::Event correction = Make(kEnroll, 4, absl::CivilDay(2024, 3, 1));
  correction.set_corrects(3);
  EXPECT_FALSE(AppliesLast(*stored, correction));
  // A participation stored before it carried its latest date.
  v1::Participation old = *stored;
  old.clear_latest_event_date();
  EXPECT_FALSE(AppliesLast(old, Make(kStep, 4, absl::CivilDay(2024, 3, 1))));
}

}  // namespace
}  // namespace jobtrack
