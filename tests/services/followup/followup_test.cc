// The follow-up report on a hand-built dataset whose figures are worked
// out by hand below (DESIGN 9.7), on a real RocksDB; and small-cell
// suppression on crafted figures. Today is 2026-11-23.
#include "services/followup/followup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "services/common/checkpoint.h"
#include "services/common/reference_data.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/followup/suppression.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

const CallContext kContext{.principal = "reporter", .method = "Test"};

class FollowUpTest : public ::testing::Test {
 protected:
  FollowUpTest()
      : employers_(env_.deps()),
        modules_(env_.deps()),
        tracks_(env_.deps()),
        intakes_(env_.deps()),
        participants_(env_.deps()),
        participations_(env_.deps()),
        // Opened empty: it catches up with everything below on first use.
        projection_(*ReportProjection::Open(&env_.storage())) {
    const std::string private_care =
        Employer("5560360793", "87301", "0180", v1::Employer::PRIVATE);
    const std::string municipal =
        Employer("2120000142", "88101", "0184", v1::Employer::MUNICIPAL);
    const std::string komvux = Module(v1::KOMVUX, 20);
    const std::string aub = Module(v1::AUB, 10);
    const std::string folk = Module(v1::FOLKHOGSKOLA, 30);

    // A: employer-directed care track, komvux ‖ AUB (20 weeks).
    v1::Track a = Track("A", v1::Track::EMPLOYER_DIRECTED, {"0180", "0184"});
    a.set_ssyk_code("5321");
    a.set_sni_code("87301");
    a.add_employers(private_care);
    a.add_employers(municipal);
    auto* stage = a.mutable_chain()->add_stages();
    stage->add_steps()->set_module(komvux);
    stage->add_steps()->set_module(aub);
    a_ = Create(a, v1::Track::OPEN);
    a_intake_ = Intake(a_, v1::Intake::COMMON, absl::CivilDay(2026, 3, 1));
    // B: preparatory, folk high school (30 weeks), in Göteborg.
    v1::Track b = Track("B", v1::Track::PREPARATORY, {"1480"});
    b.mutable_chain()->add_stages()->add_steps()->set_module(folk);
    b_ = Create(b, v1::Track::OPEN);
    b_intake_ = Intake(b_, v1::Intake::ROLLING, absl::CivilDay(2026, 1, 1));
    // C: planned.
    v1::Track c = Track("C", v1::Track::EMPLOYER_DIRECTED, {"0180"});
    c.set_ssyk_code("5321");
    c.set_sni_code("87301");
    c.add_employers(private_care);
    c.mutable_chain()->add_stages()->add_steps()->set_module(aub);
    c_ = Create(c, v1::Track::PLANNED);

    const absl::CivilDay march(2026, 3, 1), june_end(2026, 6, 30);
    const std::string p1 = Person("p1", v1::FEMALE, v1::PRE_UPPER_SECONDARY);
    Complete(Enroll(p1, a_, a_intake_, march), june_end, v1::WORK_UNSUBSIDIZED);
    const std::string p2 = Person("p2", v1::FEMALE, v1::PRE_UPPER_SECONDARY);
    Complete(Enroll(p2, a_, a_intake_, march), june_end, v1::STUDIES);
    const std::string p3 = Person("p3", v1::MALE, v1::UPPER_SECONDARY);
    p3_participation_ = Enroll(p3, a_, a_intake_, march);
    Interrupt(p3_participation_, absl::CivilDay(2026, 5, 1));
    const std::string p4 = Person("p4", v1::MALE, v1::PRE_UPPER_SECONDARY);
    Enroll(p4, a_, a_intake_, march);
    const std::string p5 =
        Person("p5", v1::FEMALE, v1::UPPER_SECONDARY, "1480");
    Enroll(p5, b_, b_intake_, absl::CivilDay(2026, 2, 1));
    // p6 was proposed on 1 September and nothing happened since.
    const std::string p6 = Person("p6", v1::FEMALE, v1::PRE_UPPER_SECONDARY);
    Propose(p6, a_, absl::CivilDay(2026, 9, 1));
  }

