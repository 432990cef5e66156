#include "services/matching/matching.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "services/common/crud.h"
#include "services/common/reference_data.h"
#include "services/common/validation.h"
#include "services/participations/participations.h"
#include "services/participations/seats.h"
#include "services/tracks/track_history.h"

namespace jobtrack {
namespace {

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 100;

absl::StatusOr<int> Limit(int limit) {
  if (limit < 0 || limit > kMaxLimit) {
    return InvalidField("limit", absl::StrCat("must be 1–", kMaxLimit));
  }
  return limit == 0 ? kDefaultLimit : limit;
}

using TrackView = MatchingIndex::TrackView;
using IntakeView = MatchingIndex::IntakeView;

// Where and when a participant would join a track.
struct Choice {
  const IntakeView* intake = nullptr;
  absl::CivilDay start;
  int free_seats = 0;
};

// The intake of `track` to join on `day`: a free seat from the start on,
// starting within `window_days` (COMMON) or open then (ROLLING); the
// earliest start, then the name. With `only`, that intake whatever its
// start. Nullopt if none.
std::optional<Choice> BestIntake(const TrackView& track, absl::CivilDay day,
                                 int window_days, absl::string_view only) {
  const absl::CivilDay last = day + window_days;
  std::optional<Choice> best;
  for (const IntakeView& intake : track.intakes) {
    if (!only.empty() && intake.intake->name() != only) continue;
    absl::CivilDay start = intake.start_date;
    if (intake.intake->start_type() == v1::Intake::COMMON) {
      if (only.empty() && (start < day || start > last)) continue;
    } else {
      start = std::max(start, day);
      if (only.empty() && intake.start_date > last) continue;
      if (intake.end_date && *intake.end_date < start) continue;
    }
    // Intakes are in name order, so the first of equal starts wins; the
    // seats are counted only for an intake that would be chosen.
    if (best && best->start <= start) continue;
    const int free = intake.intake->seats() -
                     PeakFrom(*intake.intake, *intake.held, start).taken;
    if (free <= 0) continue;
    best = Choice{&intake, start, free};
  }
  return best;
}

TrackOption OptionOf(const TrackView& track, const Choice& choice) {
  TrackOption option;
  option.track = track.track.get();
  option.sni_section = track.sni_section;
  option.workplace_municipalities = track.workplaces;
  option.completed = track.completed;
  option.working = track.working;
  option.intake = choice.intake->intake.get();
  option.chain = choice.intake->chain;
  option.plan_weeks = choice.intake->plan_weeks;
  option.start = choice.start;
  option.free_seats = choice.free_seats;
  return option;
}

// A scored candidate, before it is explained. Points into data that
// outlives the ranking.
struct Scored {
  double score = 0;
  absl::string_view tie;  // Resource name: ties go by it.
  const TrackView* track = nullptr;
  Choice choice;
  FactorValues values;
  size_t facts = 0;  // ProposeCandidates: index into its facts.
};

// Best first, ties by name; at most `limit`.
void RankAndLimit(std::vector<Scored>& scored, int limit) {
  auto better = [](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.tie < b.tie;
  };
  const size_t keep = std::min(scored.size(), static_cast<size_t>(limit));
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(),
                    better);
  scored.resize(keep);
}

Scored Evaluated(const MatchingWeights& weights, const ParticipantFacts& facts,
                 const TrackView& view, const Choice& choice,
                 absl::CivilDay day) {
  Scored c;
  c.values = Evaluate(weights, facts, OptionOf(view, choice), day);
  c.score = TotalScore(weights, c.values);
  c.tie = view.track->name();
  c.track = &view;
  c.choice = choice;
  return c;
}

void ScoreAll(const MatchingWeights& weights,
              absl::Span<const MatchingIndex::LocalTrack> tracks,
              const v1::Participant& participant, const ParticipantFacts& facts,
              absl::CivilDay day, std::vector<Scored>& scored,
              v1::ProposeTracksResponse& response) {
  for (const MatchingIndex::LocalTrack& local : tracks) {
    const TrackView* view = local.view.get();
    const std::optional<v1::Track::Status> status = view->StatusOn(day);
    if (!status) continue;  // Did not exist yet.
    const uint32_t failed =
        FailedFilterMask(participant, *view->track, *status);
    if (failed & (failed - 1)) continue;  // Two or more.
    std::optional<Choice> choice =
        BestIntake(*view, day, weights.start_window_days, "");
    if (failed == 0 && choice) {
      scored.push_back(Evaluated(weights, facts, *view, *choice, day));
    } else if (failed != 0 && choice) {
      *response.add_near_misses() = std::move(
          DescribeFailures(participant, *view->track, *status, failed)[0]);
    } else if (failed == 0) {
      v1::NearMiss* miss = response.add_near_misses();
      miss->set_track(view->track->name());
      miss->set_filter("seat");
      miss->set_reason(absl::StrCat("no intake with a free seat starts within ",
                                    weights.start_window_days, " days"));
    }
  }
}

// A bit per SNI section letter (A–U).
uint32_t SectionBit(char section) {
  return section >= 'A' && section <= 'Z' ? 1u << (section - 'A') : 0;
}

// An upper bound of the score of any option of `t` for the participant, or
// nullopt if `t` is certainly not eligible. Every factor is exact but start
// and demand, which depend on the intake and are taken at their best, and
// industry, taken as 1 when the sections match. Conservative: a track it
// keeps may still fail a filter (target groups are left to the second
// pass), but it never drops an eligible one.
std::optional<double> ScoreBound(const MatchingWeights& weights,
                                 const v1::Participant& p, int background,
                                 uint32_t interest_sections,
                                 uint32_t next_sections,
                                 const MatchingIndex::LocalTrack& t,
                                 absl::CivilDay day) {
  if (day >= t.stable_from) {
    if (t.status != v1::Track::OPEN) return std::nullopt;
  } else if (t.view->StatusOn(day) != v1::Track::OPEN) {
    return std::nullopt;
  }
  if ((t.min_swedish_level != v1::SWEDISH_LEVEL_UNSPECIFIED &&
       p.swedish_level() < t.min_swedish_level) ||
      (t.min_education_level != v1::EDUCATION_LEVEL_UNSPECIFIED &&
       p.education_level() < t.min_education_level) ||
      (t.driving_licence && !p.driving_licence()) ||
      (t.kind == v1::Track::ENTREPRENEUR && !p.self_employment_interest())) {
    return std::nullopt;
  }
  FactorValues v;
  int digits = 0;
  for (const std::string& interest : p.ssyk_interests()) {
    int n = 0;
    while (n < 4 && n < static_cast<int>(interest.size()) && t.ssyk[n] != 0 &&
           interest[n] == t.ssyk[n]) {
      ++n;
    }
    digits = std::max(digits, n);
  }
  v.occupation = OccupationValue(digits);
  const uint32_t section = SectionBit(t.sni_section);
  // A code without a known section can still match an interest exactly.
  v.industry = section == 0 ? (p.sni_interests().empty() ? 0 : 1)
                            : (interest_sections & section ? 1 : 0);
  v.geography = t.geography;
  v.start = 1;
  v.plan_length = PlanLengthValue(t.shortest_plan_weeks[background]);
  v.demand = 1;
  v.outcome = OutcomeValue(weights, t.completed, t.working);
  v.next_track = next_sections & section ? 1 : 0;
  // The slack absorbs rounding: a bound must never fall below a score.
  return TotalScore(weights, v) + 1e-9;
}

// Scores only what can reach the top `limit`: a first pass bounds every
// track's score from the index's inline data, a second scores tracks
// exactly, best bound first, and stops when no remaining bound reaches the
// limit-th best score (ties go by name, so an equal bound is still
// scored). Gives exactly the proposals ScoreAll would.
void ScoreBest(const MatchingWeights& weights,
               absl::Span<const MatchingIndex::LocalTrack> tracks,
               const v1::Participant& participant,
               const ParticipantFacts& facts, absl::CivilDay day, int limit,
               std::vector<Scored>& scored) {
  struct Bounded {
    double bound;
    const TrackView* view;
    bool operator<(const Bounded& o) const { return bound < o.bound; }
  };
  thread_local std::vector<Bounded> heap;
  heap.clear();
  const int background = Background(participant);
  uint32_t interest_sections = 0, next_sections = 0;
  for (const std::string& s : facts.sni_interest_sections) {
    if (!s.empty()) interest_sections |= SectionBit(s[0]);
  }
  for (const std::string& s : facts.sections_completed_not_hired) {
    if (!s.empty()) next_sections |= SectionBit(s[0]);
  }
  for (const MatchingIndex::LocalTrack& t : tracks) {
    const std::optional<double> bound =
        ScoreBound(weights, participant, background, interest_sections,
                   next_sections, t, day);
    if (bound) heap.push_back({*bound, t.view.get()});
  }
  std::make_heap(heap.begin(), heap.end());
  std::vector<double> best_scores;  // Min-heap of the top `limit` scores.
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end());
    const Bounded next = heap.back();
    heap.pop_back();
    if (static_cast<int>(best_scores.size()) == limit &&
        next.bound < best_scores.front()) {
      break;
    }
    const TrackView& view = *next.view;
    const std::optional<v1::Track::Status> status = view.StatusOn(day);
    if (!status || FailedFilterMask(participant, *view.track, *status) != 0) {
      continue;
    }
    std::optional<Choice> choice =
        BestIntake(view, day, weights.start_window_days, "");
    if (!choice) continue;
    const Scored& c =
        scored.emplace_back(Evaluated(weights, facts, view, *choice, day));
    best_scores.push_back(c.score);
    std::push_heap(best_scores.begin(), best_scores.end(), std::greater<>());
    if (static_cast<int>(best_scores.size()) > limit) {
      std::pop_heap(best_scores.begin(), best_scores.end(), std::greater<>());
      best_scores.pop_back();
    }
  }
}

}  // namespace

