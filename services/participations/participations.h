// Participations: the life-cycle commands (DESIGN 3). Each command reads
// the participation's events, adds one, checks that the whole history
// still replays (lifecycle.h), and commits the event, the new projection
// and its index entries together.
//
// Seats: every enrolment into an intake locks the intake record, so
// enrolments into one intake are serialized and never overbook it, also
// with backdated enrolments (checked on every day from the start on).
// Every enrolment of a participant locks the participant record, so a
// participant never has two ENROLLED participations at the same time.
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATIONS_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATIONS_H_

#include <vector>

#include "jobtrack/v1/participation_service.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/crud.h"
#include "services/participations/lifecycle.h"

namespace jobtrack {

// How many participations are in each state now (every state, zeros
// included), counted from the state index: one key per participation, so
// the cost grows with their number (about 0.1 s per million).
absl::StatusOr<std::vector<std::pair<std::string, int64_t>>>
CountParticipationsByState(storage::Reader& reader);

class Participations {
 public:
  explicit Participations(Deps deps);

  absl::StatusOr<v1::Participation> Propose(
      const CallContext& context,
      const v1::ProposeParticipationRequest& request);
  absl::StatusOr<v1::Participation> Select(
      const CallContext& context,
      const v1::SelectParticipationRequest& request);
  absl::StatusOr<v1::Participation> Decline(
      const CallContext& context,
      const v1::DeclineParticipationRequest& request);
  absl::StatusOr<v1::Participation> Enroll(
      const CallContext& context,
      const v1::EnrollParticipationRequest& request);
  absl::StatusOr<v1::Participation> ReportStepProgress(
      const CallContext& context, const v1::ReportStepProgressRequest& request);
  absl::StatusOr<v1::Participation> Complete(
      const CallContext& context,
      const v1::CompleteParticipationRequest& request);
  absl::StatusOr<v1::Participation> Interrupt(
      const CallContext& context,
      const v1::InterruptParticipationRequest& request);
  absl::StatusOr<v1::Participation> RecordOutcome(
      const CallContext& context, const v1::RecordOutcomeRequest& request);
  absl::StatusOr<v1::Participation> Correct(
      const CallContext& context,
      const v1::CorrectParticipationEventRequest& request);

  // Proposes inside the caller's transaction (RecordProposals writes several
  // at once): a PROPOSED participation of `participant` (read with a lock)
  // for `track`, with the matching explanation if `proposal` is set.
  absl::StatusOr<v1::Participation> ProposeIn(storage::Transaction& txn,
                                              const CallContext& context,
                                              absl::string_view participant,
                                              absl::string_view track,
                                              absl::string_view intake,
                                              absl::CivilDay effective,
                                              const v1::Proposal* proposal);

  // The projection, or with `as_of` the replay of the events up to that day.
  absl::StatusOr<v1::Participation> Get(
      const v1::GetParticipationRequest& request);
  absl::StatusOr<std::pair<std::vector<v1::Participation>, std::string>> List(
      absl::string_view parent, int page_size, absl::string_view page_token,
      absl::string_view filter);
  // Every event of the participation in commit order.
  absl::StatusOr<std::vector<v1::Event>> Events(absl::string_view name);

  // The stored projections with their index terms (the consistency check).
  const RecordTable<v1::Participation>& table() const { return table_; }

 private:
  // Whether a life-cycle command needs the participation's stored events
  // before it makes its event. Without them, a write reads them only if its
  // event is backdated (see AppliesLast).
  enum class History { kIfBackdated, kRead };
  // Runs one life-cycle command on an existing participation: `make` adds
  // the change to `event` (and may check more under the transaction); the
  // event is dated `effective`. `history` is the stored events (commit
  // order) with History::kRead, else null.
  using MakeEvent = std::function<absl::Status(
      storage::Transaction&, const v1::Participation& current,
      const std::vector<v1::Event>* history, v1::Event& event)>;
  absl::StatusOr<v1::Participation> Transition(
      const CallContext& context, const google::protobuf::Message& request,
      absl::string_view name, absl::string_view request_id,
      const v1::Date& effective_date, const MakeEvent& make,
      History history = History::kIfBackdated);

  // Validates and writes the event and the projection: applies the event
  // to `old` if it applies last (AppliesLast), else replays every event
  // with it (`history` if not null, else read under `txn`). The event
  // keeps its effective date if it has one, else gets `effective`. `old`
  // is null for a new participation (which has no events yet).
  absl::StatusOr<v1::Participation> Commit(
      storage::Transaction& txn, const CallContext& context,
      absl::string_view name, const std::vector<v1::Event>* history,
      v1::Event event, absl::CivilDay effective, const v1::Participation* old);

  // The effective date: `date` if set (not in the future), else today.
  absl::StatusOr<absl::CivilDay> EffectiveDay(const v1::Date& date,
                                              const std::string& field) const;

  // FAILED_PRECONDITION unless `intake` has a seat from `start` on for one
  // more participant; FAILED_PRECONDITION unless `participant` has no other
  // ENROLLED participation overlapping [start, ∞).
  absl::Status CheckSeat(storage::Transaction& txn, const v1::Intake& intake,
                         absl::string_view participation,
                         absl::CivilDay start) const;
  absl::Status CheckOneActive(storage::Transaction& txn,
                              absl::string_view participant,
                              absl::string_view participation,
                              absl::CivilDay start) const;

  const Deps deps_;
  const RecordTable<v1::Participation> table_;
  const std::vector<FilterField> filters_;
};

// Part of erasing `participant` (DESIGN 9.4): clears the free text
// (decline and interruption reasons, step certificates) from the events and
// projections of every participation of the participant, in `txn`.
absl::Status ErasePersonalText(storage::Transaction& txn,
                               absl::string_view participant);

// The migration to schema version 2: gives every stored participation its
// latest_event_date (from the replay of its events) and a new etag, in
// transactions of a thousand. A participation whose events do not replay
// is left as it was, for the consistency check to report; its writes then
// replay its events, as every write did before.
absl::Status StampLatestEventDates(storage::Storage& storage);

// The personal plan for `chain` after `adjustments`, with its difference
// from the chain. INVALID_ARGUMENT naming `plan_adjustments[i]`.
absl::StatusOr<v1::PersonalPlan> MakePlan(
    const v1::ModuleChain& chain,
    const google::protobuf::RepeatedPtrField<v1::PlanAdjustment>& adjustments);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATIONS_H_
