// The participation life cycle as a pure function of its events
// (DESIGN 3, 9.1): the state of a participation on any day is the result of
// applying its events in (effective date, sequence) order, after
// corrections have replaced the events they amend.
//
// The same function validates writes: a new event is accepted only if the
// whole history, with the event in its place, still replays without error.
// A backdated event is therefore checked against its date and every later
// one. An event dated on or after every earlier one is applied last, so a
// write checks it against the stored participation alone (ApplyLast)
// instead of replaying what came before.
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_LIFECYCLE_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_LIFECYCLE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jobtrack/v1/event.pb.h"
#include "jobtrack/v1/participation.pb.h"

namespace jobtrack {

struct ReplayOptions {
  // Apply only events effective on or before this day (all if unset).
  std::optional<absl::CivilDay> as_of;
  // Ignore events recorded after this sequence ("as known at").
  uint64_t known_at = std::numeric_limits<uint64_t>::max();
};

// Replays `events` (any order) of the participation `name`.
// FAILED_PRECONDITION (reason INVALID_TRANSITION) naming the state, the
// event and its date if an event does not fit the state it meets.
absl::StatusOr<v1::Participation> Replay(absl::string_view name,
                                         std::vector<v1::Event> events,
                                         const ReplayOptions& options = {});

// Whether `event`, a new event with a sequence above every stored one, is
// dated on or after every event that `current` (a participation as Replay
// makes it) was replayed from, so that it would be applied last. False for
// a correction, and for a record that does not carry its
// latest_event_date (stored before schema version 2).
bool AppliesLast(const v1::Participation& current, const v1::Event& event);

// `current` with `event` applied, where AppliesLast(current, event): the
// same as Replay of every event of the participation with `event` among
// them, without reading them. The same errors as Replay.
absl::StatusOr<v1::Participation> ApplyLast(v1::Participation current,
                                            const v1::Event& event);

// The name of the change an event carries ("enrolled", "completed", …).
absl::string_view ChangeName(const v1::Event& event);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_LIFECYCLE_H_
