// Seats of an intake (DESIGN 3): who holds one, on which days, and how many
// are free from a given start on. One definition for enrolment (which must
// refuse a participant the intake cannot take) and matching (which must not
// propose one).
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "jobtrack/v1/participation.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "storage/storage.h"

namespace jobtrack {

// The days a participation holds its seat: start to end, or open-ended.
struct SeatInterval {
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;
  bool Covers(absl::CivilDay day) const {
    return start <= day && (!end || day <= *end);
  }
};

// Whether `p` has started: it is ENROLLED, COMPLETED or INTERRUPTED.
bool HasStarted(const v1::Participation& p);
// The same, from the state alone.
bool HasStarted(v1::Participation::State state);

// The seat `p` holds: a participation that has started holds one from its
// start to its end; others hold none.
std::optional<SeatInterval> SeatOf(const v1::Participation& p);

// The seats held in `intake` by its participations other than `exclude`.
absl::StatusOr<std::vector<SeatInterval>> HeldSeats(storage::Reader& reader,
                                                    const v1::Intake& intake,
                                                    absl::string_view exclude);

// The busiest day for one more participant starting on `start`, and how
// many seats are taken then. A COMMON intake's seats are taken by every
// enrolment, whatever the days; a ROLLING intake's by those holding a seat
// on the day, so the busiest day from `start` on is `start` or a day
// someone else starts.
struct SeatPeak {
  absl::CivilDay day;
  int taken = 0;
};
SeatPeak PeakFrom(const v1::Intake& intake,
                  const std::vector<SeatInterval>& held, absl::CivilDay start);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_
