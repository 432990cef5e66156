// Walking a participation through the first steps of the life cycle with
// the domain calls, as a caller of the API would: for demo data, loaders
// and tests.
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_STEPS_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_STEPS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/participations/participations.h"

namespace jobtrack {

// Proposes `participant` for `track` and selects them, both effective
// `decided`; then enrols them in `intake` from `start`, effective
// `decided`. The participation's name; the first refusal otherwise (a
// full intake gives FAILED_PRECONDITION after proposal and selection).
absl::StatusOr<std::string> ProposeSelectEnroll(
    Participations& participations, const CallContext& context,
    const std::string& participant, const std::string& track,
    const std::string& intake, absl::CivilDay start, absl::CivilDay decided);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_PARTICIPATION_STEPS_H_
