// gRPC handler of jobtrack.v1.AdminService: backups while serving.
#ifndef JOBTRACK_SERVICES_ADMIN_ADMIN_SERVICE_H_
#define JOBTRACK_SERVICES_ADMIN_ADMIN_SERVICE_H_

#include <memory>

#include "jobtrack/v1/admin.grpc.pb.h"
#include "services/common/deps.h"
#include "storage/backup.h"

namespace jobtrack {

class AdminService final : public v1::AdminService::CallbackService {
 public:
  // Backups go to `backups` (none if null: the calls answer
  // FAILED_PRECONDITION).
  AdminService(Deps deps, std::unique_ptr<storage::Backups> backups)
      : gatekeeper_(deps.gatekeeper),
        storage_(deps.storage),
        backups_(std::move(backups)) {}

  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const v1::CreateBackupRequest* request,
                                         v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(
      grpc::CallbackServerContext* context,
      const v1::ListBackupsRequest* request,
      v1::ListBackupsResponse* response) override;
  grpc::ServerUnaryReactor* VerifyBackup(grpc::CallbackServerContext* context,
                                         const v1::VerifyBackupRequest* request,
                                         v1::Backup* response) override;

 private:
  absl::Status CheckConfigured() const;

  const Gatekeeper* const gatekeeper_;
  storage::Storage* const storage_;
  const std::unique_ptr<storage::Backups> backups_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_ADMIN_ADMIN_SERVICE_H_
