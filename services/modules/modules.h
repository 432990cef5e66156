// Catalogue modules: domain rules for `modules/{module}`.
#ifndef JOBTRACK_SERVICES_MODULES_MODULES_H_
#define JOBTRACK_SERVICES_MODULES_MODULES_H_

#include "jobtrack/v1/module.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

inline constexpr int kMaxModuleWeeks = 104;
inline constexpr int kMaxHoursPerWeek = 60;

// Shared with local modules in a chain: form, weeks and hours.
void CheckModuleShape(int education_form, int length_weeks, int hours_per_week,
                      const std::string& prefix, FieldViolations& violations);

class Modules : public Crud<v1::Module> {
 public:
  explicit Modules(Deps deps);

 protected:
  void Validate(const v1::Module& module, bool creating,
                FieldViolations& violations) const override;
  // FAILED_PRECONDITION while any version of a track's chain uses it.
  absl::Status CheckDeletable(storage::Transaction& txn,
                              const v1::Module& module) const override;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MODULES_MODULES_H_
