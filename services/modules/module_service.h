// gRPC handler of jobtrack.v1.ModuleService.
#ifndef JOBTRACK_SERVICES_MODULES_MODULE_SERVICE_H_
#define JOBTRACK_SERVICES_MODULES_MODULE_SERVICE_H_

#include "jobtrack/v1/module.grpc.pb.h"
#include "services/modules/modules.h"

namespace jobtrack {

class ModuleService final : public v1::ModuleService::CallbackService {
 public:
  explicit ModuleService(Deps deps)
      : gatekeeper_(deps.gatekeeper), modules_(deps) {}

  grpc::ServerUnaryReactor* CreateModule(grpc::CallbackServerContext* context,
                                         const v1::CreateModuleRequest* request,
                                         v1::Module* response) override;
  grpc::ServerUnaryReactor* GetModule(grpc::CallbackServerContext* context,
                                      const v1::GetModuleRequest* request,
                                      v1::Module* response) override;
  grpc::ServerUnaryReactor* ListModules(
      grpc::CallbackServerContext* context,
      const v1::ListModulesRequest* request,
      v1::ListModulesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateModule(grpc::CallbackServerContext* context,
                                         const v1::UpdateModuleRequest* request,
                                         v1::Module* response) override;
  grpc::ServerUnaryReactor* DeleteModule(
      grpc::CallbackServerContext* context,
      const v1::DeleteModuleRequest* request,
      google::protobuf::Empty* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Modules modules_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MODULES_MODULE_SERVICE_H_
