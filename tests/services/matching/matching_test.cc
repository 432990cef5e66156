// Matching on a hand-built dataset whose expected scores are worked out by
// hand below (DESIGN 9.7), on a real RocksDB. Today is 2026-11-23.
#include "services/matching/matching.h"

#include <google/protobuf/arena.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <thread>

#include "absl/synchronization/notification.h"
#include "services/common/checkpoint.h"
#include "services/common/validation.h"
#include "services/employers/employers.h"
#include "services/modules/modules.h"
#include "services/participants/participants.h"
#include "services/participations/participation_steps.h"
#include "services/participations/participations.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

const CallContext kContext{.principal = "case-officer", .method = "Test"};
const absl::CivilDay kToday(2026, 11, 23);

class MatchingTest : public ::testing::Test {
 protected:
  MatchingTest()
      : employers_(env_.deps()),
        modules_(env_.deps()),
        tracks_(env_.deps()),
        intakes_(env_.deps()),
        participants_(env_.deps()),
        participations_(env_.deps()),
        index_(*MatchingIndex::Open(&env_.storage())),
        matching_(env_.deps(), MatchingWeights(), index_.get()) {
    care_employer_ = Employer("5560360793", "87301", "0180");
    solna_employer_ = Employer("5566778899", "86101", "0184");
    sfi_ = Module(v1::SFI, 20);
    komvux_ = Module(v1::KOMVUX, 40);
    aub_ = Module(v1::AUB, 8);
    placement_ = Module(v1::WORK_PLACEMENT, 4);

    // A: the participant's own occupation and municipality.
    v1::Track a = Directed("A care", "5321", "87301", {care_employer_});
    *a.mutable_chain() = Chain({{sfi_, komvux_}, {placement_}});
    a_ = Create(a);
    Intake(a_, v1::Intake::COMMON, kToday + 30, 10);
    // B: a neighbouring occupation, employer in Solna (same county).
    v1::Track b = Directed("B care Solna", "5322", "86101", {solna_employer_});
    *b.mutable_chain() = Chain({{komvux_}});
    b_ = Create(b);
    Intake(b_, v1::Intake::ROLLING, absl::CivilDay(2026, 1, 1), 4);
    // C: another industry altogether; the employer is a care employer.
    v1::Track c = Directed("C warehouse", "4322", "52100", {care_employer_});
    *c.mutable_chain() = Chain({{aub_}});
    c_ = Create(c);
    Intake(c_, v1::Intake::COMMON, kToday + 60, 12);

    participant_ = Participant("p1", v1::FEMALE, 1990, {});
  }

  std::string Employer(const char* orgnr, const char* sni, const char* kommun) {
    v1::Employer e;
    e.set_display_name(absl::StrCat("Employer ", orgnr));
    e.set_organisation_number(orgnr);
    e.set_sector(v1::Employer::PRIVATE);
    e.set_sni_code(sni);
    e.set_municipality_code(kommun);
    return employers_.Create(kContext, e, "", e, "")->name();
  }

  std::string Module(v1::EducationForm form, int weeks) {
    v1::Module m;
    m.set_display_name(absl::StrCat(v1::EducationForm_Name(form), " ", weeks));
    m.set_education_form(form);
    m.set_length_weeks(weeks);
    m.set_hours_per_week(30);
    return modules_.Create(kContext, m, "", m, "")->name();
  }

  static v1::ModuleChain Chain(
      std::initializer_list<std::initializer_list<std::string>> stages) {
    v1::ModuleChain chain;
    for (const auto& steps : stages) {
      auto* stage = chain.add_stages();
      for (const auto& module : steps) stage->add_steps()->set_module(module);
    }
    return chain;
  }

  static v1::Track Directed(const char* title, const char* ssyk,
                            const char* sni,
                            std::vector<std::string> employers) {
    v1::Track t;
    t.set_display_name(title);
    t.set_kind(v1::Track::EMPLOYER_DIRECTED);
    t.set_ssyk_code(ssyk);
    t.set_sni_code(sni);
    t.add_municipality_codes("0180");
    t.add_municipality_codes("0184");
    for (auto& e : employers) t.add_employers(e);
    t.set_status(v1::Track::OPEN);
    return t;
  }