  std::string Employer(const char* orgnr, const char* sni, const char* kommun,
                       v1::Employer::Sector sector) {
    v1::Employer e;
    e.set_display_name(absl::StrCat("Employer ", orgnr));
    e.set_organisation_number(orgnr);
    e.set_sector(sector);
    e.set_sni_code(sni);
    e.set_municipality_code(kommun);
    auto created = employers_.Create(kContext, e, "", e, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Module(v1::EducationForm form, int weeks) {
    v1::Module m;
    m.set_display_name(absl::StrCat(v1::EducationForm_Name(form), " ", weeks));
    m.set_education_form(form);
    m.set_length_weeks(weeks);
    m.set_hours_per_week(30);
    return modules_.Create(kContext, m, "", m, "")->name();
  }

  static v1::Track Track(const char* title, v1::Track::Kind kind,
                         std::vector<std::string> municipalities) {
    v1::Track t;
    t.set_display_name(title);
    t.set_kind(kind);
    for (auto& m : municipalities) t.add_municipality_codes(m);
    return t;
  }

  std::string Create(v1::Track track, v1::Track::Status status) {
    track.set_status(status);
    v1::CreateTrackRequest request;
    *request.mutable_track() = track;
    *request.mutable_effective_date() = ToDate(absl::CivilDay(2025, 1, 1));
    auto created = tracks_.CreateTrack(kContext, request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Intake(const std::string& track, v1::Intake::StartType type,
                     absl::CivilDay start) {
    v1::Intake i;
    i.set_start_type(type);
    *i.mutable_start_date() = ToDate(start);
    i.set_seats(20);
    auto created = intakes_.Create(kContext, i, track, i, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Person(const char* reference, v1::Gender gender,
                     v1::EducationLevel education,
                     const char* municipality = "0180") {
    v1::Participant p;
    p.set_external_reference(reference);
    p.set_birth_year(1990);
    p.set_gender(gender);
    p.set_municipality_code(municipality);
    p.set_education_level(education);
    p.set_swedish_level(v1::SWEDISH_B1);
    auto created = participants_.Create(kContext, p, "", p, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Propose(const std::string& participant, const std::string& track,
                      absl::CivilDay day) {
    v1::ProposeParticipationRequest propose;
    propose.set_participant(participant);
    propose.set_track(track);
    *propose.mutable_effective_date() = ToDate(day);
    auto proposed = participations_.Propose(kContext, propose);
    EXPECT_TRUE(proposed.ok()) << proposed.status();
    return proposed->name();
  }

  std::string Enroll(const std::string& participant, const std::string& track,
                     const std::string& intake, absl::CivilDay start) {
    auto enrolled = ProposeSelectEnroll(participations_, kContext, participant,
                                        track, intake, start, start - 14);
    EXPECT_TRUE(enrolled.ok()) << enrolled.status();
    return enrolled.value_or("");
  }

  void Complete(const std::string& name, absl::CivilDay end,
                v1::OutcomeKind outcome) {
    v1::CompleteParticipationRequest complete;
    complete.set_name(name);
    *complete.mutable_end_date() = ToDate(end);
    auto done = participations_.Complete(kContext, complete);
    ASSERT_TRUE(done.ok()) << done.status();
    v1::RecordOutcomeRequest record;
    record.set_name(name);
    record.set_point(v1::AT_END);
    record.set_kind(outcome);
    *record.mutable_effective_date() = ToDate(end + 1);
    auto recorded = participations_.RecordOutcome(kContext, record);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
  }

  void Interrupt(const std::string& name, absl::CivilDay end) {
    v1::InterruptParticipationRequest interrupt;
    interrupt.set_name(name);
    *interrupt.mutable_end_date() = ToDate(end);
    interrupt.set_reason(v1::ILLNESS);
    auto done = participations_.Interrupt(kContext, interrupt);
    ASSERT_TRUE(done.ok()) << done.status();
  }

  // The report's figures by id, as "n/d" ("n" for counts).
  absl::flat_hash_map<std::string, std::string> Report(
      absl::CivilDay day, v1::ReportScope scope = {}, bool suppress = false) {
    FollowUpConfig config;
    config.suppress_small_cells = suppress;
    FollowUp follow_up(env_.deps(), config, projection_.get());
    v1::GetReportRequest request;
    *request.mutable_as_of() = ToDate(day);
    *request.mutable_scope() = scope;
    auto report = follow_up.GetReport(CallContext{}, request);
    EXPECT_TRUE(report.ok()) << report.status();
    absl::flat_hash_map<std::string, std::string> figures;
    if (!report.ok()) return figures;
    for (const v1::Figure& f : report->figures()) {
      figures[f.id()] = f.suppressed() ? "suppressed"
                        : !f.share()
                            ? absl::StrCat(f.numerator())
                            : absl::StrCat(f.numerator(), "/", f.denominator());
    }
    return figures;
  }

  testing::TestEnv env_;
  Employers employers_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  Participants participants_;
  // A pre-upper-secondary jobseeker of 1480 who takes track B twice: from
  // 2026-02-02 to 2026-03-02, and again from 2026-04-01 on.
  void TakeTrackBTwice() { TakeTrackBAgain(TakeTrackBOnce()); }
  // The same in two steps; the first returns the jobseeker.
  std::string TakeTrackBOnce() {
    const std::string jobseeker =
        Person("twice", v1::MALE, v1::PRE_UPPER_SECONDARY, "1480");
    const std::string first =
        Enroll(jobseeker, b_, b_intake_, absl::CivilDay(2026, 2, 2));
    Complete(first, absl::CivilDay(2026, 3, 2), v1::STUDIES);
    return jobseeker;
  }
  void ExpectOlderFormatReadAndSavedAgain(
      uint32_t version, const std::string& body, const Checkpoint& stored,
      const absl::flat_hash_map<std::string, std::string>& before);
  void TakeTrackBAgain(const std::string& jobseeker) {
    Enroll(jobseeker, b_, b_intake_, absl::CivilDay(2026, 4, 1));
  }

  Participations participations_;
  std::unique_ptr<ReportProjection> projection_;
  std::string a_, b_, c_, a_intake_, b_intake_, p3_participation_;
};

TEST_F(FollowUpTest, APersonWhoTakesATrackTwiceStartedItOnce) {
  // B was started by p5 (upper secondary) alone. A pre-upper-secondary
  // jobseeker takes B twice: two starters of B, one of them pre, which is
  // not a majority. Counted twice, it would be (2 of 3).
  TakeTrackBTwice();
  EXPECT_EQ(Report(absl::CivilDay(
                2026, 11, 23))["tracks.ongoing.majority_pre_upper_secondary"],
            "1/2");
  // The same from a projection opened on its checkpoint.
  ASSERT_TRUE(projection_->Visit([](auto, auto, auto) {}).ok());
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  projection_ = *ReportProjection::Open(&env_.storage());
  ASSERT_GT(projection_->checkpoint_sequence(), 0u);
  EXPECT_EQ(Report(absl::CivilDay(
                2026, 11, 23))["tracks.ongoing.majority_pre_upper_secondary"],
            "1/2");
}

// The first checkpoint format (what servers saved until 2026-12-05), made
// from the current one: every number 4 bytes, a person's two fields and a
// transition's six each in their own, and no shared pairs.
std::string ToVersion1(absl::string_view body) {
  CheckpointReader in(body);
  CheckpointWriter out;
  uint32_t n = 0;
  absl::string_view name;
  for (int list = 0; list < 2; ++list) {  // Tracks, municipalities.
    EXPECT_TRUE(in.U32(n));
    out.U32(n);
    for (uint32_t i = 0; i < n; ++i) {
      EXPECT_TRUE(in.String(name));
      out.String(name);
    }
  }
  EXPECT_TRUE(in.U32(n));
  out.U32(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t gender = 0, education = 0;
    EXPECT_TRUE(in.String(name) && in.U8(gender) && in.U8(education));
    out.String(name);
    out.U32(gender);
    out.U32(education);
  }
  uint64_t transitions = 0;
  EXPECT_TRUE(in.U32(n) && in.U64(transitions));
  out.U32(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t participant = 0, track = 0, proposed = 0, count = 0;
    EXPECT_TRUE(in.String(name) && in.U32(participant) && in.U32(track) &&
                in.U32(proposed) && in.U32(count));
    out.String(name);
    for (uint32_t v : {participant, track, proposed, count}) out.U32(v);
    for (uint32_t k = 0; k < count; ++k) {
      uint32_t from = 0, start = 0, end = 0;
      uint16_t municipality = 0;
      uint8_t state = 0, outcome = 0;
      EXPECT_TRUE(in.U32(from) && in.U32(start) && in.U32(end) &&
                  in.U16(municipality) && in.U8(state) && in.U8(outcome));
      for (uint32_t v :
           {from, start, end, uint32_t{municipality}, uint32_t{state}}) {
        out.U32(v);
      }
      out.U32(static_cast<uint32_t>(int32_t{static_cast<int8_t>(outcome)}));
    }
  }
  for (uint32_t i = 0; i < n; ++i) {  // The shared pairs (version 3).
    uint8_t shares = 0;
    EXPECT_TRUE(in.U8(shares));
  }
  EXPECT_TRUE(in.done());
  return std::move(out.body());
}

// The second format (until 2026-12-06): the current one without the
// shared pairs, a byte for each of its `entries` at the end.
std::string ToVersion2(absl::string_view body, size_t entries) {
  EXPECT_GE(body.size(), entries);
  return std::string(body.substr(0, body.size() - entries));
}

// Stores `stored` again as `body` in format `version`, opens a projection on
// it, and expects the report it gives to be `before` and the checkpoint it
// saves (though nothing is new) to be `stored` again, in the current format.
void FollowUpTest::ExpectOlderFormatReadAndSavedAgain(
    uint32_t version, const std::string& body, const Checkpoint& stored,
    const absl::flat_hash_map<std::string, std::string>& before) {
  ASSERT_TRUE(SaveCheckpoint(env_.storage(), "report_projection", version,
                             stored.through, body)
                  .ok());
  projection_ = *ReportProjection::Open(&env_.storage());
  EXPECT_EQ(projection_->checkpoint_sequence(), stored.through);
  EXPECT_EQ(Report(absl::CivilDay(2026, 11, 23)), before);
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  auto saved = LoadCheckpoint(env_.storage(), "report_projection");
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->version, 3u);
  EXPECT_EQ((*saved)->body, stored.body);
}

TEST_F(FollowUpTest, ACheckpointInTheFirstFormatIsReadAndSavedAgainInTheNew) {
  const auto before = Report(absl::CivilDay(2026, 11, 23));
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  auto stored = LoadCheckpoint(env_.storage(), "report_projection");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->version, 3u);
  ExpectOlderFormatReadAndSavedAgain(1, ToVersion1((*stored)->body), **stored,
                                     before);
}

TEST_F(FollowUpTest, ACheckpointInTheSecondFormatIsReadAndSavedAgainInTheNew) {
  // A participant who takes a track twice: the two entries share a pair,
  // which the second format left to be worked out after the load.
  TakeTrackBTwice();
  const auto before = Report(absl::CivilDay(2026, 11, 23));
  EXPECT_EQ(before.at("tracks.ongoing.majority_pre_upper_secondary"), "1/2");
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  auto stored = LoadCheckpoint(env_.storage(), "report_projection");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  // The third format ends with a byte per entry: 1 for the two that
  // share their (participant, track) pair, 0 for the other six.
  const absl::string_view tail =
      absl::string_view((*stored)->body).substr((*stored)->body.size() - 8);
  ASSERT_EQ(projection_->size(), 8u);
  EXPECT_EQ(std::count(tail.begin(), tail.end(), '\1'), 2);
  EXPECT_EQ(std::count(tail.begin(), tail.end(), '\0'), 6);
  ExpectOlderFormatReadAndSavedAgain(
      2, ToVersion2((*stored)->body, projection_->size()), **stored, before);
}

// A test hook that says it is `reached` and waits for `release`.
std::function<void()> PauseThere(absl::Notification& reached,
                                 absl::Notification& release) {
  return [&reached, &release] {
    reached.Notify();
    release.WaitForNotification();
  };
}

TEST_F(FollowUpTest, AReportIsServedWhileTheProjectionBuildsItsLookups) {
  // After a clean stop nothing is left to apply: a report needs only the
  // columns, and is answered while the projection's thread, holding the
  // shared lock, has built the name maps and not yet put them in place.
  TakeTrackBTwice();
  const auto before = Report(absl::CivilDay(2026, 11, 23));
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  absl::Notification built, release, answered;
  ReportProjection::TestHooks hooks;
  hooks.lookups_built = PauseThere(built, release);
  projection_ = *ReportProjection::Open(&env_.storage(), hooks);
  ASSERT_TRUE(built.WaitForNotificationWithTimeout(absl::Seconds(60)));
  absl::flat_hash_map<std::string, std::string> during;
  std::thread report([&] {
    during = Report(absl::CivilDay(2026, 11, 23));
    answered.Notify();
  });
  // Bounded so that a report that waits for the lookups fails the test
  // instead of hanging it.
  EXPECT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(60)));
  release.Notify();
  report.join();
  EXPECT_EQ(during, before);
  EXPECT_EQ(during.at("tracks.ongoing.majority_pre_upper_secondary"), "1/2");
  projection_.reset();
}

TEST_F(FollowUpTest, LookupsBuiltBeforeACatchUpAreNotPutInPlaceAfterIt) {
  // The projection's thread builds the lookups of the checkpoint; before
  // it puts them in place, a jobseeker takes track B and a report catches
  // up (completing the lookups itself). The thread's are then stale: they
  // miss that participation, so the jobseeker's second B would not be
  // seen to share its pair with the first, and be counted as a second
  // starter (2 of 3 pre-upper-secondary instead of 1 of 2).
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  absl::Notification waiting, release;
  ReportProjection::TestHooks hooks;
  hooks.before_adopting = PauseThere(waiting, release);
  projection_ = *ReportProjection::Open(&env_.storage(), hooks);
  ASSERT_TRUE(waiting.WaitForNotificationWithTimeout(absl::Seconds(60)));
  const std::string jobseeker = TakeTrackBOnce();
  Report(absl::CivilDay(2026, 11, 23));
  release.Notify();
  // Applied by the projection's thread, after its step with the lookups.
  TakeTrackBAgain(jobseeker);
  ASSERT_TRUE(projection_->AwaitSequence(env_.storage().LastSequence(),
                                         absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(Report(absl::CivilDay(
                2026, 11, 23))["tracks.ongoing.majority_pre_upper_secondary"],
            "1/2");
  projection_.reset();
}

TEST_F(FollowUpTest, TheProjectionFollowsCommitsBeforeAnyReportAsksIt) {
  // Nothing has visited the projection since it was opened empty; its own
  // thread applies the fixture's six participations after their commits.
  ASSERT_TRUE(projection_->AwaitSequence(env_.storage().LastSequence(),
                                         absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(projection_->size(), 6u);
  // And a participation proposed now, the same way.
  Propose(Person("p7", v1::MALE, v1::UPPER_SECONDARY), b_,
          absl::CivilDay(2026, 11, 2));
  ASSERT_TRUE(projection_->AwaitSequence(env_.storage().LastSequence(),
                                         absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(projection_->size(), 7u);
}

TEST_F(FollowUpTest, AProjectionOpenedOnAnOldCheckpointCatchesUpByItself) {
  // A checkpoint of the six, then a seventh (as if the server had crashed
  // after it): Open returns with the six, and the projection's thread
  // applies the seventh without any report asking.
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  Propose(Person("p7", v1::MALE, v1::UPPER_SECONDARY), b_,
          absl::CivilDay(2026, 11, 2));
  const uint64_t last = env_.storage().LastSequence();
  projection_ = *ReportProjection::Open(&env_.storage());
  ASSERT_GT(projection_->checkpoint_sequence(), 0u);
  EXPECT_LT(projection_->checkpoint_sequence(), last);
  ASSERT_TRUE(
      projection_->AwaitSequence(last, absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(projection_->size(), 7u);
  // Saving catches up first too: the new checkpoint covers the seventh.
  Propose(Person("p8", v1::FEMALE, v1::UPPER_SECONDARY), b_,
          absl::CivilDay(2026, 11, 3));
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  auto stored = LoadCheckpoint(env_.storage(), "report_projection");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->through, env_.storage().LastSequence());
}

TEST_F(FollowUpTest, AReportAskedRightAfterOpenWaitsForTheCheckpointsLoad) {
  // Open returns before its thread loads the checkpoint; a report asked at
  // once must not catch up on its own first (from nothing: the whole log,
  // then the checkpoint loaded on top). Repeated: the race is the
  // thread's start against the report's.
  const auto before = Report(absl::CivilDay(2026, 11, 23));
  Propose(Person("p7", v1::MALE, v1::UPPER_SECONDARY), b_,
          absl::CivilDay(2026, 11, 2));
  const auto with_seventh = Report(absl::CivilDay(2026, 11, 23));
  ASSERT_NE(with_seventh, before);
  ASSERT_TRUE(projection_->SaveCheckpoint().ok());
  for (int i = 0; i < 20; ++i) {
    projection_ = *ReportProjection::Open(&env_.storage());
    ASSERT_EQ(Report(absl::CivilDay(2026, 11, 23)), with_seventh) << i;
    EXPECT_EQ(projection_->checkpoint_sequence(),
              env_.storage().LastSequence());
    EXPECT_EQ(projection_->size(), 7u);
  }
}

TEST_F(FollowUpTest, AReportSeesATrackChangedSinceTheLastReport) {
  // One FollowUp keeps the tracks between reports; a change to one must
  // still show in the next report.
  FollowUp follow_up(env_.deps(), FollowUpConfig(), projection_.get());
  auto figure = [&](absl::string_view id) -> int64_t {
    v1::GetReportRequest request;
    *request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
    auto report = follow_up.GetReport(CallContext{}, request);
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok()) return -1;
    for (const v1::Figure& f : report->figures()) {
      if (f.id() == id) return f.numerator();
    }
    return -1;
  };
  EXPECT_EQ(figure("tracks.ongoing"), 2);
  EXPECT_EQ(figure("tracks.planned"), 1);
  v1::UpdateTrackRequest open;
  open.mutable_track()->set_name(c_);
  open.mutable_track()->set_status(v1::Track::OPEN);
  open.mutable_update_mask()->add_paths("status");
  *open.mutable_effective_date() = ToDate(absl::CivilDay(2026, 11, 1));
  auto opened = tracks_.UpdateTrack(kContext, open);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(figure("tracks.ongoing"), 3);
  EXPECT_EQ(figure("tracks.planned"), 0);
}

TEST_F(FollowUpTest, EveryFigureOfTheNationalReportWorkedOutByHand) {
  auto f = Report(absl::CivilDay(2026, 11, 23));
  // Tracks: A and B ongoing, C planned.
  EXPECT_EQ(f["tracks.ongoing"], "2");
  EXPECT_EQ(f["tracks.planned"], "1");
  EXPECT_EQ(f["tracks.ongoing.kind.employer_directed"], "1/2");
  EXPECT_EQ(f["tracks.ongoing.kind.preparatory"], "1/2");
  EXPECT_EQ(f["tracks.ongoing.kind.entrepreneur"], "0/2");
  EXPECT_EQ(f["tracks.ongoing.kind.other"], "0/2");
  // A was started by p1, p2, p4 (pre-upper-secondary) and p3: 3 of 4.
  // B by p5 (upper secondary) only.
  EXPECT_EQ(f["tracks.ongoing.majority_pre_upper_secondary"], "1/2");
  EXPECT_EQ(f["tracks.ongoing.rest_pre_upper_secondary"], "1/2");
  // 0180, 0184 (A) and 1480 (B).
  EXPECT_EQ(f["municipalities.with_ongoing_track"], "3");
  // A: komvux 20 ‖ AUB 10 = 20 weeks; B: 30 weeks.
  EXPECT_EQ(f["tracks.ongoing.chain_weeks.min"], "20");
  EXPECT_EQ(f["tracks.ongoing.chain_weeks.max"], "30");
  EXPECT_EQ(f["tracks.ongoing.chain_weeks.mean"], "50/2");
  EXPECT_EQ(f["tracks.ongoing.education.komvux_and_aub"], "1/2");
  EXPECT_EQ(f["tracks.ongoing.education.folkhogskola"], "1/2");
  EXPECT_EQ(f["tracks.ongoing.education.komvux_only"], "0/2");
  EXPECT_EQ(f["tracks.ongoing.education.aub_only"], "0/2");
  EXPECT_EQ(f["tracks.ongoing.education.internal"], "0/2");
  EXPECT_EQ(f["tracks.ongoing.education.other"], "0/2");
  // Industry: A is section Q with two employers; B names no industry.
  EXPECT_EQ(f["tracks.ongoing.sni.Q"], "1/2");
  EXPECT_EQ(f["employers.ongoing.sni.Q"], "2");
  EXPECT_EQ(f["employers.directed"], "2");
  EXPECT_EQ(f["employers.directed.sector.private"], "1/2");
  EXPECT_EQ(f["employers.directed.sector.municipal"], "1/2");
  EXPECT_EQ(f["employers.directed.sector.other_public"], "0/2");
  EXPECT_EQ(f["employers.directed.sni.Q"], "2/2");
  // Active today: p4 in A, p5 in B.
  EXPECT_EQ(f["participants.active"], "2");
  EXPECT_EQ(f["participants.active.women"], "1/2");
  EXPECT_EQ(f["participants.active.men"], "1/2");
  EXPECT_EQ(f["participants.active.gender_unspecified"], "0/2");
  EXPECT_EQ(f["participants.started_since_series_start"], "5");
  EXPECT_EQ(f["participants.started_since_series_start.women"], "3/5");
  EXPECT_EQ(f["participants.started_since_series_start.men"], "2/5");
  // Ended in 2026: p1 and p2 completed, p3 interrupted.
  EXPECT_EQ(f["participations.ended_this_year"], "3");
  EXPECT_EQ(f["participations.ended_this_year.completed"], "2/3");
  EXPECT_EQ(f["participations.ended_this_year.interrupted"], "1/3");
  EXPECT_EQ(f["participations.completed_this_year.women"], "2/2");
  EXPECT_EQ(f["participations.completed_this_year.men"], "0/2");
  EXPECT_EQ(f["outcomes.completed.working.women"], "1/2");
  EXPECT_EQ(f["outcomes.completed.working.men"], "0/0");
  // Outcomes, employer-directed: p1 working, p2 studying (completed);
  // p3 interrupted with no outcome (ended basis).
  EXPECT_EQ(f["outcomes.completed.employer_directed.working_unsubsidized"],
            "1/2");
  EXPECT_EQ(f["outcomes.completed.employer_directed.working_subsidized"],
            "0/2");
  EXPECT_EQ(f["outcomes.completed.employer_directed.studying"], "1/2");
  EXPECT_EQ(f["outcomes.completed.employer_directed.unknown"], "0/2");
  EXPECT_EQ(f["outcomes.ended.employer_directed.working_unsubsidized"], "1/3");
  EXPECT_EQ(f["outcomes.ended.employer_directed.studying"], "1/3");
  EXPECT_EQ(f["outcomes.ended.employer_directed.unknown"], "1/3");
  EXPECT_EQ(f["outcomes.completed.preparatory.working_unsubsidized"], "0/0");
  // Proposals: p1–p6; p6's has stood since 1 September (> 30 days).
  EXPECT_EQ(f["proposals"], "6");
  EXPECT_EQ(f["proposals.expired"], "1");
  EXPECT_EQ(f["proposals.enrolled.women"], "3/4");
  EXPECT_EQ(f["proposals.enrolled.men"], "2/2");
}

TEST_F(FollowUpTest, AnEarlierDateSeesOnlyWhatWasEffectiveThen) {
  auto f = Report(absl::CivilDay(2026, 4, 30));
  // Everyone had started; nobody had ended; p6 was not proposed yet.
  EXPECT_EQ(f["participants.active"], "5");
  EXPECT_EQ(f["participants.active.women"], "3/5");
  EXPECT_EQ(f["participations.ended_this_year"], "0");
  EXPECT_EQ(f["outcomes.completed.employer_directed.working_unsubsidized"],
            "0/0");
  EXPECT_EQ(f["proposals"], "5");
  EXPECT_EQ(f["proposals.expired"], "0");
  // Before the tracks existed, there was nothing.
  auto before = Report(absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(before["tracks.ongoing"], "0");
  EXPECT_EQ(before["tracks.planned"], "0");
  EXPECT_EQ(before["tracks.ongoing.chain_weeks.min"], "0");
}

TEST_F(FollowUpTest, ACountyScopeCountsItsTracksAndItsResidentsOnly) {
  v1::ReportScope scope;
  scope.set_county_code("14");  // Västra Götaland: B only.
  auto f = Report(absl::CivilDay(2026, 11, 23), scope);
  EXPECT_EQ(f["tracks.ongoing"], "1");
  EXPECT_EQ(f["tracks.ongoing.kind.preparatory"], "1/1");
  EXPECT_EQ(f["municipalities.with_ongoing_track"], "1");
  EXPECT_EQ(f["participants.active"], "1");
  EXPECT_EQ(f["proposals"], "1");

  v1::ReportScope track;
  track.set_track(a_);
  auto t = Report(absl::CivilDay(2026, 11, 23), track);
  EXPECT_EQ(t["tracks.ongoing"], "1");
  EXPECT_EQ(t["participants.active"], "1");
  EXPECT_EQ(t["participations.ended_this_year"], "3");
}

TEST_F(FollowUpTest, BadRequestsNameTheField) {
  FollowUp follow_up(env_.deps(), FollowUpConfig(), projection_.get());
  auto field_of = [&](const v1::GetReportRequest& r) {
    auto report = follow_up.GetReport(CallContext{}, r);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(report.status().message());
  };
  v1::GetReportRequest r;
  EXPECT_NE(field_of(r).find("when"), std::string::npos);
  *r.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 24));
  EXPECT_NE(field_of(r).find("as_of"), std::string::npos);
  r.set_period("periods/2026-05-01");
  EXPECT_NE(field_of(r).find("period"), std::string::npos);
  r.set_period("periods/2026-04-30");
  r.mutable_scope()->set_county_code("99");
  EXPECT_NE(field_of(r).find("scope.county_code"), std::string::npos);
  r.mutable_scope()->set_county_code("01");
  r.mutable_scope()->add_municipality_codes("0180");
  EXPECT_NE(field_of(r).find("scope"), std::string::npos);
  // A period that exists gives the report for its date.
  r.clear_scope();
  auto report = follow_up.GetReport(CallContext{}, r);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->period(), "periods/2026-04-30");
  EXPECT_EQ(ToCivilDay(report->as_of()), absl::CivilDay(2026, 4, 30));
}

TEST_F(FollowUpTest, PeriodsRunFromTheSeriesStartOnTheConfiguredDates) {
  FollowUp follow_up(env_.deps(), FollowUpConfig(), projection_.get());
  auto periods = follow_up.ListPeriods({});
  ASSERT_TRUE(periods.ok());
  // 2018–2025: 3 a year; 2026 up to 23 November: all 3.
  ASSERT_EQ(periods->periods_size(), 27);
  EXPECT_EQ(periods->periods(0).name(), "periods/2018-01-31");
  EXPECT_EQ(periods->periods(26).name(), "periods/2026-09-30");
  EXPECT_EQ(ParsePeriodDates("04-30,09-30")->size(), 2u);
  EXPECT_FALSE(ParsePeriodDates("02-30").ok());
  EXPECT_FALSE(ParsePeriodDates("04-30,04-30").ok());
  EXPECT_FALSE(ParsePeriodDates("").ok());
}

v1::Figure Fig(const char* id, int64_t n, int64_t d,
               v1::Figure::Unit unit = v1::Figure::PERSONS) {
  v1::Figure f;
  f.set_id(id);
  f.set_numerator(n);
  f.set_denominator(d);
  f.set_unit(unit);
  return f;
}

TEST(SuppressionTest, SmallCellsAreWithheldButZeroAndTracksAreShown) {
  std::vector<v1::Figure> figures = {
      Fig("tracks.ongoing", 3, 0, v1::Figure::TRACKS),
      Fig("participations.ended_this_year", 0, 0),
      Fig("proposals.expired", 4, 0)};
  SuppressSmallCells(figures);
  EXPECT_FALSE(figures[0].suppressed());
  EXPECT_EQ(figures[0].numerator(), 3);
  EXPECT_FALSE(figures[1].suppressed());
  EXPECT_TRUE(figures[2].suppressed());
  EXPECT_EQ(figures[2].numerator(), 0);
}

TEST(SuppressionTest, ACellDerivableBySubtractionIsWithheldToo) {
  // 20 active = 17 women + 3 men: men is small, and women = 20 − 3 would
  // give it away, so women goes too (the smallest other non-zero part).
  std::vector<v1::Figure> figures = {
      Fig("participants.active", 20, 0),
      Fig("participants.active.women", 17, 20),
      Fig("participants.active.men", 3, 20),
      Fig("participants.active.gender_unspecified", 0, 20)};
  SuppressSmallCells(figures);
  EXPECT_FALSE(figures[0].suppressed());
  EXPECT_TRUE(figures[1].suppressed());
  EXPECT_TRUE(figures[2].suppressed());
  EXPECT_FALSE(figures[3].suppressed());

  // Outcome classes share their denominator: one small class among
  // zeros would be the denominator minus the rest, so the whole group goes.
  std::vector<v1::Figure> outcomes = {
      Fig("outcomes.completed.preparatory.working_unsubsidized", 2, 8),
      Fig("outcomes.completed.preparatory.working_subsidized", 0, 8),
      Fig("outcomes.completed.preparatory.studying", 6, 8),
      Fig("outcomes.completed.preparatory.other", 0, 8),
      Fig("outcomes.completed.preparatory.unknown", 0, 8)};
  SuppressSmallCells(outcomes);
  EXPECT_TRUE(outcomes[0].suppressed());
  EXPECT_TRUE(outcomes[2].suppressed());
  EXPECT_FALSE(outcomes[1].suppressed());
}

TEST_F(FollowUpTest, TheHandBuiltReportWithholdsEveryCellBelowFive) {
  auto f = Report(absl::CivilDay(2026, 11, 23), {}, /*suppress=*/true);
  EXPECT_EQ(f["tracks.ongoing"], "2");                // Tracks are not persons.
  EXPECT_EQ(f["participants.active"], "suppressed");  // 2
  EXPECT_EQ(f["participants.started_since_series_start"], "5");
  EXPECT_EQ(f["participants.started_since_series_start.women"], "suppressed");
  EXPECT_EQ(f["participants.started_since_series_start.men"], "suppressed");
  EXPECT_EQ(f["proposals"], "6");
}

// Ruling 9.5: ClosePeriod stores the report; recomputing it "as known at
// the close" from the log gives it exactly; a correction recorded later
// leaves the frozen report alone and shows up as a restatement in the next
// period's report.
TEST_F(FollowUpTest, AClosedPeriodIsFrozenAndLaterCorrectionsAreRestated) {
  FollowUpConfig config;
  config.suppress_small_cells = false;
  FollowUp follow_up(env_.deps(), config, projection_.get());
  v1::ClosePeriodRequest close;
  close.set_name("periods/2026-04-30");
  auto closed = follow_up.ClosePeriod(kContext, close);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_TRUE(closed->closed());
  EXPECT_EQ(closed->closed_by(), "reporter");
  const uint64_t cut_off = static_cast<uint64_t>(closed->known_at_sequence());
  ASSERT_GT(cut_off, 0u);

  auto report_of = [&](const char* period, v1::ReportScope scope = {}) {
    v1::GetReportRequest request;
    request.set_period(period);
    *request.mutable_scope() = scope;
    auto report = follow_up.GetReport(CallContext{}, request);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.value_or(v1::Report());
  };
  auto recomputed = [&](v1::ReportScope scope) {
    std::unique_ptr<storage::Reader> reader = env_.storage().Snapshot();
    FollowUpData data = *LoadFollowUpData(*reader);
    ResolvedScope resolved;
    if (!scope.county_code().empty()) {
      for (const std::string& m :
           ReferenceData::Get().MunicipalitiesOf(scope.county_code())) {
        resolved.municipalities.insert(m);
      }
    }
    for (const std::string& m : scope.municipality_codes()) {
      resolved.municipalities.insert(m);
    }
    return *ComputeFigures(data, absl::CivilDay(2026, 4, 30), resolved, cut_off,
                           config.report);
  };
  auto same_figures = [](const v1::Report& report,
                         const std::vector<v1::Figure>& figures) {
    ASSERT_EQ(report.figures_size(), static_cast<int>(figures.size()));
    for (size_t i = 0; i < figures.size(); ++i) {
      EXPECT_EQ(report.figures(static_cast<int>(i)).SerializeAsString(),
                figures[i].SerializeAsString())
          << figures[i].id();
    }
  };
  v1::ReportScope stockholm_county;
  stockholm_county.set_county_code("01");
  v1::ReportScope stockholm;
  stockholm.add_municipality_codes("0180");

  const v1::Report frozen = report_of("periods/2026-04-30");
  EXPECT_EQ(frozen.known_at_sequence(), closed->known_at_sequence());
  same_figures(frozen, recomputed({}));
  same_figures(report_of("periods/2026-04-30", stockholm_county),
               recomputed(stockholm_county));

  // p3's interruption was on 15 April, not 1 May: a correction, recorded
  // after the close.
  auto events = *participations_.Events(p3_participation_);
  ASSERT_TRUE(events.back().has_interrupted());
  v1::CorrectParticipationEventRequest correct;
  correct.set_name(p3_participation_);
  correct.set_event_sequence(events.back().sequence());
  *correct.mutable_replacement()->mutable_interrupted() =
      events.back().interrupted();
  *correct.mutable_replacement()->mutable_effective_date() =
      ToDate(absl::CivilDay(2026, 4, 15));
  auto corrected = participations_.Correct(kContext, correct);
  ASSERT_TRUE(corrected.ok()) << corrected.status();

  // The frozen period is unchanged, in every scope; the date itself now
  // sees the correction.
  const v1::Report again = report_of("periods/2026-04-30");
  same_figures(again, recomputed({}));
  EXPECT_EQ(again.SerializeAsString(),
            [&] {
              v1::Report r = frozen;
              *r.mutable_compute_time() = again.compute_time();
              return r;
            }()
                .SerializeAsString());
  same_figures(report_of("periods/2026-04-30", stockholm),
               recomputed(stockholm));
  auto figure = [](const v1::Report& r, const char* id) {
    for (const v1::Figure& f : r.figures()) {
      if (f.id() == id)
        return absl::StrCat(f.numerator(), "/", f.denominator());
    }
    return std::string("missing");
  };
  EXPECT_EQ(figure(frozen, "participants.active"), "5/0");
  EXPECT_EQ(Report(absl::CivilDay(2026, 4, 30))["participants.active"], "4");

  const v1::Report next = report_of("periods/2026-09-30");
  absl::flat_hash_map<std::string, std::string> restated;
  for (const v1::Restatement& r : next.restatements()) {
    EXPECT_EQ(r.period(), "periods/2026-04-30");
    EXPECT_FALSE(r.suppressed());
    restated[r.figure()] =
        absl::StrCat(r.old_numerator(), "/", r.old_denominator(), " -> ",
                     r.new_numerator(), "/", r.new_denominator());
  }
  // The next period lists what changed in the closed one: p3 (a man in
  // Stockholm, employer-directed track A) was no longer active on 30 April
  // but had ended, interrupted, without an outcome.
  const absl::flat_hash_map<std::string, std::string> expected = {
      {"participants.active", "5/0 -> 4/0"},
      {"participants.active.women", "3/5 -> 3/4"},
      {"participants.active.men", "2/5 -> 1/4"},
      {"participants.active.gender_unspecified", "0/5 -> 0/4"},
      {"participations.ended_this_year", "0/0 -> 1/0"},
      {"participations.ended_this_year.completed", "0/0 -> 0/1"},
      {"participations.ended_this_year.interrupted", "0/0 -> 1/1"},
      {"outcomes.ended.employer_directed.working_unsubsidized", "0/0 -> 0/1"},
      {"outcomes.ended.employer_directed.working_subsidized", "0/0 -> 0/1"},
      {"outcomes.ended.employer_directed.studying", "0/0 -> 0/1"},
      {"outcomes.ended.employer_directed.other", "0/0 -> 0/1"},
      {"outcomes.ended.employer_directed.unknown", "0/0 -> 1/1"},
  };
  EXPECT_EQ(restated, expected);

  // Closing twice is refused; ListPeriods shows the close.
  EXPECT_EQ(follow_up.ClosePeriod(kContext, close).status().code(),
            absl::StatusCode::kFailedPrecondition);
  close.set_name("periods/2026-12-31");
  EXPECT_EQ(follow_up.ClosePeriod(kContext, close).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto periods = follow_up.ListPeriods({});
  ASSERT_TRUE(periods.ok());
  for (const v1::FollowUpPeriod& p : periods->periods()) {
    EXPECT_EQ(p.closed(), p.name() == "periods/2026-04-30") << p.name();
    if (p.closed()) {
      EXPECT_EQ(p.known_at_sequence(), closed->known_at_sequence());
    }
  }
}

// Exports carry pseudonymous ids only, one row per participation, with its
// state on the day; a scope narrows them; a caller can stop early.
TEST_F(FollowUpTest, ExportsStreamPseudonymousRowsForTheScope) {
  FollowUp follow_up(env_.deps(), FollowUpConfig(), projection_.get());
  auto export_rows = [&](v1::ExportParticipationsRequest request,
                         size_t stop_after = 1000) {
    std::vector<v1::ParticipationRow> rows;
    absl::Status s = follow_up.ExportParticipations(
        request, [&](const v1::ParticipationRow& row) {
          rows.push_back(row);
          return rows.size() < stop_after;
        });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  };
  v1::ExportParticipationsRequest request;
  *request.mutable_as_of() = ToDate(absl::CivilDay(2026, 11, 23));
  const std::vector<v1::ParticipationRow> rows = export_rows(request);
  ASSERT_EQ(rows.size(), 6u);
  std::map<v1::Participation::State, int> states;
  for (const v1::ParticipationRow& row : rows) {
    ++states[row.state()];
    EXPECT_EQ(row.participation_id().size(), 64u);
    EXPECT_EQ(row.participant_id().size(), 64u);
    EXPECT_FALSE(absl::StrContains(row.participation_id(), "participations/"));
    EXPECT_EQ(row.birth_year(), 1990);
    EXPECT_EQ(row.track_kind() == v1::Track::PREPARATORY, row.track() == b_);
    if (row.state() == v1::Participation::COMPLETED) {
      EXPECT_TRUE(row.latest_outcome().kind() == v1::WORK_UNSUBSIDIZED ||
                  row.latest_outcome().kind() == v1::STUDIES);
      EXPECT_EQ(ToCivilDay(row.end_date()), absl::CivilDay(2026, 6, 30));
    }
  }
  EXPECT_EQ(states[v1::Participation::COMPLETED], 2);
  EXPECT_EQ(states[v1::Participation::INTERRUPTED], 1);
  EXPECT_EQ(states[v1::Participation::ENROLLED], 2);
  EXPECT_EQ(states[v1::Participation::PROPOSED], 1);
  // The same person gets the same id in every export.
  EXPECT_EQ(export_rows(request)[0].participant_id(), rows[0].participant_id());

  // Earlier, p6 was not proposed yet and nobody had ended.
  *request.mutable_as_of() = ToDate(absl::CivilDay(2026, 4, 30));
  const std::vector<v1::ParticipationRow> april = export_rows(request);
  ASSERT_EQ(april.size(), 5u);
  for (const auto& row : april) {
    EXPECT_EQ(row.state(), v1::Participation::ENROLLED);
  }
  request.mutable_scope()->set_county_code("14");
  ASSERT_EQ(export_rows(request).size(), 1u);
  request.clear_scope();
  EXPECT_EQ(export_rows(request, 2).size(), 2u);

  v1::ExportParticipationsRequest bad;
  bad.set_period("periods/2026-05-01");
  absl::Status s =
      follow_up.ExportParticipations(bad, [](const auto&) { return true; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "period")) << s;
}

}  // namespace
}  // namespace jobtrack
