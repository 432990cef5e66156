// gRPC handler of jobtrack.v1.EmployerService.
#ifndef JOBTRACK_SERVICES_EMPLOYERS_EMPLOYER_SERVICE_H_
#define JOBTRACK_SERVICES_EMPLOYERS_EMPLOYER_SERVICE_H_

#include "jobtrack/v1/employer.grpc.pb.h"
#include "services/employers/employers.h"

namespace jobtrack {

class EmployerService final : public v1::EmployerService::CallbackService {
 public:
  explicit EmployerService(Deps deps)
      : gatekeeper_(deps.gatekeeper), employers_(deps) {}

  grpc::ServerUnaryReactor* CreateEmployer(
      grpc::CallbackServerContext* context,
      const v1::CreateEmployerRequest* request,
      v1::Employer* response) override;
  grpc::ServerUnaryReactor* GetEmployer(grpc::CallbackServerContext* context,
                                        const v1::GetEmployerRequest* request,
                                        v1::Employer* response) override;
  grpc::ServerUnaryReactor* ListEmployers(
      grpc::CallbackServerContext* context,
      const v1::ListEmployersRequest* request,
      v1::ListEmployersResponse* response) override;
  grpc::ServerUnaryReactor* UpdateEmployer(
      grpc::CallbackServerContext* context,
      const v1::UpdateEmployerRequest* request,
      v1::Employer* response) override;
  grpc::ServerUnaryReactor* DeleteEmployer(
      grpc::CallbackServerContext* context,
      const v1::DeleteEmployerRequest* request,
      google::protobuf::Empty* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Employers employers_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_EMPLOYERS_EMPLOYER_SERVICE_H_
