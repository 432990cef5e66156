#include "services/matching/matching.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "jobtrack/v1/employer.pb.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "services/common/crud.h"
#include "services/common/reference_data.h"
#include "services/common/validation.h"
#include "services/participations/participations.h"
#include "services/tracks/track_history.h"
#include "storage/keys.h"

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

bool Working(const v1::Participation& p) {
  return std::any_of(p.outcomes().begin(), p.outcomes().end(),
                     [](const v1::Outcome& o) {
                       return o.kind() == v1::WORK_UNSUBSIDIZED ||
                              o.kind() == v1::WORK_SUBSIDIZED;
                     });
}

bool Better(const v1::Proposal& a, const v1::Proposal& b) {
  if (a.score() != b.score()) return a.score() > b.score();
  if (a.track() != b.track()) return a.track() < b.track();
  return a.participant() < b.participant();
}

// Best first, ties by name; at most `limit`.
void RankAndLimit(google::protobuf::RepeatedPtrField<v1::Proposal>* proposals,
                  int limit) {
  std::sort(proposals->begin(), proposals->end(), Better);
  if (proposals->size() > limit) {
    proposals->DeleteSubrange(limit, proposals->size() - limit);
  }
}

}  // namespace

Matching::Matching(Deps deps, MatchingWeights weights)
    : deps_(deps), weights_(weights) {}

absl::StatusOr<absl::CivilDay> Matching::Day(const v1::Date& as_of) const {
  if (!HasDate(as_of)) return TodayInSweden(*deps_.clock);
  std::optional<absl::CivilDay> day = ToCivilDay(as_of);
  if (!day) return InvalidField("as_of", "is not a valid date (1900–2199)");
  return *day;
}

absl::StatusOr<std::unique_ptr<Matching::Candidate>> Matching::BestIntake(
    storage::Reader& reader, const v1::Track& track, absl::CivilDay day,
    const v1::Intake* only) const {
  std::vector<v1::Intake> intakes;
  if (only != nullptr) {
    intakes.push_back(*only);
  } else {
    absl::Status inner;
    absl::Status s = reader.Scan(
        storage::Column::kRecords,
        storage::RecordPrefix(absl::StrCat(track.name(), "/intakes")), "",
        [&](absl::string_view, absl::string_view value) {
          v1::Intake intake;
          if (!intake.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            inner = absl::DataLossError("unreadable intake");
            return false;
          }
          intakes.push_back(std::move(intake));
          return true;
        });
    if (!s.ok()) return s;
    if (!inner.ok()) return inner;
  }
  const absl::CivilDay last = day + weights_.start_window_days;
  std::unique_ptr<Candidate> best;
  for (const v1::Intake& intake : intakes) {
    const absl::CivilDay start_date = *ToCivilDay(intake.start_date());
    absl::CivilDay start = start_date;
    if (intake.start_type() == v1::Intake::COMMON) {
      if (only == nullptr && (start_date < day || start_date > last)) continue;
    } else {
      start = std::max(start_date, day);
      if (only == nullptr && start_date > last) continue;
      if (HasDate(intake.end_date()) &&
          *ToCivilDay(intake.end_date()) < start) {
        continue;
      }
    }
    absl::StatusOr<int> taken = SeatsTaken(reader, intake, start);
    if (!taken.ok()) return taken.status();
    const int free = intake.seats() - *taken;
    if (free <= 0) continue;
    if (best != nullptr &&
        (best->option.start < start || (best->option.start == start &&
                                        best->intake.name() < intake.name()))) {
      continue;
    }
    auto candidate = std::make_unique<Candidate>();
    candidate->intake = intake;
    candidate->option.start = start;
    candidate->option.free_seats = free;
    best = std::move(candidate);
  }
  if (best == nullptr) return best;
  best->track = track;
  const v1::ModuleChain* chain = &track.chain();
  for (const auto& past : track.past_chains()) {
    if (past.version() == best->intake.chain_version()) chain = &past;
  }
  best->chain = *chain;
  const RecordTable<v1::Employer> employers(nullptr);
  for (const std::string& name : track.employers()) {
    absl::StatusOr<v1::Employer> employer = employers.Get(reader, name);
    if (employer.ok()) {
      best->option.workplace_municipalities.push_back(
          employer->municipality_code());
    }
  }
  if (best->option.workplace_municipalities.empty() &&
      !track.municipality_codes().empty()) {
    best->option.workplace_municipalities.push_back(
        track.municipality_codes(0));
  }
  // The track's record: completions, and those with work afterwards.
  const RecordTable<v1::Participation> table(nullptr);
  absl::StatusOr<std::vector<v1::Participation>> participations =
      table.WithTerm(reader, "participations", Term("track", track.name()));
  if (!participations.ok()) return participations.status();
  for (const v1::Participation& p : *participations) {
    if (p.state() != v1::Participation::COMPLETED) continue;
    ++best->option.completed;
    if (Working(p)) ++best->option.working;
  }
  best->option.track = &best->track;
  best->option.intake = &best->intake;
  best->option.chain = &best->chain;
  return best;
}

