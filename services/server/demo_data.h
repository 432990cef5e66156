// Realistic demo data for the quick start: employers, suppliers, an
// agreement, catalogue modules and tracks with intakes in several
// municipalities. Every record is written through the same domain code as
// the API uses. All organisations are made up; their organisation numbers
// are valid (Luhn); the companies are made up.
#ifndef JOBTRACK_SERVICES_SERVER_DEMO_DATA_H_
#define JOBTRACK_SERVICES_SERVER_DEMO_DATA_H_

#include "absl/status/statusor.h"
#include "services/common/deps.h"

namespace jobtrack {

// Seeds the demo data if the database holds no tracks and no employers.
// Returns true if it seeded, false if data was already there.
absl::StatusOr<bool> SeedDemoDataIfEmpty(Deps deps);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SERVER_DEMO_DATA_H_