  std::string Create(const v1::Track& track) {
    v1::CreateTrackRequest request;
    *request.mutable_track() = track;
    *request.mutable_effective_date() = ToDate(absl::CivilDay(2025, 1, 1));
    auto created = tracks_.CreateTrack(kContext, request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Intake(const std::string& track, v1::Intake::StartType type,
                     absl::CivilDay start, int seats) {
    v1::Intake i;
    i.set_start_type(type);
    *i.mutable_start_date() = ToDate(start);
    i.set_seats(seats);
    auto created = intakes_.Create(kContext, i, track, i, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  std::string Participant(const char* reference, v1::Gender gender,
                          int birth_year, std::vector<v1::TargetGroup> groups,
                          const char* municipality = "0180") {
    v1::Participant p;
    p.set_external_reference(reference);
    p.set_birth_year(birth_year);
    p.set_gender(gender);
    p.set_municipality_code(municipality);
    p.set_education_level(v1::PRE_UPPER_SECONDARY);
    p.set_swedish_level(v1::SWEDISH_B1);
    p.add_ssyk_interests("5321");
    p.add_sni_interests("87");
    for (auto g : groups) p.add_target_groups(g);
    auto created = participants_.Create(kContext, p, "", p, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created->name();
  }

  v1::ProposeTracksResponse Propose(const std::string& participant,
                                    bool near_misses = false) {
    v1::ProposeTracksRequest request;
    request.set_participant(participant);
    request.set_include_near_misses(near_misses);
    auto response = matching_.ProposeTracks(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::ProposeTracksResponse();
  }

  // Proposes, selects and enrolls `participant` in `intake` of `track`
  // from `start`; the participation's name.
  std::string EnrollIn(const std::string& participant, const std::string& track,
                       const std::string& intake, absl::CivilDay start) {
    auto enrolled =
        ProposeSelectEnroll(participations_, kContext, participant, track,
                            intake, start, std::min(start, kToday));
    EXPECT_TRUE(enrolled.ok()) << enrolled.status();
    return enrolled.value_or("");
  }

  static const v1::Proposal* Find(const v1::ProposeTracksResponse& r,
                                  const std::string& track) {
    for (const auto& p : r.proposals()) {
      if (p.track() == track) return &p;
    }
    return nullptr;
  }

  static double Factor(const v1::Proposal& p, absl::string_view factor) {
    for (const auto& f : p.factors()) {
      if (f.factor() == factor) return f.contribution();
    }
    ADD_FAILURE() << "no factor " << factor;
    return -1;
  }

  // The seats an intake's participations hold, in order.
  static std::vector<std::pair<absl::CivilDay, absl::CivilDay>> Seats(
      const MatchingIndex::IntakeView& intake) {
    std::vector<std::pair<absl::CivilDay, absl::CivilDay>> out;
    for (const SeatInterval& h : *intake.held) {
      out.emplace_back(h.start(), h.end().value_or(absl::CivilDay::max()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Expects the jobseeker's proposals (near misses too) from `index` to be
  // those from the fixture's index, factors and reasons included.
  void ExpectSameProposals(MatchingIndex& index) {
    Matching other(env_.deps(), MatchingWeights(), &index);
    v1::ProposeTracksRequest request;
    request.set_participant(participant_);
    request.set_include_near_misses(true);
    auto proposed = other.ProposeTracks(request);
    ASSERT_TRUE(proposed.ok()) << proposed.status();
    EXPECT_EQ(proposed->SerializeAsString(),
              Propose(participant_, true).SerializeAsString());
  }

  // Expects `index` to hold of every track what an index read whole from
  // the storage holds: counts of completions and work, and seats held.
  void ExpectSameAsReadWhole(MatchingIndex& index,
                             std::vector<std::string> more_tracks = {}) {
    // Without a checkpoint, this index reads every participation.
    ASSERT_TRUE(DropCheckpoint(env_.storage(), "matching_index").ok());
    auto whole = MatchingIndex::Open(&env_.storage());
    ASSERT_TRUE(whole.ok()) << whole.status();
    EXPECT_FALSE((*whole)->from_checkpoint());
    more_tracks.insert(more_tracks.end(), {a_, b_, c_});
    for (const std::string& track : more_tracks) {
      auto mine = index.Find(track);
      auto read = (*whole)->Find(track);
      ASSERT_TRUE(mine.ok() && read.ok()) << track;
      EXPECT_EQ((*mine)->completed, (*read)->completed) << track;
      EXPECT_EQ((*mine)->working, (*read)->working) << track;
      ASSERT_EQ((*mine)->intakes.size(), (*read)->intakes.size()) << track;
      for (size_t i = 0; i < (*read)->intakes.size(); ++i) {
        EXPECT_EQ(Seats((*mine)->intakes[i]), Seats((*read)->intakes[i]))
            << track << " intake " << i;
      }
    }
  }

  // Enrolls three people in B (one completes with work, one is
  // interrupted): every kind of contribution a checkpoint holds.
  std::string HistoryInB() {
    const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
    const std::string done = EnrollIn(Participant("p5", v1::MALE, 1985, {}), b_,
                                      b_intake, kToday - 60);
    Complete(done);
    RecordWork(done);
    const std::string moved = EnrollIn(Participant("p6", v1::FEMALE, 1990, {}),
                                       b_, b_intake, kToday - 20);
    v1::InterruptParticipationRequest interrupt;
    interrupt.set_name(moved);
    *interrupt.mutable_end_date() = ToDate(kToday - 2);
    interrupt.set_reason(v1::MOVED);
    EXPECT_TRUE(participations_.Interrupt(kContext, interrupt).ok());
    return EnrollIn(Participant("p7", v1::FEMALE, 1991, {}), b_, b_intake,
                    kToday - 5);
  }

  // The matching index's checkpoint as saved now. Its body: a track
  // count, then per track its name, its intakes' fingerprint (8 bytes), a
  // contribution count and 21 bytes a contribution (key 8, intake 4,
  // start 4, end 4, flags 1).
  std::string SavedCheckpoint() {
    EXPECT_TRUE(index_->SaveCheckpoint().ok());
    auto stored = LoadCheckpoint(env_.storage(), "matching_index");
    EXPECT_TRUE(stored.ok() && stored->has_value());
    if (!stored.ok() || !stored->has_value()) return "";
    return std::string((*stored)->body.data(), (*stored)->body.size());
  }
  // `body` saved as the current checkpoint in format `version`, and an
  // index opened on it.
  std::unique_ptr<MatchingIndex> OpenedOn(
      const std::string& body,
      uint32_t version = MatchingIndex::kCheckpointVersion) {
    EXPECT_TRUE(SaveCheckpoint(env_.storage(), "matching_index", version,
                               env_.storage().LastSequence(), body)
                    .ok());
    auto opened = MatchingIndex::Open(&env_.storage());
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }
  static uint32_t U32At(const std::string& body, size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, body.data() + at, 4);
    return v;
  }
  // Where `track`'s contribution count is in `body`; 0 if absent.
  static size_t CountAt(const std::string& body, const std::string& track) {
    size_t at = 4;
    for (uint32_t t = 0; t < U32At(body, 0); ++t) {
      const uint32_t name_size = U32At(body, at);
      const bool found = body.compare(at + 4, name_size, track) == 0;
      at += 4 + name_size + 8;
      if (found) return at;
      at += 4 + size_t{U32At(body, at)} * 21;
    }
    return 0;
  }

  // A write whose commit reaches the commit observers only once released:
  // commits after it, even of the same records, are observed before it.
  struct HeldWrite {
    uint64_t sequence = 0;
    absl::Notification waiting, released;
    std::thread thread;
  };
  // Runs `write` on its own thread and returns once its commit (the next
  // with events) is written and waits before its observers.
  HeldWrite& Hold(std::function<void()> write) {
    if (held_.empty()) {
      env_.set_before_observers([this](uint64_t sequence) {
        HeldWrite* held = nullptr;
        {
          absl::MutexLock lock(&held_mu_);
          for (HeldWrite& h : held_) {
            if (h.sequence == sequence) held = &h;
          }
        }
        if (held == nullptr) return;
        held->waiting.Notify();
        held->released.WaitForNotification();
      });
    }
    HeldWrite* held;
    {
      absl::MutexLock lock(&held_mu_);
      held = &held_.emplace_back();
      held->sequence = env_.storage().LastReservedSequence() + 1;
    }
    held->thread = std::thread(std::move(write));
    held->waiting.WaitForNotification();
    return *held;
  }
  static void Release(HeldWrite& held) {
    held.released.Notify();
    held.thread.join();
  }
  // Completes `participation` ten days ago (no work recorded yet).
  void Complete(const std::string& participation) {
    v1::CompleteParticipationRequest complete;
    complete.set_name(participation);
    *complete.mutable_end_date() = ToDate(kToday - 10);
    auto completed = participations_.Complete(kContext, complete);
    EXPECT_TRUE(completed.ok()) << completed.status();
  }
  // Records unsubsidized work at the end of `participation`.
  void RecordWork(const std::string& participation) {
    v1::RecordOutcomeRequest outcome;
    outcome.set_name(participation);
    outcome.set_point(v1::AT_END);
    outcome.set_kind(v1::WORK_UNSUBSIDIZED);
    auto recorded = participations_.RecordOutcome(kContext, outcome);
    EXPECT_TRUE(recorded.ok()) << recorded.status();
  }
  // The index's count of completions in `track`, and of work after them.
  std::pair<int, int> CompletedAndWorkingIn(const std::string& track) {
    auto view = index_->Find(track);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? std::make_pair((*view)->completed, (*view)->working)
                     : std::make_pair(-1, -1);
  }

  testing::TestEnv env_;
  absl::Mutex held_mu_;
  std::deque<HeldWrite> held_;  // Pointers into it stay valid.
  Employers employers_;
  Modules modules_;
  Tracks tracks_;
  Intakes intakes_;
  Participants participants_;
  Participations participations_;
  std::unique_ptr<MatchingIndex> index_;
  Matching matching_;
  std::string care_employer_, solna_employer_, sfi_, komvux_, aub_, placement_;
  std::string a_, b_, c_, participant_;
};

TEST_F(MatchingTest, RanksTracksWithFactorContributionsWorkedOutByHand) {
  const v1::ProposeTracksResponse r = Propose(participant_);
  ASSERT_EQ(r.proposals_size(), 3);
  EXPECT_EQ(r.proposals(0).track(), a_);
  EXPECT_EQ(r.proposals(1).track(), b_);
  EXPECT_EQ(r.proposals(2).track(), c_);

  // A. occupation 5321 = 5321: 4/4 × 3 = 3. industry "87" vs 87301: same
  // division, 0.5 × 2 = 1. geography: employer in 0180 = home: 1 × 1.
  // start in 30 of 120 days: (1 − 30/120) × 1 = 0.75. plan: sfi skipped
  // (Swedish B1), komvux 40 ‖ sfi, then 4 weeks: 44 weeks, (1 − 44/156) × 1.
  // demand 10/10 × 0.5 = 0.5. outcome: no record, (0 + 10·0.5)/(0 + 10) ×
  // 1.5 = 0.75. next track 0.
  const v1::Proposal& a = r.proposals(0);
  EXPECT_DOUBLE_EQ(Factor(a, "occupation"), 3.0);
  EXPECT_DOUBLE_EQ(Factor(a, "industry"), 1.0);
  EXPECT_DOUBLE_EQ(Factor(a, "geography"), 1.0);
  EXPECT_DOUBLE_EQ(Factor(a, "start"), 0.75);
  EXPECT_DOUBLE_EQ(Factor(a, "plan_length"), 1.0 - 44.0 / 156.0);
  EXPECT_DOUBLE_EQ(Factor(a, "demand"), 0.5);
  EXPECT_DOUBLE_EQ(Factor(a, "outcome"), 0.75);
  EXPECT_DOUBLE_EQ(Factor(a, "next_track"), 0.0);
  EXPECT_NEAR(a.score(), 3 + 1 + 1 + 0.75 + (1 - 44.0 / 156) + 0.5 + 0.75,
              1e-12);
  EXPECT_EQ(a.intake().substr(0, a_.size()), a_);

  // B. occupation 5322 vs 5321: 3 of 4 digits, 0.75 × 3 = 2.25. industry
  // "87" vs 86101: same section only, 0.25 × 2 = 0.5. geography: Solna,
  // same county: 0.5. start: rolling, open now: 1. plan: komvux 40 weeks,
  // 1 − 40/156. demand 4/4 × 0.5. outcome 0.75.
  const v1::Proposal& b = r.proposals(1);
  EXPECT_DOUBLE_EQ(Factor(b, "occupation"), 2.25);
  EXPECT_DOUBLE_EQ(Factor(b, "industry"), 0.5);
  EXPECT_DOUBLE_EQ(Factor(b, "geography"), 0.5);
  EXPECT_DOUBLE_EQ(Factor(b, "start"), 1.0);
  EXPECT_DOUBLE_EQ(Factor(b, "plan_length"), 1.0 - 40.0 / 156.0);
  EXPECT_NEAR(b.score(), 2.25 + 0.5 + 0.5 + 1 + (1 - 40.0 / 156) + 0.5 + 0.75,
              1e-12);

  // C. no occupation or industry match; employer in 0180: 1; start in 60
  // days: 0.5; plan 8 weeks.
  const v1::Proposal& c = r.proposals(2);
  EXPECT_DOUBLE_EQ(Factor(c, "occupation"), 0.0);
  EXPECT_DOUBLE_EQ(Factor(c, "industry"), 0.0);
  EXPECT_DOUBLE_EQ(Factor(c, "start"), 0.5);
  EXPECT_NEAR(c.score(), 0 + 0 + 1 + 0.5 + (1 - 8.0 / 156) + 0.5 + 0.75, 1e-12);
  // Every factor carries a reason to read out.
  for (const auto& f : a.factors())
    EXPECT_FALSE(f.reason().empty()) << f.factor();
}

TEST_F(MatchingTest, EachHardFilterAloneKeepsATrackOutAsANearMiss) {
  struct Case {
    const char* filter;
    std::function<void(v1::Track&)> change;
  };
  const std::vector<Case> cases = {
      {"swedish_level",
       [](v1::Track& t) {
         t.mutable_requirements()->set_min_swedish_level(v1::SWEDISH_C1);
       }},
      {"driving_licence",
       [](v1::Track& t) {
         t.mutable_requirements()->set_driving_licence(true);
       }},
      {"education_level",
       [](v1::Track& t) {
         t.mutable_requirements()->set_min_education_level(v1::UPPER_SECONDARY);
       }},
      {"target_group",
       [](v1::Track& t) {
         t.mutable_requirements()->add_target_groups(v1::YOUNG);
       }},
      {"self_employment",
       [](v1::Track& t) {
         t.set_kind(v1::Track::ENTREPRENEUR);
         t.clear_employers();
       }},
      {"open", [](v1::Track& t) { t.set_status(v1::Track::PAUSED); }},
  };
  std::map<std::string, std::string> expected;  // track → filter
  for (const Case& c : cases) {
    v1::Track t = Directed(c.filter, "5321", "87301", {care_employer_});
    *t.mutable_chain() = Chain({{aub_}});
    c.change(t);
    const std::string name = Create(t);
    Intake(name, v1::Intake::COMMON, kToday + 10, 5);
    expected[name] = c.filter;
  }
  // A seat: the only intake starts after the window.
  v1::Track late = Directed("late", "5321", "87301", {care_employer_});
  *late.mutable_chain() = Chain({{aub_}});
  const std::string late_name = Create(late);
  Intake(late_name, v1::Intake::COMMON, kToday + 200, 5);
  expected[late_name] = "seat";
  // A track elsewhere is not even a candidate.
  v1::Track away = Directed("away", "5321", "87301", {care_employer_});
  away.clear_municipality_codes();
  away.add_municipality_codes("1480");
  *away.mutable_chain() = Chain({{aub_}});
  const std::string away_name = Create(away);
  Intake(away_name, v1::Intake::COMMON, kToday + 10, 5);

  const v1::ProposeTracksResponse r =
      Propose(participant_, /*near_misses=*/true);
  std::map<std::string, std::string> missed;
  for (const auto& m : r.near_misses()) missed[m.track()] = m.filter();
  EXPECT_EQ(missed, expected);
  for (const auto& p : r.proposals()) {
    EXPECT_FALSE(expected.contains(p.track())) << p.track();
    EXPECT_NE(p.track(), away_name);
  }
  // The municipality filter itself, on the pure function.
  v1::Participant p;
  p.set_municipality_code("0180");
  away.set_name(away_name);
  auto failed = FailedFilters(p, away, v1::Track::OPEN);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].filter(), "municipality");
}

TEST_F(MatchingTest, AnEnrolledParticipantGetsNoProposals) {
  v1::ProposeParticipationRequest propose;
  propose.set_participant(participant_);
  propose.set_track(a_);
  auto proposed = participations_.Propose(kContext, propose);
  ASSERT_TRUE(proposed.ok());
  v1::SelectParticipationRequest select;
  select.set_name(proposed->name());
  ASSERT_TRUE(participations_.Select(kContext, select).ok());
  v1::EnrollParticipationRequest enroll;
  enroll.set_name(proposed->name());
  auto intakes = intakes_.List(a_, 10, "", "");
  enroll.set_intake(intakes->first[0].name());
  ASSERT_TRUE(participations_.Enroll(kContext, enroll).ok());
  v1::ProposeTracksRequest request;
  request.set_participant(participant_);
  EXPECT_EQ(matching_.ProposeTracks(request).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MatchingTest, SameDataGivesTheSameRanking) {
  EXPECT_EQ(Propose(participant_, true).SerializeAsString(),
            Propose(participant_, true).SerializeAsString());
}

// The service fills its answer in place, on the arena of gRPC's messages
// (ArenaMessages): there it is the answer built on the heap, near misses
// included, and every message of it is on that arena.
TEST_F(MatchingTest, AnAnswerFilledOnAnArenaIsTheAnswerBuiltApart) {
  v1::ProposeTracksRequest request;
  request.set_participant(participant_);
  request.set_include_near_misses(true);
  google::protobuf::Arena arena;
  auto* in_place =
      google::protobuf::Arena::CreateMessage<v1::ProposeTracksResponse>(&arena);
  ASSERT_TRUE(matching_.ProposeTracks(request, in_place).ok());
  ASSERT_EQ(in_place->proposals_size(), 3);
  EXPECT_EQ(in_place->proposals(2).factors(7).GetArena(), &arena);
  EXPECT_EQ(in_place->SerializeAsString(),
            Propose(participant_, true).SerializeAsString());
}

// Without near misses, ProposeTracks stops scoring once no remaining track
// can reach the top `limit` (matching.cc, ScoreBest). That shortcut must
// never change the answer: on many random tracks, with ties, full seats and
// failed filters, it returns exactly what scoring every track returns.
TEST_F(MatchingTest, StoppingEarlyGivesTheSameProposalsAsScoringEveryTrack) {
  std::mt19937 random(20261123);
  auto pick = [&](const auto& items) {
    return items[std::uniform_int_distribution<size_t>(
        0, items.size() - 1)(random)];
  };
  const std::vector<const char*> ssyk = {"5321", "5322", "5311", "5312",
                                         "5120", "4322", "4321"};
  const std::vector<const char*> sni = {"87301", "86101", "52100", "87",
                                        "56100"};
  const std::vector<std::string> employers = {care_employer_, solna_employer_};
  std::vector<std::string> tracks;
  for (int t = 0; t < 40; ++t) {
    v1::Track track =
        Directed("Random", pick(ssyk), pick(sni), {pick(employers)});
    *track.mutable_chain() = t % 3 == 0 ? Chain({{sfi_, komvux_}, {placement_}})
                             : t % 3 == 1 ? Chain({{komvux_}})
                                          : Chain({{aub_}});
    if (t % 5 == 0) track.mutable_requirements()->set_driving_licence(true);
    if (t % 7 == 0) track.set_status(v1::Track::PAUSED);
    tracks.push_back(Create(track));
    // Twins of some tracks: equal scores, so ties go by name.
    if (t % 4 == 0) tracks.push_back(Create(track));
  }
  for (const std::string& track : tracks) {
    const int intakes = std::uniform_int_distribution<int>(0, 2)(random);
    for (int i = 0; i < intakes; ++i) {
      const bool rolling = std::bernoulli_distribution(0.4)(random);
      const int days = std::uniform_int_distribution<int>(0, 150)(random);
      const int seats = std::uniform_int_distribution<int>(1, 6)(random);
      const std::string intake =
          Intake(track, rolling ? v1::Intake::ROLLING : v1::Intake::COMMON,
                 rolling ? kToday - days : kToday + days, seats);
      if (seats == 1 && !rolling && days > 0) {
        EnrollIn(Participant("filler", v1::MALE, 1980, {}), track, intake,
                 kToday + days);
      }
    }
  }
  for (int i = 0; i < 12; ++i) {
    v1::Participant p;
    p.set_external_reference(absl::StrCat("random-", i));
    p.set_birth_year(1985);
    p.set_gender(v1::FEMALE);
    p.set_municipality_code(i % 2 ? "0180" : "0184");
    p.set_education_level(i % 3 ? v1::UPPER_SECONDARY
                                : v1::PRE_UPPER_SECONDARY);
    p.set_swedish_level(i % 4 ? v1::SWEDISH_B1 : v1::SWEDISH_A2);
    p.set_driving_licence(i % 2 == 0);
    p.add_ssyk_interests(pick(ssyk));
    if (i % 2) p.add_ssyk_interests(pick(ssyk));
    if (i % 3 != 2) p.add_sni_interests(pick(sni));
    const std::string name =
        participants_.Create(kContext, p, "", p, "")->name();
    for (int limit : {1, 3, 10, 100}) {
      v1::ProposeTracksRequest request;
      request.set_participant(name);
      request.set_limit(limit);
      auto fast = matching_.ProposeTracks(request);
      request.set_include_near_misses(true);
      auto full = matching_.ProposeTracks(request);
      ASSERT_TRUE(fast.ok() && full.ok()) << fast.status() << full.status();
      ASSERT_EQ(fast->proposals_size(), full->proposals_size())
          << name << " limit " << limit;
      for (int k = 0; k < fast->proposals_size(); ++k) {
        EXPECT_EQ(fast->proposals(k).SerializeAsString(),
                  full->proposals(k).SerializeAsString())
            << name << " limit " << limit << " rank " << k;
      }
      if (limit == 3) {
        EXPECT_EQ(fast->proposals_size(), 3) << name;
      }
    }
  }
}

TEST_F(MatchingTest, GenderAgeAndTargetGroupsNeverChangeAScore) {
  const std::string twin =
      Participant("p2", v1::MALE, 1961, {v1::YOUNG, v1::NEWLY_ARRIVED});
  v1::ProposeTracksResponse mine = Propose(participant_);
  v1::ProposeTracksResponse theirs = Propose(twin);
  ASSERT_EQ(mine.proposals_size(), theirs.proposals_size());
  for (int i = 0; i < mine.proposals_size(); ++i) {
    v1::Proposal x = mine.proposals(i), y = theirs.proposals(i);
    x.clear_participant();
    y.clear_participant();
    EXPECT_EQ(x.SerializeAsString(), y.SerializeAsString()) << i;
  }
}

TEST_F(MatchingTest, CandidatesForAnIntakeAreEligibleParticipantsRanked) {
  const std::string twin = Participant("p2", v1::MALE, 1961, {});
  v1::Participant strong;
  strong.set_external_reference("p3");
  strong.set_birth_year(1980);
  strong.set_gender(v1::FEMALE);
  strong.set_municipality_code("0180");
  strong.set_swedish_level(v1::SWEDISH_C1);
  strong.set_education_level(v1::UPPER_SECONDARY);  // komvux covered too
  strong.add_ssyk_interests("5321");
  strong.add_sni_interests("87301");
  const std::string best =
      participants_.Create(kContext, strong, "", strong, "")->name();
  Participant("p4", v1::FEMALE, 1990, {}, "1480");  // Lives elsewhere.
  auto intakes = intakes_.List(a_, 10, "", "");
  v1::ProposeCandidatesRequest request;
  request.set_intake(intakes->first[0].name());
  auto r = matching_.ProposeCandidates(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->proposals_size(), 3);
  EXPECT_EQ(r->proposals(0).participant(), best);
  // The other two score the same; the tie goes by name.
  EXPECT_DOUBLE_EQ(r->proposals(1).score(), r->proposals(2).score());
  EXPECT_LT(r->proposals(1).participant(), r->proposals(2).participant());
  // Only names and explanations: no personal fields travel.
  for (const auto& p : r->proposals())
    EXPECT_EQ(p.SerializeAsString().find("p1"), std::string::npos);
}

TEST_F(MatchingTest,
       RecordedProposalsBecomeProposedParticipationsWithTheirExplanation) {
  v1::RecordProposalsRequest request;
  request.set_participant(participant_);
  request.add_tracks(a_);
  request.add_tracks(b_);
  auto recorded = matching_.RecordProposals(kContext, request);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_EQ(recorded->participations_size(), 2);
  const v1::Participation& p = recorded->participations(0);
  EXPECT_EQ(p.state(), v1::Participation::PROPOSED);
  EXPECT_EQ(p.track(), a_);
  EXPECT_GT(p.proposal().score(), 7);
  EXPECT_EQ(p.proposal().factors_size(), 8);
  EXPECT_FALSE(p.intake().empty());

  v1::RecordProposalsRequest wrong;
  wrong.set_participant(participant_);
  wrong.add_tracks("tracks/nosuchtrack");
  auto refused = matching_.RecordProposals(kContext, wrong);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("tracks[0]"),
            absl::string_view::npos);
}

TEST_F(MatchingTest, ATracksRecordFollowsCompletionsAndOutcomesAsTheyCommit) {
  const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
  const std::string done = Participant("p5", v1::MALE, 1985, {});
  const std::string participation = EnrollIn(done, b_, b_intake, kToday - 60);
  Complete(participation);
  v1::ProposeTracksResponse r = Propose(participant_);
  const v1::Proposal* b = Find(r, b_);
  ASSERT_NE(b, nullptr);
  // One completed, none working: (0 + 10·0.5)/(1 + 10) × 1.5.
  EXPECT_DOUBLE_EQ(Factor(*b, "outcome"), 1.5 * 5.0 / 11.0);

  RecordWork(participation);
  r = Propose(participant_);
  b = Find(r, b_);
  ASSERT_NE(b, nullptr);
  // (1 + 5)/(1 + 10) × 1.5, and the reason says so.
  EXPECT_DOUBLE_EQ(Factor(*b, "outcome"), 1.5 * 6.0 / 11.0);
  for (const auto& f : b->factors()) {
    if (f.factor() == "outcome") {
      EXPECT_EQ(f.reason(), "1 of 1 who completed it got work (55% adjusted)");
    }
  }

  // An index loaded from scratch agrees with the one that followed.
  auto reloaded = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  ExpectSameProposals(**reloaded);

  // Seats held, given back and counted, commit by commit, agree with a
  // view read whole.
  const std::string second = EnrollIn(Participant("p6", v1::FEMALE, 1990, {}),
                                      b_, b_intake, kToday - 20);
  EnrollIn(Participant("p7", v1::FEMALE, 1991, {}), b_, b_intake, kToday - 5);
  v1::InterruptParticipationRequest interrupt;
  interrupt.set_name(second);
  *interrupt.mutable_end_date() = ToDate(kToday - 2);
  interrupt.set_reason(v1::MOVED);
  auto interrupted = participations_.Interrupt(kContext, interrupt);
  ASSERT_TRUE(interrupted.ok()) << interrupted.status();
  auto followed = index_->Find(b_);
  auto whole = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(followed.ok() && whole.ok());
  auto read = (*whole)->Find(b_);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*followed)->completed, 1);
  EXPECT_EQ((*followed)->working, 1);
  EXPECT_EQ((*followed)->completed, (*read)->completed);
  EXPECT_EQ((*followed)->working, (*read)->working);
  ASSERT_EQ((*followed)->intakes.size(), (*read)->intakes.size());
  for (size_t i = 0; i < (*read)->intakes.size(); ++i) {
    EXPECT_EQ(Seats((*followed)->intakes[i]), Seats((*read)->intakes[i]))
        << "intake " << i;
  }
}

TEST_F(MatchingTest, AnOlderCommitObservedAfterANewerOneDoesNotUndoIt) {
  const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
  const std::string p = EnrollIn(Participant("p5", v1::MALE, 1985, {}), b_,
                                 b_intake, kToday - 60);
  // Completed, and before the index hears of it, work recorded: the
  // completion's call comes last, with the participation as it was.
  HeldWrite& completion = Hold([&] { Complete(p); });
  RecordWork(p);
  EXPECT_EQ(CompletedAndWorkingIn(b_), std::make_pair(1, 1));
  // Enough other participations for the index to forget what it applied
  // of commits that can no longer be overtaken: not of this one.
  for (int i = 0; i < 100; ++i) {
    v1::ProposeParticipationRequest propose;
    propose.set_participant(
        Participant(absl::StrCat("other", i).c_str(), v1::FEMALE, 1990, {}));
    propose.set_track(c_);
    *propose.mutable_effective_date() = ToDate(kToday);
    ASSERT_TRUE(participations_.Propose(kContext, propose).ok());
  }
  Release(completion);
  EXPECT_EQ(CompletedAndWorkingIn(b_), std::make_pair(1, 1));
  env_.set_before_observers(nullptr);
  ExpectSameAsReadWhole(*index_);
}

TEST_F(MatchingTest,
       AnOlderCommitObservedAfterATrackWasReadAgainDoesNotUndoIt) {
  const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
  const std::string p = EnrollIn(Participant("p5", v1::MALE, 1985, {}), b_,
                                 b_intake, kToday - 60);
  // Both participation writes wait; meanwhile an employer of B moves, and
  // B is read again whole, with the work recorded.
  HeldWrite& completion = Hold([&] { Complete(p); });
  HeldWrite& work = Hold([&] { RecordWork(p); });
  v1::Employer patch;
  patch.set_name(solna_employer_);
  patch.set_municipality_code("0180");
  google::protobuf::FieldMask mask;
  mask.add_paths("municipality_code");
  ASSERT_TRUE(employers_.Update(kContext, patch, patch, mask, "").ok());
  EXPECT_EQ(CompletedAndWorkingIn(b_), std::make_pair(1, 1));
  Release(completion);
  EXPECT_EQ(CompletedAndWorkingIn(b_), std::make_pair(1, 1));
  Release(work);
  EXPECT_EQ(CompletedAndWorkingIn(b_), std::make_pair(1, 1));
  env_.set_before_observers(nullptr);
  ExpectSameAsReadWhole(*index_);
}

TEST_F(MatchingTest, AnIndexOpenedFromItsCheckpointAgreesWithOneReadWhole) {
  const std::string enrolled = HistoryInB();
  ASSERT_TRUE(index_->SaveCheckpoint().ok());
  auto reopened = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->from_checkpoint());
  ExpectSameAsReadWhole(**reopened);
  auto b = (*reopened)->Find(b_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->completed, 1);
  EXPECT_EQ((*b)->working, 1);
  // Proposals from it are the same, factors and reasons included.
  ExpectSameProposals(**reopened);
  // A participation the checkpoint holds changes later: what it added
  // before is replaced, not counted twice.
  v1::CompleteParticipationRequest complete;
  complete.set_name(enrolled);
  *complete.mutable_end_date() = ToDate(kToday);
  ASSERT_TRUE(participations_.Complete(kContext, complete).ok());
  ExpectSameAsReadWhole(**reopened);
  // Saved again, B's decoded contributions and A's and C's still as the
  // checkpoint held them; read back, the same.
  ASSERT_TRUE((*reopened)->SaveCheckpoint().ok());
  auto resaved = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(resaved.ok()) << resaved.status();
  EXPECT_TRUE((*resaved)->from_checkpoint());
  ExpectSameAsReadWhole(**resaved);
}

TEST_F(MatchingTest, ACheckpointHoldingAParticipationTwiceIsReadWholeOnUse) {
  const std::string enrolled = HistoryInB();
  const std::string body = SavedCheckpoint();
  // B's first contribution twice.
  const size_t count_at = CountAt(body, b_);
  ASSERT_NE(count_at, 0u);
  const uint32_t more = U32At(body, count_at) + 1;
  std::string twice = body;
  twice.replace(count_at, 4, reinterpret_cast<const char*>(&more), 4);
  twice.insert(count_at + 4, body, count_at + 4, 21);
  std::unique_ptr<MatchingIndex> reopened = OpenedOn(twice);
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->from_checkpoint());
  // The first commit on B finds it out and reads B whole.
  v1::CompleteParticipationRequest complete;
  complete.set_name(enrolled);
  *complete.mutable_end_date() = ToDate(kToday);
  ASSERT_TRUE(participations_.Complete(kContext, complete).ok());
  ExpectSameAsReadWhole(*reopened);
}

TEST_F(MatchingTest, ACheckpointSavedWhileCommitsRunIsContinuedToTheSame) {
  const std::string a_intake = Intake(a_, v1::Intake::ROLLING, kToday, 30);
  const std::string b_intake = Intake(b_, v1::Intake::ROLLING, kToday, 30);
  // Enrolments in A and B on one thread while the index saves its
  // checkpoint again and again on this one: whatever the interleaving, a
  // later Open continues the last one to what a full read gives.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      const std::string& track = i % 2 == 0 ? a_ : b_;
      EnrollIn(Participant(absl::StrCat("w", i).c_str(), v1::FEMALE,
                           1980 + i % 20, {}),
               track, i % 2 == 0 ? a_intake : b_intake, kToday + i / 2);
    }
    done = true;
  });
  int saves = 0;
  while (!done) {
    ASSERT_TRUE(index_->SaveCheckpointWhileServing().ok());
    ++saves;
  }
  writer.join();
  ASSERT_TRUE(index_->SaveCheckpointWhileServing().ok());
  EXPECT_GT(saves, 0);
  auto stored = LoadCheckpoint(env_.storage(), "matching_index");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_FALSE((*stored)->current) << "saved while serving: never current";
  EXPECT_EQ((*stored)->through, env_.storage().LastSequence());
  // Nothing observed since: the next save writes nothing.
  const uint64_t written = env_.storage().WriteSequence();
  ASSERT_TRUE(index_->SaveCheckpointWhileServing().ok());
  EXPECT_EQ(env_.storage().WriteSequence(), written);

