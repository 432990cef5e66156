// gRPC handler of jobtrack.v1.SupplierService.
#ifndef JOBTRACK_SERVICES_SUPPLIERS_SUPPLIER_SERVICE_H_
#define JOBTRACK_SERVICES_SUPPLIERS_SUPPLIER_SERVICE_H_

#include "jobtrack/v1/supplier.grpc.pb.h"
#include "services/suppliers/suppliers.h"

namespace jobtrack {

class SupplierService final : public v1::SupplierService::CallbackService {
 public:
  explicit SupplierService(Deps deps)
      : gatekeeper_(deps.gatekeeper), suppliers_(deps) {}

  grpc::ServerUnaryReactor* CreateSupplier(
      grpc::CallbackServerContext* context,
      const v1::CreateSupplierRequest* request,
      v1::Supplier* response) override;
  grpc::ServerUnaryReactor* GetSupplier(grpc::CallbackServerContext* context,
                                        const v1::GetSupplierRequest* request,
                                        v1::Supplier* response) override;
  grpc::ServerUnaryReactor* ListSuppliers(
      grpc::CallbackServerContext* context,
      const v1::ListSuppliersRequest* request,
      v1::ListSuppliersResponse* response) override;
  grpc::ServerUnaryReactor* UpdateSupplier(
      grpc::CallbackServerContext* context,
      const v1::UpdateSupplierRequest* request,
      v1::Supplier* response) override;
  grpc::ServerUnaryReactor* DeleteSupplier(
      grpc::CallbackServerContext* context,
      const v1::DeleteSupplierRequest* request,
      google::protobuf::Empty* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Suppliers suppliers_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SUPPLIERS_SUPPLIER_SERVICE_H_
