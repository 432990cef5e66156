// The follow-up report against a brute-force oracle (DESIGN 9.7): random
// histories are recorded through the domain code, the test keeps its own
// plain list of what happened, and for several days every participant and
// participation figure is recomputed from that list by the definitions in
// the README, independently of the service's replay. The hand-worked tests
// in followup_test.cc stay the primary check; this adds coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/followup/followup.h"
#include "services/followup/report_projection.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

const CallContext kContext{.principal = "oracle", .method = "Test"};
const absl::CivilDay kToday(2026, 11, 23);

// What the test did to one participation, in its own terms.
struct Truth {
  v1::Gender gender = v1::GENDER_UNSPECIFIED;
  std::string participant;
  v1::Track::Kind kind = v1::Track::KIND_UNSPECIFIED;
  absl::CivilDay proposed;
  // Set if enrolled: decided (the enrolment's effective date) and start.
  std::optional<absl::CivilDay> enrolled, start;
  // Set if ended: the day, and whether it was a completion.
  std::optional<absl::CivilDay> end;
  bool completed = false;
  // Outcomes by effective date: 0 unsubsidized work … 3 other.
  std::vector<std::pair<absl::CivilDay, int>> outcomes;
};

constexpr v1::OutcomeKind kOutcomeKinds[] = {
    v1::WORK_UNSUBSIDIZED, v1::WORK_SUBSIDIZED, v1::STUDIES, v1::OUTCOME_OTHER};
constexpr const char* kClasses[] = {"working_unsubsidized",
                                    "working_subsidized", "studying", "other",
                                    "unknown"};

std::string GenderId(v1::Gender g) {
  return g == v1::FEMALE ? "women"
         : g == v1::MALE ? "men"
                         : "gender_unspecified";
}

std::string KindId(v1::Track::Kind k) {
  return k == v1::Track::PREPARATORY ? "preparatory" : "employer_directed";
}

// The figures about participants and participations on `day`, by the
// README's definitions, as "n/d" (counts as "n").
std::map<std::string, std::string> Oracle(const std::vector<Truth>& truths,
                                          absl::CivilDay day) {
  const absl::CivilDay year_start(day.year(), 1, 1);
  std::map<std::string, v1::Gender> active, started;
  std::map<v1::Gender, int64_t> proposals, enrolled, completed_by, working_by;
  int64_t completed = 0, interrupted = 0, expired = 0;
  std::map<std::pair<int, v1::Track::Kind>, std::array<int64_t, 5>> outcomes;
  for (const Truth& t : truths) {
    if (t.proposed > day) continue;
    ++proposals[t.gender];
    const bool in = t.enrolled && *t.enrolled <= day;
    if (!in) {
      if (day - t.proposed > 30) ++expired;
      continue;
    }
    ++enrolled[t.gender];
    const bool ended = t.end && *t.end <= day;
    if (*t.start <= day && !(ended && *t.end < day)) {
      active[t.participant] = t.gender;
    }
    if (*t.start <= day) started[t.participant] = t.gender;
    if (!ended || *t.end < year_start) continue;
    int outcome = 4;
    absl::CivilDay latest;
    for (const auto& [effective, kind] : t.outcomes) {
      if (effective <= day && (outcome == 4 || effective >= latest)) {
        outcome = kind;
        latest = effective;
      }
    }
    ++outcomes[{1, t.kind}][outcome];
    if (t.completed) {
      ++completed;
      ++completed_by[t.gender];
      if (outcome <= 1) ++working_by[t.gender];
      ++outcomes[{0, t.kind}][outcome];
    } else {
      ++interrupted;
    }
  }
  std::map<std::string, std::string> f;
  auto share = [](int64_t n, int64_t d) { return absl::StrCat(n, "/", d); };
  const v1::Gender genders[] = {v1::FEMALE, v1::MALE, v1::GENDER_UNSPECIFIED};
  f["participants.active"] = absl::StrCat(active.size());
  f["participants.started_since_series_start"] = absl::StrCat(started.size());
  for (v1::Gender g : genders) {
    auto count = [&](const std::map<std::string, v1::Gender>& m) {
      return static_cast<int64_t>(std::count_if(
          m.begin(), m.end(), [&](const auto& e) { return e.second == g; }));
    };
    f["participants.active." + GenderId(g)] =
        share(count(active), static_cast<int64_t>(active.size()));
    f["participants.started_since_series_start." + GenderId(g)] =
        share(count(started), static_cast<int64_t>(started.size()));
    f["participations.completed_this_year." + GenderId(g)] =
        share(completed_by[g], completed);
    f["outcomes.completed.working." + GenderId(g)] =
        share(working_by[g], completed_by[g]);
    f["proposals.enrolled." + GenderId(g)] = share(enrolled[g], proposals[g]);
  }
  f["participations.ended_this_year"] = absl::StrCat(completed + interrupted);
  f["participations.ended_this_year.completed"] =
      share(completed, completed + interrupted);
  f["participations.ended_this_year.interrupted"] =
      share(interrupted, completed + interrupted);
  for (int basis = 0; basis < 2; ++basis) {
    for (v1::Track::Kind kind :
         {v1::Track::PREPARATORY, v1::Track::EMPLOYER_DIRECTED}) {
      const std::array<int64_t, 5>& counts = outcomes[{basis, kind}];
      int64_t total = 0;
      for (int64_t n : counts) total += n;
      for (int c = 0; c < 5; ++c) {
        f[absl::StrCat("outcomes.", basis == 0 ? "completed" : "ended", ".",
                       KindId(kind), ".", kClasses[c])] =
            share(counts[c], total);
      }
    }
  }
  int64_t all = 0;
  for (const auto& [g, n] : proposals) all += n;
  f["proposals"] = absl::StrCat(all);
  f["proposals.expired"] = absl::StrCat(expired);
  return f;
}