  auto reopened = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->from_checkpoint());
  auto a = (*reopened)->Find(a_);
  ASSERT_TRUE(a.ok());
  size_t held = 0;
  for (const auto& intake : (*a)->intakes) held += intake.held->size();
  EXPECT_EQ(held, 20u);
  ExpectSameAsReadWhole(**reopened);
}

TEST_F(MatchingTest, ACheckpointSavedWhileServingMissesNoCommitBelowIt) {
  // Saved, then commits: the checkpoint covers what was observed, and the
  // log after it brings the rest, also when nothing else is written.
  const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
  ASSERT_TRUE(index_->SaveCheckpointWhileServing().ok());
  EnrollIn(Participant("after", v1::MALE, 1977, {}), b_, b_intake, kToday);
  auto reopened = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->from_checkpoint());
  auto b = (*reopened)->Find(b_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->intakes[0].held->size(), 1u);
  ExpectSameAsReadWhole(**reopened);
}

TEST_F(MatchingTest, AStaleCheckpointIsContinuedFromTheEventLog) {
  const std::string enrolled = HistoryInB();
  const std::string c_intake = intakes_.List(c_, 10, "", "")->first[0].name();
  EnrollIn(Participant("c1", v1::FEMALE, 1985, {}), c_, c_intake, kToday + 60);
  ASSERT_TRUE(index_->SaveCheckpoint().ok());
  // Saving again with nothing written since writes nothing.
  const uint64_t saved_at = env_.storage().WriteSequence();
  ASSERT_TRUE(index_->SaveCheckpoint().ok());
  EXPECT_EQ(env_.storage().WriteSequence(), saved_at);
  // After the checkpoint: a seat taken in A, a participation the
  // checkpoint holds completed in B, an intake added before C's (its
  // contributions' positions may shift), and a new track D with a seat
  // taken.
  const std::string a_intake = intakes_.List(a_, 10, "", "")->first[0].name();
  EnrollIn(Participant("late", v1::MALE, 1980, {}), a_, a_intake, kToday + 30);
  v1::CompleteParticipationRequest complete;
  complete.set_name(enrolled);
  *complete.mutable_end_date() = ToDate(kToday);
  ASSERT_TRUE(participations_.Complete(kContext, complete).ok());
  Intake(c_, v1::Intake::COMMON, kToday + 20, 5);
  EnrollIn(Participant("c2", v1::MALE, 1975, {}), c_, c_intake, kToday + 60);
  v1::Track d = Directed("D care", "5321", "87301", {care_employer_});
  *d.mutable_chain() = Chain({{placement_}});
  const std::string d_ = Create(d);
  const std::string d_intake = Intake(d_, v1::Intake::ROLLING, kToday, 3);
  EnrollIn(Participant("d1", v1::FEMALE, 1995, {}), d_, d_intake, kToday);

  auto reopened = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->from_checkpoint());
  ExpectSameProposals(**reopened);
  auto a = (*reopened)->Find(a_);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->intakes[0].held->size(), 1u);
  auto c = (*reopened)->Find(c_);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ((*c)->intakes.size(), 2u);
  EXPECT_EQ((*c)->intakes[0].held->size() + (*c)->intakes[1].held->size(), 2u);
  auto found_d = (*reopened)->Find(d_);
  ASSERT_TRUE(found_d.ok());
  EXPECT_EQ((*found_d)->intakes[0].held->size(), 1u);
  ExpectSameAsReadWhole(**reopened, {d_});
  // It goes on following commits, and saves what it continued.
  EnrollIn(Participant("a2", v1::MALE, 1970, {}), a_, a_intake, kToday + 30);
  ASSERT_TRUE((*reopened)->SaveCheckpoint().ok());
  auto resaved = MatchingIndex::Open(&env_.storage());
  ASSERT_TRUE(resaved.ok()) << resaved.status();
  EXPECT_TRUE((*resaved)->from_checkpoint());
  auto a_again = (*resaved)->Find(a_);
  ASSERT_TRUE(a_again.ok());
  EXPECT_EQ((*a_again)->intakes[0].held->size(), 2u);
  ExpectSameAsReadWhole(**resaved, {d_});
}

