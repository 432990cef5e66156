#include "services/modules/module_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* ModuleService::CreateModule(
    grpc::CallbackServerContext* context,
    const v1::CreateModuleRequest* request, v1::Module* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return modules_.Create(call, *request, "", request->module(),
                                        request->request_id());
               });
}

grpc::ServerUnaryReactor* ModuleService::GetModule(
    grpc::CallbackServerContext* context, const v1::GetModuleRequest* request,
    v1::Module* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return modules_.Get(request->name()); });
}

grpc::ServerUnaryReactor* ModuleService::ListModules(
    grpc::CallbackServerContext* context, const v1::ListModulesRequest* request,
    v1::ListModulesResponse* response) {
  return ServeList(*gatekeeper_, context, request, response, modules_,
                   [](auto& r) { return r.add_modules(); });
}

grpc::ServerUnaryReactor* ModuleService::UpdateModule(
    grpc::CallbackServerContext* context,
    const v1::UpdateModuleRequest* request, v1::Module* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return modules_.Update(call, *request, request->module(),
                                        request->update_mask(),
                                        request->request_id());
               });
}

grpc::ServerUnaryReactor* ModuleService::DeleteModule(
    grpc::CallbackServerContext* context,
    const v1::DeleteModuleRequest* request, google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return modules_.Delete(call, *request, request->name(),
                                        request->etag(), request->request_id());
               });
}

}  // namespace jobtrack
