// Employers: domain rules for `employers/{employer}`.
#ifndef JOBTRACK_SERVICES_EMPLOYERS_EMPLOYERS_H_
#define JOBTRACK_SERVICES_EMPLOYERS_EMPLOYERS_H_

#include "jobtrack/v1/employer.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

class Employers : public Crud<v1::Employer> {
 public:
  explicit Employers(Deps deps);

 protected:
  void Validate(const v1::Employer& employer, bool creating,
                FieldViolations& violations) const override;
  absl::Status Prepare(storage::Transaction& txn, v1::Employer& employer,
                       const v1::Employer* old) const override;
  // FAILED_PRECONDITION while a track names the employer.
  absl::Status CheckDeletable(storage::Transaction& txn,
                              const v1::Employer& employer) const override;
  v1::Employer Present(v1::Employer employer) const override;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_EMPLOYERS_EMPLOYERS_H_