TEST_F(MatchingTest,
       ACheckpointOfAnOlderFormatIsIgnoredAndEveryParticipationRead) {
  HistoryInB();
  const std::string body = SavedCheckpoint();
  std::unique_ptr<MatchingIndex> reopened = OpenedOn(body, /*version=*/2);
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->from_checkpoint());
  ExpectSameAsReadWhole(*reopened);
}

TEST_F(MatchingTest, AMalformedCheckpointIsIgnoredAndEveryParticipationRead) {
  HistoryInB();
  const std::string body = SavedCheckpoint();
  // Cut short, a byte too many, an intake out of range, a flag unknown:
  // each saved as current, each refused.
  const size_t count_at = CountAt(body, b_);
  ASSERT_NE(count_at, 0u);
  ASSERT_GT(U32At(body, count_at), 0u);
  const size_t first = count_at + 4;
  std::string bad_intake = body;
  bad_intake[first + 8] = 100;  // Intake 100 of a track with one.
  std::string bad_flags = body;
  bad_flags[first + 20] = 9;
  for (const std::string& damaged :
       {body.substr(0, body.size() - 1), body + "x", bad_intake, bad_flags}) {
    std::unique_ptr<MatchingIndex> reopened = OpenedOn(damaged);
    ASSERT_NE(reopened, nullptr);
    EXPECT_FALSE(reopened->from_checkpoint());
    ExpectSameAsReadWhole(*reopened);
  }
}

