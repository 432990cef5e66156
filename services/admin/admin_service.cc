#include "services/admin/admin_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/errors.h"
#include "services/common/handler.h"
#include "services/common/resource.h"

namespace jobtrack {
namespace {

v1::Backup ToProto(const storage::BackupInfo& info) {
  v1::Backup out;
  out.set_name(absl::StrCat("backups/", info.id));
  *out.mutable_create_time() = ToTimestamp(info.create_time);
  out.set_size_bytes(static_cast<int64_t>(info.size_bytes));
  out.set_file_count(static_cast<int32_t>(info.files));
  out.set_known_at_sequence(static_cast<int64_t>(info.known_at_sequence));
  return out;
}

}  // namespace

absl::Status AdminService::CheckConfigured() const {
  if (backups_ != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "this server has no --backup_dir; backups are off");
}

grpc::ServerUnaryReactor* AdminService::CreateBackup(
    grpc::CallbackServerContext* context,
    const v1::CreateBackupRequest* request, v1::Backup* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this]() -> absl::StatusOr<v1::Backup> {
                 if (absl::Status s = CheckConfigured(); !s.ok()) return s;
                 absl::StatusOr<storage::BackupInfo> info =
                     backups_->CreateBackup(*storage_);
                 if (!info.ok()) return info.status();
                 return ToProto(*info);
               });
}

grpc::ServerUnaryReactor* AdminService::ListBackups(
    grpc::CallbackServerContext* context, const v1::ListBackupsRequest* request,
    v1::ListBackupsResponse* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this]() -> absl::StatusOr<v1::ListBackupsResponse> {
                 if (absl::Status s = CheckConfigured(); !s.ok()) return s;
                 absl::StatusOr<std::vector<storage::BackupInfo>> infos =
                     backups_->ListBackups();
                 if (!infos.ok()) return infos.status();
                 v1::ListBackupsResponse out;
                 for (const auto& info : *infos) {
                   *out.add_backups() = ToProto(info);
                 }
                 return out;
               });
}

grpc::ServerUnaryReactor* AdminService::VerifyBackup(
    grpc::CallbackServerContext* context,
    const v1::VerifyBackupRequest* request, v1::Backup* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this]() -> absl::StatusOr<v1::Backup> {
                 absl::string_view id = request->name();
                 uint32_t number = 0;
                 if (!absl::ConsumePrefix(&id, "backups/") ||
                     !absl::SimpleAtoi(id, &number) || number == 0) {
                   return InvalidField("name", "must be `backups/{id}`");
                 }
                 if (absl::Status s = CheckConfigured(); !s.ok()) return s;
                 absl::StatusOr<storage::BackupInfo> info =
                     backups_->VerifyBackup(number);
                 if (!info.ok()) return info.status();
                 v1::Backup out = ToProto(*info);
                 out.set_verified(true);
                 return out;
               });
}

}  // namespace jobtrack
