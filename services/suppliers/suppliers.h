// Suppliers: domain rules for `suppliers/{supplier}` (DESIGN 9.2).
#ifndef JOBTRACK_SERVICES_SUPPLIERS_SUPPLIERS_H_
#define JOBTRACK_SERVICES_SUPPLIERS_SUPPLIERS_H_

#include "jobtrack/v1/supplier.pb.h"
#include "services/common/crud.h"

namespace jobtrack {

class Suppliers : public Crud<v1::Supplier> {
 public:
  explicit Suppliers(Deps deps);

 protected:
  void Validate(const v1::Supplier& supplier, bool creating,
                FieldViolations& violations) const override;
  absl::Status Prepare(storage::Transaction& txn, v1::Supplier& supplier,
                       const v1::Supplier* old) const override;
  v1::Supplier Present(v1::Supplier supplier) const override;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SUPPLIERS_SUPPLIERS_H_