absl::StatusOr<ParticipantFacts> Matching::Facts(
    storage::Reader& reader, const v1::Participant& participant,
    std::string* active) const {
  ParticipantFacts facts;
  facts.participant = &participant;
  const RecordTable<v1::Participation> participations(nullptr);
  const RecordTable<v1::Track> tracks(nullptr);
  absl::StatusOr<std::vector<v1::Participation>> mine = participations.WithTerm(
      reader, "participations", Term("participant", participant.name()));
  if (!mine.ok()) return mine.status();
  for (const v1::Participation& p : *mine) {
    if (p.state() == v1::Participation::ENROLLED) *active = p.name();
    if (p.state() == v1::Participation::COMPLETED && !Working(p)) {
      absl::StatusOr<v1::Track> track = tracks.Get(reader, p.track());
      if (track.ok() && !track->sni_code().empty()) {
        facts.sections_completed_not_hired.insert(
            ReferenceData::Get().SniSection(track->sni_code()));
      }
    }
  }
  return facts;
}

absl::StatusOr<v1::ProposeTracksResponse> Matching::ProposeTracks(
    const v1::ProposeTracksRequest& request) {
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

  const RecordTable<v1::Track> tracks(nullptr);
  absl::StatusOr<std::vector<v1::Track>> candidates =
      tracks.WithTerm(*reader, "tracks",
                      Term("municipality", participant->municipality_code()));
  if (!candidates.ok()) return candidates.status();
  v1::ProposeTracksResponse response;
  for (const v1::Track& track : *candidates) {
    std::optional<v1::Track::Revision> then = RevisionAsOf(track, *day);
    if (!then) continue;  // Did not exist yet.
    std::vector<v1::NearMiss> failed =
        FailedFilters(*participant, track, then->status());
    if (failed.size() > 1) continue;
    absl::StatusOr<std::unique_ptr<Candidate>> candidate =
        BestIntake(*reader, track, *day, nullptr);
    if (!candidate.ok()) return candidate.status();
    if (*candidate == nullptr) {
      v1::NearMiss miss;
      miss.set_track(track.name());
      miss.set_filter("seat");
      miss.set_reason(absl::StrCat("no intake with a free seat starts within ",
                                   weights_.start_window_days, " days"));
      failed.push_back(std::move(miss));
    }
    if (failed.empty()) {
      *response.add_proposals() =
          Score(weights_, *facts, (*candidate)->option, *day);
    } else if (failed.size() == 1 && request.include_near_misses()) {
      *response.add_near_misses() = std::move(failed[0]);
    }
  }
  RankAndLimit(response.mutable_proposals(), *limit);
  return response;
}

absl::StatusOr<v1::ProposeCandidatesResponse> Matching::ProposeCandidates(
    const v1::ProposeCandidatesRequest& request) {
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
  absl::StatusOr<v1::Intake> intake = intakes.Get(*reader, request.intake());
  if (!intake.ok()) return intake.status();
  const RecordTable<v1::Track> tracks(nullptr);
  absl::StatusOr<v1::Track> track = tracks.Get(
      *reader, request.intake().substr(0, request.intake().find("/intakes/")));
  if (!track.ok()) return track.status();
  std::optional<v1::Track::Revision> then = RevisionAsOf(*track, *day);
  if (!then || then->status() != v1::Track::OPEN) {
    return Precondition(
        "TRACK_NOT_OPEN",
        absl::StrCat(track->name(), " is not OPEN on ", FormatDate(*day)));
  }
  absl::StatusOr<std::unique_ptr<Candidate>> candidate =
      BestIntake(*reader, *track, *day, &*intake);
  if (!candidate.ok()) return candidate.status();
  if (*candidate == nullptr) {
    return Precondition("NO_SEAT",
                        absl::StrCat(request.intake(), " has no free seat"));
  }
  v1::ProposeCandidatesResponse response;
  const RecordTable<v1::Participant> participants(nullptr);
  for (const std::string& municipality : track->municipality_codes()) {
    absl::StatusOr<std::vector<v1::Participant>> residents =
        participants.WithTerm(*reader, "participants",
                              Term("municipality", municipality));
    if (!residents.ok()) return residents.status();
    for (const v1::Participant& participant : *residents) {
      if (participant.erased()) continue;
      if (!FailedFilters(participant, *track, v1::Track::OPEN).empty())
        continue;
      std::string active;
      absl::StatusOr<ParticipantFacts> facts =
          Facts(*reader, participant, &active);
      if (!facts.ok()) return facts.status();
      if (!active.empty()) continue;
      *response.add_proposals() =
          Score(weights_, *facts, (*candidate)->option, *day);
    }
  }
  RankAndLimit(response.mutable_proposals(), *limit);
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
