#include "services/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/admin/admin_service.h"
#include "services/agreements/agreement_service.h"
#include "services/audit/audit_service.h"
#include "services/changes/change_service.h"
#include "services/common/log.h"
#include "services/employers/employer_service.h"
#include "services/followup/followup_service.h"
#include "services/matching/matching_service.h"
#include "services/modules/module_service.h"
#include "services/participants/participant_service.h"
#include "services/participations/participation_service.h"
#include "services/participations/participations.h"
#include "services/suppliers/supplier_service.h"
#include "services/tracks/track_service.h"

namespace jobtrack {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, Deps deps,
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  // The matching index is read before serving (proposals and GetTrack need
  // it whole); the report projection loads and catches up on its own
  // thread meanwhile and after, and reports wait for it.
  const absl::Time began = absl::Now();
  absl::StatusOr<std::unique_ptr<ReportProjection>> projection =
      ReportProjection::Open(deps.storage);
  if (!projection.ok()) return projection.status();
  server->report_projection_ = *std::move(projection);
  absl::StatusOr<std::unique_ptr<MatchingIndex>> index =
      MatchingIndex::Open(deps.storage);
  if (!index.ok()) return index.status();
  server->matching_index_ = *std::move(index);
  LogInfo(
      "matching index loaded in ", absl::FormatDuration(absl::Now() - began),
      server->matching_index_->from_checkpoint() ? " from its checkpoint"
                                                 : " from every participation");
  server->services_.push_back(std::make_unique<EmployerService>(deps));
  server->services_.push_back(std::make_unique<SupplierService>(deps));
  server->services_.push_back(std::make_unique<AgreementService>(deps));
  server->services_.push_back(std::make_unique<ModuleService>(deps));
  // Tracks are read from the matching index, which holds each one as
  // stored and is kept current on commit.
  server->services_.push_back(std::make_unique<TrackService>(
      deps, [index = server->matching_index_.get()](absl::string_view name) {
        return index->HeldTrack(name);
      }));
  server->services_.push_back(std::make_unique<ParticipantService>(deps));
  server->services_.push_back(std::make_unique<ParticipationService>(deps));
  server->services_.push_back(std::make_unique<ChangeService>(deps));
  server->services_.push_back(std::make_unique<MatchingService>(
      deps, options.matching, server->matching_index_.get()));
  server->services_.push_back(std::make_unique<FollowUpService>(
      deps, options.follow_up, server->report_projection_.get()));
  server->services_.push_back(std::make_unique<AuditService>(deps));
  server->services_.push_back(std::make_unique<AdminService>(
      deps, options.backup_dir.empty()
                ? nullptr
                : std::make_unique<storage::Backups>(options.backup_dir)));

  server->storage_ = deps.storage;
  grpc::ServerBuilder builder;
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(RpcMetrics::InterceptorFactory(&server->rpc_metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.AddListeningPort(options.listen_address, std::move(credentials),
                           &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_streams_per_connection);
  grpc::ResourceQuota quota("jobtrack");
  quota.Resize(static_cast<size_t>(options.grpc_memory_bytes));
  builder.SetResourceQuota(quota);
  for (auto& service : server->services_)
    builder.RegisterService(service.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  if (!options.health_listen.empty()) {
    // No services registered: the builder adds only the default health
    // service.
    grpc::ServerBuilder health;
    health.AddListeningPort(options.health_listen,
                            grpc::InsecureServerCredentials(),
                            &server->health_port_);
    server->health_server_ = health.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.health_listen));
    }
    server->health_server_->GetHealthCheckService()->SetServingStatus(true);
  }
  if (!options.metrics_listen.empty()) {
    server->process_metrics_ = options.process_metrics;
    Server* self = server.get();
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> http =
        MetricsHttpServer::Start(options.metrics_listen,
                                 [self] { return self->RenderMetrics(); });
    if (!http.ok()) return http.status();
    server->metrics_http_ = *std::move(http);
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  return server;
}

void Server::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->SetServingStatus(serving);
  }
}

std::string Server::RenderMetrics() {
  constexpr absl::Duration kCountTtl = absl::Seconds(30);
  std::string out;
  rpc_metrics_.Render(out);
  absl::StrAppend(&out,
                  "# HELP jobtrack_change_stream_subscribers Open "
                  "WatchChanges streams.\n"
                  "# TYPE jobtrack_change_stream_subscribers gauge\n"
                  "jobtrack_change_stream_subscribers ",
                  rpc_metrics_.InFlight("WatchChanges"), "\n");
  if (absl::Now() - counted_ >= kCountTtl) {
    std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
    absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> counts =
        CountParticipationsByState(*reader);
    if (counts.ok()) {
      participation_counts_ = *std::move(counts);
      counted_ = absl::Now();
    }
  }
  absl::StrAppend(&out,
                  "# HELP jobtrack_participations Participations by their "
                  "current state (counted at most every 30 s).\n"
                  "# TYPE jobtrack_participations gauge\n");
  for (const auto& [state, n] : participation_counts_) {
    absl::StrAppend(&out, "jobtrack_participations{state=\"", state, "\"} ", n,
                    "\n");
  }
  std::string family;
  for (const storage::Storage::Figure& f : storage_->Figures()) {
    if (f.name != family) {
      family = f.name;
      absl::StrAppend(&out, "# TYPE ", f.name,
                      f.counter ? " counter\n" : " gauge\n");
    }
    absl::StrAppend(&out, f.name, f.labels.empty() ? "" : "{", f.labels,
                    f.labels.empty() ? "" : "}", " ", f.value, "\n");
  }
  // /proc/self/statm: sizes in pages, the second resident.
  uint64_t pages = 0, resident = 0;
  if (std::ifstream("/proc/self/statm") >> pages >> resident) {
    absl::StrAppend(&out,
                    "# HELP process_resident_memory_bytes Resident memory.\n"
                    "# TYPE process_resident_memory_bytes gauge\n"
                    "process_resident_memory_bytes ",
                    resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)),
                    "\n");
  }
  if (process_metrics_) process_metrics_(out);
  return out;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  metrics_http_.reset();
  server_->GetHealthCheckService()->SetServingStatus(false);
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->SetServingStatus(false);
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  // The next start loads this instead of replaying the whole log.
  if (absl::Status s = report_projection_->SaveCheckpoint(); !s.ok()) {
    LogWarning("report projection: checkpoint not saved: ", s.ToString());
  }
  // Last of all writes: it is usable only while nothing is written after
  // it.
  if (absl::Status s = matching_index_->SaveCheckpoint(); !s.ok()) {
    LogWarning("matching index: checkpoint not saved: ", s.ToString());
  }
  // Into SST files: else the next start replays the checkpoint (hundreds
  // of MB at national scale) from the WAL before it can load it.
  if (absl::Status s = storage_->Flush(); !s.ok()) {
    LogWarning("flush at shutdown failed: ", s.ToString());
  }
}

absl::Status Server::SaveCheckpointsWhileServing() {
  if (absl::Status s = matching_index_->SaveCheckpointWhileServing(); !s.ok()) {
    return s;
  }
  return storage_->Flush();
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace jobtrack
