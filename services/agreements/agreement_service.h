// gRPC handler of jobtrack.v1.AgreementService.
#ifndef JOBTRACK_SERVICES_AGREEMENTS_AGREEMENT_SERVICE_H_
#define JOBTRACK_SERVICES_AGREEMENTS_AGREEMENT_SERVICE_H_

#include "jobtrack/v1/agreement.grpc.pb.h"
#include "services/agreements/agreements.h"

namespace jobtrack {

class AgreementService final : public v1::AgreementService::CallbackService {
 public:
  explicit AgreementService(Deps deps)
      : gatekeeper_(deps.gatekeeper), agreements_(deps) {}

  grpc::ServerUnaryReactor* CreateAgreement(
      grpc::CallbackServerContext* context,
      const v1::CreateAgreementRequest* request,
      v1::Agreement* response) override;
  grpc::ServerUnaryReactor* GetAgreement(grpc::CallbackServerContext* context,
                                         const v1::GetAgreementRequest* request,
                                         v1::Agreement* response) override;
  grpc::ServerUnaryReactor* ListAgreements(
      grpc::CallbackServerContext* context,
      const v1::ListAgreementsRequest* request,
      v1::ListAgreementsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateAgreement(
      grpc::CallbackServerContext* context,
      const v1::UpdateAgreementRequest* request,
      v1::Agreement* response) override;
  grpc::ServerUnaryReactor* DeleteAgreement(
      grpc::CallbackServerContext* context,
      const v1::DeleteAgreementRequest* request,
      google::protobuf::Empty* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Agreements agreements_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_AGREEMENTS_AGREEMENT_SERVICE_H_
