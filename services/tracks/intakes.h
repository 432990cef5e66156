// Intakes: cohorts of a track, `tracks/{track}/intakes/{intake}`.
#ifndef JOBTRACK_SERVICES_TRACKS_INTAKES_H_
#define JOBTRACK_SERVICES_TRACKS_INTAKES_H_

#include "jobtrack/v1/track.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

inline constexpr int kMaxSeats = 1000;

class Intakes : public Crud<v1::Intake> {
 public:
  explicit Intakes(Deps deps);

 protected:
  void Validate(const v1::Intake& intake, bool creating,
                FieldViolations& violations) const override;
  // On create: the track must exist and not be CLOSED; the intake keeps the
  // track's current chain version.
  absl::Status Prepare(storage::Transaction& txn, v1::Intake& intake,
                       const v1::Intake* old) const override;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_TRACKS_INTAKES_H_
