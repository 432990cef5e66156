#include "services/employers/employer_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* EmployerService::CreateEmployer(
    grpc::CallbackServerContext* context,
    const v1::CreateEmployerRequest* request, v1::Employer* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return employers_.Create(call, *request, "",
                                          request->employer(),
                                          request->request_id());
               });
}

grpc::ServerUnaryReactor* EmployerService::GetEmployer(
    grpc::CallbackServerContext* context, const v1::GetEmployerRequest* request,
    v1::Employer* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return employers_.Get(request->name()); });
}

grpc::ServerUnaryReactor* EmployerService::ListEmployers(
    grpc::CallbackServerContext* context,
    const v1::ListEmployersRequest* request,
    v1::ListEmployersResponse* response) {
  return ServeList(*gatekeeper_, context, request, response, employers_,
                   [](auto& r) { return r.add_employers(); });
}

grpc::ServerUnaryReactor* EmployerService::UpdateEmployer(
    grpc::CallbackServerContext* context,
    const v1::UpdateEmployerRequest* request, v1::Employer* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return employers_.Update(call, *request, request->employer(),
                                          request->update_mask(),
                                          request->request_id());
               });
}

grpc::ServerUnaryReactor* EmployerService::DeleteEmployer(
    grpc::CallbackServerContext* context,
    const v1::DeleteEmployerRequest* request,
    google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return employers_.Delete(call, *request, request->name(),
                                          request->etag(),
                                          request->request_id());
               });
}

}  // namespace jobtrack
