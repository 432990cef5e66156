#include "services/participations/participation_steps.h"

#include "services/common/validation.h"

namespace jobtrack {

absl::StatusOr<std::string> ProposeSelectEnroll(
    Participations& participations, const CallContext& context,
    const std::string& participant, const std::string& track,
    const std::string& intake, absl::CivilDay start, absl::CivilDay decided) {
  v1::ProposeParticipationRequest propose;
  propose.set_participant(participant);
  propose.set_track(track);
  *propose.mutable_effective_date() = ToDate(decided);
  absl::StatusOr<v1::Participation> proposed =
      participations.Propose(context, propose);
  if (!proposed.ok()) return proposed.status();
  v1::SelectParticipationRequest select;
  select.set_name(proposed->name());
  *select.mutable_effective_date() = ToDate(decided);
  if (absl::Status s = participations.Select(context, select).status();
      !s.ok()) {
    return s;
  }
  v1::EnrollParticipationRequest enroll;
  enroll.set_name(proposed->name());
  enroll.set_intake(intake);
  *enroll.mutable_start_date() = ToDate(start);
  *enroll.mutable_effective_date() = ToDate(decided);
  if (absl::Status s = participations.Enroll(context, enroll).status();
      !s.ok()) {
    return s;
  }
  return proposed->name();
}

}  // namespace jobtrack
