// Principal: an authenticated caller (DESIGN 6, ruling 9.6).
#ifndef JOBTRACK_SERVICES_COMMON_PRINCIPAL_H_
#define JOBTRACK_SERVICES_COMMON_PRINCIPAL_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "services/security/principals.pb.h"

namespace jobtrack {

// Immutable once made; shared by the calls it makes.
struct Principal {
  std::string id;
  security::Role role = security::ROLE_UNSPECIFIED;
  // CASE_OFFICER and MUNICIPALITY_STAFF: the municipalities in scope;
  // REPORTER: those its reports are limited to (none: national).
  absl::flat_hash_set<std::string> municipalities;
  // SUPPLIER: `suppliers/{id}`; EMPLOYER: `employers/{id}`.
  std::string supplier;
  std::string employer;
  // REPORTER: may export.
  bool may_export = false;
  absl::Time expires = absl::InfiniteFuture();
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_PRINCIPAL_H_