Matching::Matching(Deps deps, MatchingWeights weights, MatchingIndex* index)
    : deps_(deps), weights_(weights), index_(index) {}

absl::StatusOr<absl::CivilDay> Matching::Day(const v1::Date& as_of) const {
  if (!HasDate(as_of)) return TodayInSweden(*deps_.clock);
  std::optional<absl::CivilDay> day = ToCivilDay(as_of);
  if (!day) return InvalidField("as_of", "is not a valid date (1900–2199)");
  return *day;
}

absl::StatusOr<ParticipantFacts> Matching::Facts(
    storage::Reader& reader, const v1::Participant& participant,
    std::string* active) const {
  ParticipantFacts facts;
  facts.participant = &participant;
  const ReferenceData& ref = ReferenceData::Get();
  for (const std::string& code : participant.sni_interests()) {
    facts.sni_interest_sections.push_back(ref.SniSection(code));
  }
  const RecordTable<v1::Participation> participations(nullptr);
  absl::StatusOr<std::vector<v1::Participation>> mine = participations.WithTerm(
      reader, "participations", Term("participant", participant.name()));
  if (!mine.ok()) return mine.status();
  for (const v1::Participation& p : *mine) {
    if (p.state() == v1::Participation::ENROLLED) *active = p.name();
    if (p.state() == v1::Participation::COMPLETED &&
        !MatchingIndex::Working(p)) {
      absl::StatusOr<std::shared_ptr<const TrackView>> track =
          index_->Find(p.track());
      if (track.ok() && !(*track)->sni_section.empty()) {
        facts.sections_completed_not_hired.insert((*track)->sni_section);
      } else if (!track.ok() && !absl::IsNotFound(track.status())) {
        return track.status();
      }
    }
  }
  return facts;
}

