#include "services/suppliers/supplier_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* SupplierService::CreateSupplier(
    grpc::CallbackServerContext* context,
    const v1::CreateSupplierRequest* request, v1::Supplier* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return suppliers_.Create(call, *request, "",
                                          request->supplier(),
                                          request->request_id());
               });
}

grpc::ServerUnaryReactor* SupplierService::GetSupplier(
    grpc::CallbackServerContext* context, const v1::GetSupplierRequest* request,
    v1::Supplier* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return suppliers_.Get(request->name()); });
}

grpc::ServerUnaryReactor* SupplierService::ListSuppliers(
    grpc::CallbackServerContext* context,
    const v1::ListSuppliersRequest* request,
    v1::ListSuppliersResponse* response) {
  return ServeList(*gatekeeper_, context, request, response, suppliers_,
                   [](auto& r) { return r.add_suppliers(); });
}

grpc::ServerUnaryReactor* SupplierService::UpdateSupplier(
    grpc::CallbackServerContext* context,
    const v1::UpdateSupplierRequest* request, v1::Supplier* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return suppliers_.Update(call, *request, request->supplier(),
                                          request->update_mask(),
                                          request->request_id());
               });
}

grpc::ServerUnaryReactor* SupplierService::DeleteSupplier(
    grpc::CallbackServerContext* context,
    const v1::DeleteSupplierRequest* request,
    google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return suppliers_.Delete(call, *request, request->name(),
                                          request->etag(),
                                          request->request_id());
               });
}

}  // namespace jobtrack
