#include "services/participants/participant_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* ParticipantService::CreateParticipant(
    grpc::CallbackServerContext* context,
    const v1::CreateParticipantRequest* request, v1::Participant* response) {
  return Serve(
      *gatekeeper_, context, *request, response,
      [=, this](const CallContext& call) -> absl::StatusOr<v1::Participant> {
        absl::StatusOr<v1::Participant> created = participants_.Create(
            call, *request, "", request->participant(), request->request_id());
        if (!created.ok()) return gatekeeper_->Redact(call, created.status());
        return created;
      });
}

grpc::ServerUnaryReactor* ParticipantService::GetParticipant(
    grpc::CallbackServerContext* context,
    const v1::GetParticipantRequest* request, v1::Participant* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return participants_.Get(request->name()); });
}

grpc::ServerUnaryReactor* ParticipantService::ListParticipants(
    grpc::CallbackServerContext* context,
    const v1::ListParticipantsRequest* request,
    v1::ListParticipantsResponse* response) {
  return ServeList(
      *gatekeeper_, context, request, response, participants_,
      [](auto& r) { return r.add_participants(); },
      [this](const CallContext& call, const auto& item) {
        return gatekeeper_->Reaches(call, item.name());
      });
}

grpc::ServerUnaryReactor* ParticipantService::UpdateParticipant(
    grpc::CallbackServerContext* context,
    const v1::UpdateParticipantRequest* request, v1::Participant* response) {
  return Serve(
      *gatekeeper_, context, *request, response,
      [=, this](const CallContext& call) -> absl::StatusOr<v1::Participant> {
        absl::StatusOr<v1::Participant> updated =
            participants_.Update(call, *request, request->participant(),
                                 request->update_mask(), request->request_id());
        if (!updated.ok()) return gatekeeper_->Redact(call, updated.status());
        return updated;
      });
}

grpc::ServerUnaryReactor* ParticipantService::LookupParticipant(
    grpc::CallbackServerContext* context,
    const v1::LookupParticipantRequest* request, v1::Participant* response) {
  return Serve(
      *gatekeeper_, context, *request, response,
      [=, this](const CallContext& call) -> absl::StatusOr<v1::Participant> {
        absl::StatusOr<v1::Participant> found =
            participants_.Lookup(request->personnummer());
        if (!found.ok() && !absl::IsNotFound(found.status())) return found;
        // A scoped caller learns nothing of a person out of its scope,
        // not even whether the number is known.
        absl::StatusOr<bool> reached =
            found.ok()
                ? gatekeeper_->Reaches(call, found->name())
                : absl::StatusOr<bool>(call.who == nullptr ||
                                       call.who->role == security::ADMIN);
        if (!reached.ok()) return reached.status();
        if (!*reached) {
          return absl::PermissionDeniedError(absl::StrCat(
              call.principal,
              " may not look up a personnummer outside its scope"));
        }
        return found;
      });
}

grpc::ServerUnaryReactor* ParticipantService::EraseParticipant(
    grpc::CallbackServerContext* context,
    const v1::EraseParticipantRequest* request, v1::Participant* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return participants_.Erase(call, *request);
               });
}

}  // namespace jobtrack
