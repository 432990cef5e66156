// What the domain code is given from outside: storage, time, ids, the
// keyed hasher, the gatekeeper of the handlers and the audit log. Injected so
// that tests control each of them.
#ifndef JOBTRACK_SERVICES_COMMON_DEPS_H_
#define JOBTRACK_SERVICES_COMMON_DEPS_H_

#include "services/common/clock.h"
#include "services/common/ids.h"
#include "services/common/pii_hasher.h"
#include "storage/storage.h"

namespace jobtrack {

class AuditLog;
class Gatekeeper;

// Non-owning; everything must outlive the services that use it.
struct Deps {
  storage::Storage* storage = nullptr;
  const Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
  const PiiHasher* hasher = nullptr;
  // Admits calls at the API's edge (handlers only; the domain code never
  // reads it).
  const Gatekeeper* gatekeeper = nullptr;
  // The audit log the gatekeeper writes, read by AuditService (null: the
  // server keeps none, and ListAuditEvents answers FAILED_PRECONDITION).
  const AuditLog* audit = nullptr;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_DEPS_H_
