// gRPC handler of jobtrack.v1.FollowUpService.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_
#define JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_

#include "jobtrack/v1/followup.grpc.pb.h"
#include "services/followup/followup.h"

namespace jobtrack {

class FollowUpService final : public v1::FollowUpService::CallbackService {
 public:
  // `projection` must outlive the service.
  FollowUpService(Deps deps, FollowUpConfig config,
                  ReportProjection* projection)
      : gatekeeper_(deps.gatekeeper),
        storage_(deps.storage),
        follow_up_(deps, std::move(config), projection) {}

  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::Report* response) override;
  grpc::ServerUnaryReactor* ListPeriods(
      grpc::CallbackServerContext* context,
      const v1::ListPeriodsRequest* request,
      v1::ListPeriodsResponse* response) override;
  grpc::ServerUnaryReactor* ClosePeriod(grpc::CallbackServerContext* context,
                                        const v1::ClosePeriodRequest* request,
                                        v1::FollowUpPeriod* response) override;
  grpc::ServerWriteReactor<v1::ParticipationRow>* ExportParticipations(
      grpc::CallbackServerContext* context,
      const v1::ExportParticipationsRequest* request) override;

 private:
  // The scope of a report or export as the caller may have it
  // (NarrowReportScope).
  absl::Status Narrow(const CallContext& call, v1::ReportScope* scope) const;

  const Gatekeeper* const gatekeeper_;
  storage::Storage* const storage_;
  // Shared with export streams, which may outlive a call into this object
  // but not the server.
  FollowUp follow_up_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_FOLLOWUP_SERVICE_H_
