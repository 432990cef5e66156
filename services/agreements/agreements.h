// Agreements: domain rules for `agreements/{agreement}` (DESIGN 9.2).
#ifndef JOBTRACK_SERVICES_AGREEMENTS_AGREEMENTS_H_
#define JOBTRACK_SERVICES_AGREEMENTS_AGREEMENTS_H_

#include "jobtrack/v1/agreement.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

class Agreements : public Crud<v1::Agreement> {
 public:
  explicit Agreements(Deps deps);

 protected:
  void Validate(const v1::Agreement& agreement, bool creating,
                FieldViolations& violations) const override;
  // FAILED_PRECONDITION while a track names the agreement.
  absl::Status CheckDeletable(storage::Transaction& txn,
                              const v1::Agreement& agreement) const override;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_AGREEMENTS_AGREEMENTS_H_
