// The dated history of a track (DESIGN 9.1): the attributes that follow-up
// figures depend on, as they were on any day.
#ifndef JOBTRACK_SERVICES_TRACKS_TRACK_HISTORY_H_
#define JOBTRACK_SERVICES_TRACKS_TRACK_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jobtrack/v1/track.pb.h"

namespace jobtrack {

// The names of the dated attributes of `track` that differ from `before`
// ("status", "kind", "sni_code", "municipality_codes", "employers",
// "chain"); all of them if `before` is null.
std::vector<std::string> ChangedDatedFields(const v1::Track* before,
                                            const v1::Track& track);

// Appends a revision holding the dated attributes of `track` as they are now.
void AppendRevision(v1::Track& track, absl::CivilDay effective,
                    absl::Time recorded, std::vector<std::string> changed);

// The revision in force on `day`: the last one effective on or before it
// (revisions are kept in effective-date order, ties in commit order), or
// nullopt if the track did not exist yet on that day.
std::optional<v1::Track::Revision> RevisionAsOf(const v1::Track& track,
                                                absl::CivilDay day);
// The same without a copy: points into `track`, or null.
const v1::Track::Revision* RevisionInForce(const v1::Track& track,
                                           absl::CivilDay day);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_TRACKS_TRACK_HISTORY_H_