absl::Status Matching::ProposeTracks(const v1::ProposeTracksRequest& request,
                                     v1::ProposeTracksResponse* out) {
  if (absl::Status s = CheckResourceName(request.participant(), "participants",
                                         "participant");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int> limit = Limit(request.limit());
  if (!limit.ok()) return limit.status();
  absl::StatusOr<absl::CivilDay> day = Day(request.as_of());
  if (!day.ok()) return day.status();

  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  const RecordTable<v1::Participant> participants(nullptr);
  absl::StatusOr<v1::Participant> participant =
      participants.Get(*reader, request.participant());
  if (!participant.ok()) return participant.status();
  if (participant->erased()) {
    return Precondition(
        "PARTICIPANT_ERASED",
        absl::StrCat(request.participant(), " has been erased"));
  }
  std::string active;
  absl::StatusOr<ParticipantFacts> facts =
      Facts(*reader, *participant, &active);
  if (!facts.ok()) return facts.status();
  if (!active.empty()) {
    return Precondition(
        "ALREADY_ENROLLED",
        absl::StrCat(request.participant(), " is enrolled in ", active,
                     "; no new proposals until it ends"));
  }

  v1::ProposeTracksResponse& response = *out;
  absl::Status s = index_->VisitTracksIn(
      participant->municipality_code(),
      [&](absl::Span<const MatchingIndex::LocalTrack> tracks) {
        // Reused: a big city has thousands of candidates per call.
        thread_local std::vector<Scored> scored;
        scored.clear();
        if (request.include_near_misses()) {
          ScoreAll(weights_, tracks, *participant, *facts, *day, scored,
                   response);
        } else {
          ScoreBest(weights_, tracks, *participant, *facts, *day, *limit,
                    scored);
        }
        RankAndLimit(scored, *limit);
        for (const Scored& c : scored) {
          Explain(weights_, *facts, OptionOf(*c.track, c.choice), c.values,
                  response.add_proposals());
        }
      });
  return s;
}

absl::StatusOr<v1::ProposeTracksResponse> Matching::ProposeTracks(
    const v1::ProposeTracksRequest& request) {
  v1::ProposeTracksResponse response;
  if (absl::Status s = ProposeTracks(request, &response); !s.ok()) return s;
  return response;
}

absl::StatusOr<v1::ProposeCandidatesResponse> Matching::ProposeCandidates(
    const v1::ProposeCandidatesRequest& request,
    const absl::flat_hash_set<std::string>* only_municipalities) {
  if (absl::Status s =
          CheckNestedName(request.intake(), "tracks", "intakes", "intake");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int> limit = Limit(request.limit());
  if (!limit.ok()) return limit.status();
  absl::StatusOr<absl::CivilDay> day = Day(request.as_of());
  if (!day.ok()) return day.status();
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  const RecordTable<v1::Intake> intakes(nullptr);
  if (absl::Status s = intakes.Get(*reader, request.intake()).status();
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const TrackView>> view = index_->Find(
      request.intake().substr(0, request.intake().find("/intakes/")));
  if (!view.ok()) return view.status();
  const v1::Track& track = *(*view)->track;
  const v1::Track::Revision* then = RevisionInForce(track, *day);
  if (then == nullptr || then->status() != v1::Track::OPEN) {
    return Precondition(
        "TRACK_NOT_OPEN",
        absl::StrCat(track.name(), " is not OPEN on ", FormatDate(*day)));
  }
  std::optional<Choice> choice =
      BestIntake(**view, *day, weights_.start_window_days, request.intake());
  if (!choice) {
    return Precondition("NO_SEAT",
                        absl::StrCat(request.intake(), " has no free seat"));
  }
  const TrackOption option = OptionOf(**view, *choice);
  std::vector<Scored> scored;
  // Facts point at their participant: both stay put once made.
  std::vector<std::unique_ptr<v1::Participant>> people;
  std::vector<ParticipantFacts> facts;
  const RecordTable<v1::Participant> participants(nullptr);
  for (const std::string& municipality : track.municipality_codes()) {
    if (only_municipalities != nullptr &&
        !only_municipalities->contains(municipality)) {
      continue;
    }
    absl::StatusOr<std::vector<v1::Participant>> residents =
        participants.WithTerm(*reader, "participants",
                              Term("municipality", municipality));
    if (!residents.ok()) return residents.status();
    for (v1::Participant& resident : *residents) {
      if (resident.erased()) continue;
      if (FailedFilterMask(resident, track, v1::Track::OPEN) != 0) continue;
      auto participant = std::make_unique<v1::Participant>(std::move(resident));
      std::string active;
      absl::StatusOr<ParticipantFacts> about =
          Facts(*reader, *participant, &active);
      if (!about.ok()) return about.status();
      if (!active.empty()) continue;
      Scored& c = scored.emplace_back();
      c.values = Evaluate(weights_, *about, option, *day);
      c.score = TotalScore(weights_, c.values);
      c.tie = participant->name();
      c.facts = facts.size();
      facts.push_back(*std::move(about));
      people.push_back(std::move(participant));
    }
  }
  RankAndLimit(scored, *limit);
  v1::ProposeCandidatesResponse response;
  for (const Scored& c : scored) {
    Explain(weights_, facts[c.facts], option, c.values,
            response.add_proposals());
  }
  return response;
}

absl::StatusOr<v1::RecordProposalsResponse> Matching::RecordProposals(
    const CallContext& context, const v1::RecordProposalsRequest& request) {
  FieldViolations violations;
  if (request.tracks().empty())
    violations.Add("tracks", "name at least one track");
  if (request.tracks_size() > 20) violations.Add("tracks", "at most 20 tracks");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < request.tracks_size(); ++i) {
    if (!seen.insert(request.tracks(i)).second) {
      violations.Add(absl::StrCat("tracks[", i, "]"), "is repeated");
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  v1::ProposeTracksRequest propose;
  propose.set_participant(request.participant());
  propose.set_limit(kMaxLimit);
  absl::StatusOr<v1::ProposeTracksResponse> current = ProposeTracks(propose);
  if (!current.ok()) return current.status();
  for (int i = 0; i < request.tracks_size(); ++i) {
    if (std::none_of(current->proposals().begin(), current->proposals().end(),
                     [&](const v1::Proposal& p) {
                       return p.track() == request.tracks(i);
                     })) {
      violations.Add(absl::StrCat("tracks[", i, "]"),
                     "is not among the participant's proposals");
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  Participations participations(deps_);
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  return RunMutation<v1::RecordProposalsResponse>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn)
          -> absl::StatusOr<v1::RecordProposalsResponse> {
        v1::RecordProposalsResponse response;
        for (const std::string& track : request.tracks()) {
          const v1::Proposal& proposal = *std::find_if(
              current->proposals().begin(), current->proposals().end(),
              [&](const v1::Proposal& p) { return p.track() == track; });
          absl::StatusOr<v1::Participation> recorded = participations.ProposeIn(
              txn, context, request.participant(), track, proposal.intake(),
              today, &proposal);
          if (!recorded.ok()) return recorded.status();
          *response.add_participations() = *std::move(recorded);
        }
        return response;
      });
}

}  // namespace jobtrack