class FollowUpOracleTest : public ::testing::TestWithParam<int> {
 protected:
  FollowUpOracleTest()
      : employers_(env_.deps()),
        modules_(env_.deps()),
        tracks_(env_.deps()),
        intakes_(env_.deps()),
        participants_(env_.deps()),
        participations_(env_.deps()),
        // Opened before any history: it follows it as it is written.
        projection_(*ReportProjection::Open(&env_.storage())) {
    v1::Employer e;
    e.set_display_name("Employer");
    e.set_organisation_number("5560360793");
    e.set_sector(v1::Employer::PRIVATE);
    e.set_sni_code("87301");
    e.set_municipality_code("0180");
    const std::string employer =
        employers_.Create(kContext, e, "", e, "")->name();
    v1::Module m;
    m.set_display_name("AUB");
    m.set_education_form(v1::AUB);
    m.set_length_weeks(10);
    m.set_hours_per_week(30);
    const std::string module = modules_.Create(kContext, m, "", m, "")->name();
    for (v1::Track::Kind kind :
         {v1::Track::EMPLOYER_DIRECTED, v1::Track::PREPARATORY,
          v1::Track::EMPLOYER_DIRECTED}) {
      v1::CreateTrackRequest request;
      v1::Track& t = *request.mutable_track();
      t.set_display_name("Track");
      t.set_kind(kind);
      t.set_ssyk_code("5321");
      t.set_sni_code("87301");
      t.add_municipality_codes("0180");
      if (kind == v1::Track::EMPLOYER_DIRECTED) t.add_employers(employer);
      t.set_status(v1::Track::OPEN);
      t.mutable_chain()->add_stages()->add_steps()->set_module(module);
      *request.mutable_effective_date() = ToDate(absl::CivilDay(2024, 1, 1));
      const std::string track = tracks_.CreateTrack(kContext, request)->name();
      v1::Intake i;
      i.set_start_type(v1::Intake::ROLLING);
      *i.mutable_start_date() = ToDate(absl::CivilDay(2024, 1, 1));
      i.set_seats(200);
      tracks_by_kind_.push_back(
          {track, intakes_.Create(kContext, i, track, i, "")->name(), kind});
    }
  }

  struct TrackInfo {
    std::string track, intake;
    v1::Track::Kind kind;
  };

  // The national reports of `got` and `expected` (small cells shown) are
  // equal on every `step`-th day from `from` to before `to`.
  void ExpectSameReports(ReportProjection& got, ReportProjection& expected,
                         absl::CivilDay from, absl::CivilDay to, int step) {
    FollowUpConfig config;
    config.suppress_small_cells = false;
    FollowUp got_follow_up(env_.deps(), config, &got);
    FollowUp expected_follow_up(env_.deps(), config, &expected);
    for (absl::CivilDay day = from; day < to; day += step) {
      v1::GetReportRequest request;
      *request.mutable_as_of() = ToDate(day);
      auto got_report = got_follow_up.GetReport(CallContext{}, request);
      auto expected_report =
          expected_follow_up.GetReport(CallContext{}, request);
      ASSERT_TRUE(got_report.ok() && expected_report.ok());
      got_report->clear_compute_time();
      expected_report->clear_compute_time();
      EXPECT_EQ(got_report->SerializeAsString(),
                expected_report->SerializeAsString())
          << day << ", seed " << GetParam();
    }
  }