TEST_F(MatchingTest, FillingTheLastSeatTurnsTheTrackIntoASeatNearMiss) {
  const std::string b_intake = intakes_.List(b_, 10, "", "")->first[0].name();
  for (int i = 0; i < 3; ++i) {
    EnrollIn(Participant(absl::StrCat("s", i).c_str(), v1::MALE, 1980, {}), b_,
             b_intake, kToday);
  }
  v1::ProposeTracksResponse r = Propose(participant_);
  const v1::Proposal* b = Find(r, b_);
  ASSERT_NE(b, nullptr);
  EXPECT_DOUBLE_EQ(Factor(*b, "demand"), 0.5 * 1 / 4);
  // A later start counts too: the rolling intake is full from then on.
  EnrollIn(Participant("s3", v1::MALE, 1980, {}), b_, b_intake, kToday + 5);
  r = Propose(participant_, true);
  EXPECT_EQ(Find(r, b_), nullptr);
  bool missed = false;
  for (const auto& miss : r.near_misses()) {
    if (miss.track() == b_) missed = miss.filter() == "seat";
  }
  EXPECT_TRUE(missed);
}

TEST_F(MatchingTest, AnEmployerThatMovesChangesTheGeographyOfItsTracks) {
  auto geography = [&] {
    v1::ProposeTracksResponse r = Propose(participant_);
    const v1::Proposal* b = Find(r, b_);
    return b == nullptr ? -1 : Factor(*b, "geography");
  };
  ASSERT_DOUBLE_EQ(geography(), 0.5);
  v1::Employer patch;
  patch.set_name(solna_employer_);
  patch.set_municipality_code("0180");
  google::protobuf::FieldMask mask;
  mask.add_paths("municipality_code");
  auto moved = employers_.Update(kContext, patch, patch, mask, "");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_DOUBLE_EQ(geography(), 1.0);
}

TEST(MatchingWeightsTest, ParsesOverridesAndRejectsUnknownOrNegative) {
  MatchingWeights w;
  ASSERT_TRUE(
      ParseMatchingWeights("occupation=4, start_window_days=90", &w).ok());
  EXPECT_DOUBLE_EQ(w.occupation, 4);
  EXPECT_EQ(w.start_window_days, 90);
  EXPECT_DOUBLE_EQ(w.industry, MatchingWeights().industry);
  for (const char* bad : {"gender=1", "occupation=-1", "occupation=x",
                          "start_window_days=0", "industry"}) {
    MatchingWeights before = w;
    EXPECT_EQ(ParseMatchingWeights(bad, &w).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_DOUBLE_EQ(w.occupation, before.occupation);
  }
}

}  // namespace
}  // namespace jobtrack
