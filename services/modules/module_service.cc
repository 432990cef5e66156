#include "services/modules/module_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* ModuleService::CreateModule(
    grpc::CallbackServerContext* context,
    const v1::CreateModuleRequest* request, v1::Module* response) {
  return Serve(context, response, [&] {
    return modules_.Create(ContextOf(context, "CreateModule"), *request, "",
                           request->module(), request->request_id());
  });
}

grpc::ServerUnaryReactor* ModuleService::GetModule(
    grpc::CallbackServerContext* context, const v1::GetModuleRequest* request,
    v1::Module* response) {
  return Serve(context, response,
               [&] { return modules_.Get(request->name()); });
}

grpc::ServerUnaryReactor* ModuleService::ListModules(
    grpc::CallbackServerContext* context, const v1::ListModulesRequest* request,
    v1::ListModulesResponse* response) {
  return ServeList(context, request, response, modules_,
                   [](auto& r) { return r.add_modules(); });
}

grpc::ServerUnaryReactor* ModuleService::UpdateModule(
    grpc::CallbackServerContext* context,
    const v1::UpdateModuleRequest* request, v1::Module* response) {
  return Serve(context, response, [&] {
    return modules_.Update(ContextOf(context, "UpdateModule"), *request,
                           request->module(), request->update_mask(),
                           request->request_id());
  });
}

grpc::ServerUnaryReactor* ModuleService::DeleteModule(
    grpc::CallbackServerContext* context,
    const v1::DeleteModuleRequest* request, google::protobuf::Empty* response) {
  return Serve(context, response, [&] {
    return modules_.Delete(ContextOf(context, "DeleteModule"), *request,
                           request->name(), request->etag(),
                           request->request_id());
  });
}

}  // namespace jobtrack
