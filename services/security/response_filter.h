// Minimal fields (ruling 9.6): what a supplier reads of the participants
// assigned to it, and what an employer reads of the participations on its
// tracks. Applied to every response and streamed message of the call, after
// the call was authorized and before anything is returned.
#ifndef JOBTRACK_SERVICES_SECURITY_RESPONSE_FILTER_H_
#define JOBTRACK_SERVICES_SECURITY_RESPONSE_FILTER_H_

#include "google/protobuf/message.h"
#include "services/common/principal.h"

namespace jobtrack {

// Clears, in `message` and every message nested in it, the fields `role`
// may not read:
// - SUPPLIER: of a Participant, all but name, external_reference,
//   municipality_code, supplier, available_from and erased; of a
//   ParticipantSnapshot (change stream), all but municipality_code and
//   supplier.
// - EMPLOYER: of a Participation, all but name, participant, track, intake,
//   state and its dates (no plan, reasons, outcomes, proposal or home
//   municipality).
// Etags are cleared with the rest: they are digests of the whole record.
// Other roles and messages are left as they are.
void MinimizeForRole(security::Role role, google::protobuf::Message* message);

// Whether MinimizeForRole changes anything for `role` (so that callers can
// skip copying what they would pass through it).
bool HasMinimalFields(security::Role role);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_RESPONSE_FILTER_H_