  testing::TestEnv env_;
  Employers employers_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  Participants participants_;
  Participations participations_;
  std::unique_ptr<ReportProjection> projection_;
  std::vector<TrackInfo> tracks_by_kind_;
};

TEST_P(FollowUpOracleTest, RandomHistoriesGiveTheFiguresABruteForceCountGives) {
  std::mt19937 random(GetParam());
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(random);
  };
  const absl::CivilDay first(2025, 1, 1);
  std::vector<Truth> truths;
  for (int i = 0; i < 40; ++i) {
    if (i == 20) {
      // A checkpoint halfway: a projection opened later starts from it and
      // catches up with the second half.
      ASSERT_TRUE(projection_->Visit([](auto, auto, auto) {}).ok());
      ASSERT_TRUE(projection_->SaveCheckpoint().ok());
    }
    Truth t;
    t.gender = uniform(0, 1) == 0 ? v1::FEMALE : v1::MALE;
    v1::Participant p;
    p.set_external_reference(absl::StrCat("oracle-", i));
    p.set_birth_year(1980 + i % 30);
    p.set_gender(t.gender);
    p.set_municipality_code("0180");
    p.set_education_level(v1::UPPER_SECONDARY);
    t.participant = participants_.Create(kContext, p, "", p, "")->name();
    const TrackInfo& track = tracks_by_kind_[uniform(0, 2)];
    t.kind = track.kind;
    t.proposed = first + uniform(0, static_cast<int>(kToday - first) - 1);
    const int fate = uniform(0, 9);
    if (fate < 2) {  // Proposed, nothing more.
      v1::ProposeParticipationRequest propose;
      propose.set_participant(t.participant);
      propose.set_track(track.track);
      *propose.mutable_effective_date() = ToDate(t.proposed);
      ASSERT_TRUE(participations_.Propose(kContext, propose).ok());
      truths.push_back(t);
      continue;
    }
    t.enrolled = t.proposed;
    t.start = std::min(kToday, t.proposed + uniform(0, 20));
    absl::StatusOr<std::string> name =
        ProposeSelectEnroll(participations_, kContext, t.participant,
                            track.track, track.intake, *t.start, *t.enrolled);
    ASSERT_TRUE(name.ok()) << name.status();
    const absl::CivilDay end = *t.start + uniform(10, 300);
    if (fate >= 4 && end <= kToday) {
      t.end = end;
      t.completed = fate >= 6;
      if (t.completed) {
        v1::CompleteParticipationRequest complete;
        complete.set_name(*name);
        *complete.mutable_end_date() = ToDate(end);
        ASSERT_TRUE(participations_.Complete(kContext, complete).ok());
      } else {
        v1::InterruptParticipationRequest interrupt;
        interrupt.set_name(*name);
        *interrupt.mutable_end_date() = ToDate(end);
        interrupt.set_reason(v1::MOVED);
        ASSERT_TRUE(participations_.Interrupt(kContext, interrupt).ok());
      }
      // An outcome at the end, maybe another 90 days later.
      for (auto [point, after] :
           {std::pair{v1::AT_END, 1}, std::pair{v1::AFTER_90_DAYS, 90}}) {
        if (uniform(0, 2) == 0 || end + after > kToday) continue;
        const int kind = uniform(0, 3);
        v1::RecordOutcomeRequest record;
        record.set_name(*name);
        record.set_point(point);
        record.set_kind(kOutcomeKinds[kind]);
        if (kind == 1) record.set_subsidy(v1::LONEBIDRAG);
        *record.mutable_effective_date() = ToDate(end + after);
        auto recorded = participations_.RecordOutcome(kContext, record);
        ASSERT_TRUE(recorded.ok()) << recorded.status();
        t.outcomes.emplace_back(end + after, kind);
      }
    }
    truths.push_back(t);
  }

  FollowUpConfig config;
  config.suppress_small_cells = false;
  FollowUp follow_up(env_.deps(), config, projection_.get());
  // A projection opened on the finished log (from the checkpoint taken
  // halfway, then the rest of the log) must agree with the one that
  // followed it event by event.
  std::unique_ptr<ReportProjection> rebuilt =
      *ReportProjection::Open(&env_.storage());
  FollowUp from_scratch(env_.deps(), config, rebuilt.get());
  ASSERT_GT(rebuilt->checkpoint_sequence(), 0u) << "the checkpoint was unused";
  // A damaged checkpoint is ignored: the projection is built from the log.
  {
    auto txn = env_.storage().Begin();
    ASSERT_TRUE(txn->Put(storage::Column::kMeta,
                         "report_projection/chunk/000000", "damaged")
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  std::unique_ptr<ReportProjection> ignoring =
      *ReportProjection::Open(&env_.storage());
  EXPECT_EQ(ignoring->checkpoint_sequence(), 0u);
  FollowUp despite_damage(env_.deps(), config, ignoring.get());
  for (absl::CivilDay day :
       {absl::CivilDay(2025, 1, 31), absl::CivilDay(2025, 4, 30),
        absl::CivilDay(2025, 9, 30), absl::CivilDay(2026, 1, 31),
        absl::CivilDay(2026, 6, 15), kToday}) {
    v1::GetReportRequest request;
    *request.mutable_as_of() = ToDate(day);
    auto report = follow_up.GetReport(CallContext{}, request);
    ASSERT_TRUE(report.ok()) << report.status();
    std::map<std::string, std::string> got;
    for (const v1::Figure& f : report->figures()) {
      got[f.id()] = f.share()
                        ? absl::StrCat(f.numerator(), "/", f.denominator())
                        : absl::StrCat(f.numerator());
    }
    const std::map<std::string, std::string> expected = Oracle(truths, day);
    for (const auto& [id, value] : expected) {
      EXPECT_EQ(got[id], value)
          << id << " on " << day << ", seed " << GetParam();
    }
    auto again = from_scratch.GetReport(CallContext{}, request);
    ASSERT_TRUE(again.ok()) << again.status();
    again->clear_compute_time();
    report->clear_compute_time();
    EXPECT_EQ(again->SerializeAsString(), report->SerializeAsString()) << day;
    auto rebuilt_anyway = despite_damage.GetReport(CallContext{}, request);
    ASSERT_TRUE(rebuilt_anyway.ok()) << rebuilt_anyway.status();
    rebuilt_anyway->clear_compute_time();
    EXPECT_EQ(rebuilt_anyway->SerializeAsString(), report->SerializeAsString())
        << day;
  }
}

// A projection that catches up after every call, taking most calls'
// events alone (ReportProjection::Advance), gives the reports that one
// built from the whole log gives, on histories with several events on a
// day, backdated ones and corrections (which need all of a
// participation's events again).
TEST_P(FollowUpOracleTest,
       AProjectionCaughtUpAfterEveryCallAgreesWithOneBuiltFromTheLog) {
  std::mt19937 random(GetParam());
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(random);
  };
  std::atomic<int> alone = 0, reread = 0;
  ReportProjection::TestHooks hooks;
  hooks.participation_applied = [&](bool took_new_events_alone) {
    ++(took_new_events_alone ? alone : reread);
  };
  std::unique_ptr<ReportProjection> following =
      *ReportProjection::Open(&env_.storage(), hooks);
  auto catch_up = [&] {
    ASSERT_TRUE(following->Visit([](auto, auto, auto) {}).ok());
  };
  int accepted = 0;
  for (int i = 0; i < 30; ++i) {
    v1::Participant person;
    person.set_external_reference(absl::StrCat("follow-", i));
    person.set_birth_year(1985);
    person.set_gender(i % 2 ? v1::FEMALE : v1::MALE);
    person.set_municipality_code(i % 3 ? "0180" : "1480");
    const std::string participant =
        participants_.Create(kContext, person, "", person, "")->name();
    const TrackInfo& track = tracks_by_kind_[uniform(0, 2)];
    absl::CivilDay day = absl::CivilDay(2025, 1, 1) + uniform(0, 300);
    v1::ProposeParticipationRequest propose;
    propose.set_participant(participant);
    propose.set_track(track.track);
    *propose.mutable_effective_date() = ToDate(day);
    auto proposed = participations_.Propose(kContext, propose);
    ASSERT_TRUE(proposed.ok()) << proposed.status();
    const std::string name = proposed->name();
    catch_up();
    for (int step = 0; step < 8; ++step) {
      // Mostly later or the same day; one call in five backdated.
      const int shift = uniform(0, 4) == 0 ? -uniform(1, 40) : uniform(0, 30);
      const absl::CivilDay when = day + shift;
      v1::GetParticipationRequest get;
      get.set_name(name);
      const v1::Participation::State state = participations_.Get(get)->state();
      absl::Status status;
      if (uniform(0, 6) == 0) {
        // A correction of an earlier event, moved by a few days.
        auto events = participations_.Events(name);
        ASSERT_TRUE(events.ok());
        const v1::Event& original =
            (*events)[uniform(0, static_cast<int>(events->size()) - 1)];
        v1::CorrectParticipationEventRequest correct;
        correct.set_name(name);
        correct.set_event_sequence(original.sequence());
        *correct.mutable_replacement() = original;
        *correct.mutable_replacement()->mutable_effective_date() =
            ToDate(*ToCivilDay(original.effective_date()) + uniform(-5, 5));
        status = participations_.Correct(kContext, correct).status();
      } else if (state != v1::Participation::PROPOSED &&
                 state != v1::Participation::SELECTED && uniform(0, 2) == 0) {
        // Progress on the plan, often dated before a later event: it
        // changes nothing a report reads, but its day is not the last.
        v1::ReportStepProgressRequest progress;
        progress.set_name(name);
        progress.set_step_id("1");
        progress.set_status(uniform(0, 1) ? v1::STEP_STARTED : v1::STEP_DONE);
        *progress.mutable_effective_date() = ToDate(day - uniform(0, 20));
        status =
            participations_.ReportStepProgress(kContext, progress).status();
      } else if (state == v1::Participation::PROPOSED) {
        v1::SelectParticipationRequest select;
        select.set_name(name);
        *select.mutable_effective_date() = ToDate(when);
        status = participations_.Select(kContext, select).status();
      } else if (state == v1::Participation::SELECTED) {
        v1::EnrollParticipationRequest enroll;
        enroll.set_name(name);
        enroll.set_intake(track.intake);
        *enroll.mutable_effective_date() = ToDate(when);
        *enroll.mutable_start_date() = ToDate(when + uniform(0, 10));
        status = participations_.Enroll(kContext, enroll).status();
      } else if (state == v1::Participation::ENROLLED && uniform(0, 1)) {
        v1::CompleteParticipationRequest complete;
        complete.set_name(name);
        *complete.mutable_end_date() = ToDate(when);
        status = participations_.Complete(kContext, complete).status();
      } else if (state == v1::Participation::ENROLLED) {
        v1::InterruptParticipationRequest interrupt;
        interrupt.set_name(name);
        interrupt.set_reason(v1::MOVED);
        *interrupt.mutable_end_date() = ToDate(when);
        status = participations_.Interrupt(kContext, interrupt).status();
      } else {
        v1::RecordOutcomeRequest record;
        record.set_name(name);
        record.set_point(uniform(0, 1) ? v1::AT_END : v1::AFTER_90_DAYS);
        record.set_kind(kOutcomeKinds[uniform(0, 3)]);
        if (record.kind() == v1::WORK_SUBSIDIZED) {
          record.set_subsidy(v1::LONEBIDRAG);
        }
        *record.mutable_effective_date() = ToDate(when);
        status = participations_.RecordOutcome(kContext, record).status();
      }
      if (status.ok()) {
        ++accepted;
        day = std::max(day, when);
      } else {
        // Calls that do not fit the history are refused, nothing else.
        EXPECT_TRUE(status.code() == absl::StatusCode::kFailedPrecondition ||
                    status.code() == absl::StatusCode::kInvalidArgument)
            << status;
      }
      catch_up();
    }
  }
  EXPECT_GT(accepted, 80);
  // Both ways were taken, each often enough to mean something.
  EXPECT_GT(alone.load(), 60);
  EXPECT_GT(reread.load(), 10);
  std::cerr << accepted << " calls accepted; the projection took "
            << alone.load() << " participations' new events alone and read "
            << reread.load() << " again\n";

  std::unique_ptr<ReportProjection> from_log =
      *ReportProjection::Open(&env_.storage());
  // Every day's facts, as one sorted list of what a report reads (ids
  // resolved to names: the two number them in a different order).
  auto facts_by_day = [](ReportProjection& projection) {
    std::vector<std::vector<std::string>> days;
    EXPECT_TRUE(projection
                    .Visit([&](uint64_t, const FactNames& names,
                               ReportProjection::FactsOnDay facts) {
                      for (absl::CivilDay day(2025, 1, 1);
                           day < absl::CivilDay(2026, 6, 1); ++day) {
                        std::vector<std::string>& rows = days.emplace_back();
                        facts(day, [&](const ParticipationFacts& f) {
                          rows.push_back(absl::StrCat(
                              names.tracks[f.track], " ",
                              names.municipalities[f.municipality], " ",
                              f.state, " ", f.gender, " ", f.education, " ",
                              f.proposed, " ", f.start, " ", f.end, " ",
                              f.outcome_class, " ", f.shares_pair));
                        });
                        std::sort(rows.begin(), rows.end());
                      }
                    })
                    .ok());
    return days;
  };
  const auto followed_facts = facts_by_day(*following);
  const auto built_facts = facts_by_day(*from_log);
  ASSERT_EQ(followed_facts.size(), built_facts.size());
  for (size_t i = 0; i < built_facts.size(); ++i) {
    EXPECT_EQ(followed_facts[i], built_facts[i])
        << absl::CivilDay(2025, 1, 1) + static_cast<int>(i) << ", seed "
        << GetParam();
  }

  ExpectSameReports(*following, *from_log, absl::CivilDay(2025, 1, 15),
                    absl::CivilDay(2026, 6, 1), 25);
}

