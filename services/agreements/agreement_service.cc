#include "services/agreements/agreement_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* AgreementService::CreateAgreement(
    grpc::CallbackServerContext* context,
    const v1::CreateAgreementRequest* request, v1::Agreement* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return agreements_.Create(call, *request, "",
                                           request->agreement(),
                                           request->request_id());
               });
}

grpc::ServerUnaryReactor* AgreementService::GetAgreement(
    grpc::CallbackServerContext* context,
    const v1::GetAgreementRequest* request, v1::Agreement* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return agreements_.Get(request->name()); });
}

grpc::ServerUnaryReactor* AgreementService::ListAgreements(
    grpc::CallbackServerContext* context,
    const v1::ListAgreementsRequest* request,
    v1::ListAgreementsResponse* response) {
  return ServeList(*gatekeeper_, context, request, response, agreements_,
                   [](auto& r) { return r.add_agreements(); });
}

grpc::ServerUnaryReactor* AgreementService::UpdateAgreement(
    grpc::CallbackServerContext* context,
    const v1::UpdateAgreementRequest* request, v1::Agreement* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return agreements_.Update(call, *request, request->agreement(),
                                           request->update_mask(),
                                           request->request_id());
               });
}

grpc::ServerUnaryReactor* AgreementService::DeleteAgreement(
    grpc::CallbackServerContext* context,
    const v1::DeleteAgreementRequest* request,
    google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return agreements_.Delete(call, *request, request->name(),
                                           request->etag(),
                                           request->request_id());
               });
}

}  // namespace jobtrack