// The same with writers on many threads while the projection's own thread
// follows the commits: commits then finish out of sequence order, and a
// catch-up meets participations whose stored state is ahead of the events
// it may apply (they are rebuilt). Whatever the interleaving, the
// projection ends with the facts that one built from the log gives.
TEST_P(FollowUpOracleTest,
       AProjectionFollowingConcurrentWritersEndsAsOneBuiltFromTheLog) {
  std::atomic<int> alone = 0;
  ReportProjection::TestHooks hooks;
  hooks.participation_applied = [&](bool took_new_events_alone) {
    if (took_new_events_alone) ++alone;
  };
  std::unique_ptr<ReportProjection> following =
      *ReportProjection::Open(&env_.storage(), hooks);
  constexpr int kWriters = 6;
  constexpr int kWalksEach = 8;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 random(GetParam() * 100 + w);
      auto uniform = [&](int lo, int hi) {
        return std::uniform_int_distribution<int>(lo, hi)(random);
      };
      for (int i = 0; i < kWalksEach; ++i) {
        v1::Participant person;
        person.set_external_reference(absl::StrCat("writer-", w, "-", i));
        person.set_birth_year(1990);
        person.set_gender(uniform(0, 1) ? v1::FEMALE : v1::MALE);
        person.set_municipality_code("0180");
        auto created = participants_.Create(kContext, person, "", person, "");
        ASSERT_TRUE(created.ok()) << created.status();
        const TrackInfo& track = tracks_by_kind_[uniform(0, 2)];
        const absl::CivilDay start =
            absl::CivilDay(2025, 3, 1) + uniform(0, 200);
        absl::StatusOr<std::string> name =
            ProposeSelectEnroll(participations_, kContext, created->name(),
                                track.track, track.intake, start, start);
        ASSERT_TRUE(name.ok()) << name.status();
        v1::CompleteParticipationRequest complete;
        complete.set_name(*name);
        *complete.mutable_end_date() = ToDate(start + uniform(20, 120));
        ASSERT_TRUE(participations_.Complete(kContext, complete).ok());
        v1::RecordOutcomeRequest record;
        record.set_name(*name);
        record.set_point(v1::AT_END);
        record.set_kind(kOutcomeKinds[uniform(0, 3)]);
        if (record.kind() == v1::WORK_SUBSIDIZED) {
          record.set_subsidy(v1::LONEBIDRAG);
        }
        *record.mutable_effective_date() = complete.end_date();
        ASSERT_TRUE(participations_.RecordOutcome(kContext, record).ok());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  ASSERT_TRUE(following->Visit([](auto, auto, auto) {}).ok());
  EXPECT_GT(alone.load(), 0);

  std::unique_ptr<ReportProjection> from_log =
      *ReportProjection::Open(&env_.storage());
  ExpectSameReports(*following, *from_log, absl::CivilDay(2025, 3, 1),
                    absl::CivilDay(2026, 3, 1), 9);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FollowUpOracleTest,
                         ::testing::Values(1, 2, 3, 20261123));

}  // namespace
}  // namespace jobtrack
