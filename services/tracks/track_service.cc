#include "services/tracks/track_service.h"

#include "services/common/handler.h"

namespace jobtrack {

grpc::ServerUnaryReactor* TrackService::CreateTrack(
    grpc::CallbackServerContext* context, const v1::CreateTrackRequest* request,
    v1::Track* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return tracks_.CreateTrack(call, *request);
               });
}

grpc::ServerUnaryReactor* TrackService::GetTrack(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  // Owned by the call below, which Serve keeps until it has answered.
  auto parsed = std::make_shared<v1::GetTrackRequest>();
  grpc::ByteBuffer bytes(*request);
  grpc::Status parse =
      grpc::SerializationTraits<v1::GetTrackRequest>::Deserialize(&bytes,
                                                                  parsed.get());
  if (!parse.ok()) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "the request is not a GetTrackRequest"));
    return reactor;
  }
  const v1::GetTrackRequest& parsed_request = *parsed;
  return Serve(*gatekeeper_, context, parsed_request, response,
               [this, parsed = std::move(parsed)] {
                 return tracks_.GetTrack(parsed->name());
               });
}

grpc::ServerUnaryReactor* TrackService::ListTracks(
    grpc::CallbackServerContext* context, const v1::ListTracksRequest* request,
    v1::ListTracksResponse* response) {
  // The catalogue is national, except to an employer, which sees the
  // tracks that name it.
  return ServeList(
      *gatekeeper_, context, request, response, tracks_,
      [](auto& r) { return r.add_tracks(); },
      [](const CallContext& call,
         const v1::Track& track) -> absl::StatusOr<bool> {
        if (call.who == nullptr || call.who->role != security::EMPLOYER) {
          return true;
        }
        return std::find(track.employers().begin(), track.employers().end(),
                         call.who->employer) != track.employers().end();
      });
}

grpc::ServerUnaryReactor* TrackService::UpdateTrack(
    grpc::CallbackServerContext* context, const v1::UpdateTrackRequest* request,
    v1::Track* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return tracks_.UpdateTrack(call, *request);
               });
}

grpc::ServerUnaryReactor* TrackService::DeleteTrack(
    grpc::CallbackServerContext* context, const v1::DeleteTrackRequest* request,
    google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return tracks_.Delete(call, *request, request->name(),
                                       request->etag(), request->request_id());
               });
}

grpc::ServerUnaryReactor* TrackService::CreateIntake(
    grpc::CallbackServerContext* context,
    const v1::CreateIntakeRequest* request, v1::Intake* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return intakes_.Create(call, *request, request->parent(),
                                        request->intake(),
                                        request->request_id());
               });
}

grpc::ServerUnaryReactor* TrackService::GetIntake(
    grpc::CallbackServerContext* context, const v1::GetIntakeRequest* request,
    v1::Intake* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this] { return intakes_.Get(request->name()); });
}

grpc::ServerUnaryReactor* TrackService::ListIntakes(
    grpc::CallbackServerContext* context, const v1::ListIntakesRequest* request,
    v1::ListIntakesResponse* response) {
  return ServeList(*gatekeeper_, context, request, response, intakes_,
                   [](auto& r) { return r.add_intakes(); });
}

grpc::ServerUnaryReactor* TrackService::UpdateIntake(
    grpc::CallbackServerContext* context,
    const v1::UpdateIntakeRequest* request, v1::Intake* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return intakes_.Update(call, *request, request->intake(),
                                        request->update_mask(),
                                        request->request_id());
               });
}

grpc::ServerUnaryReactor* TrackService::DeleteIntake(
    grpc::CallbackServerContext* context,
    const v1::DeleteIntakeRequest* request, google::protobuf::Empty* response) {
  return Serve(*gatekeeper_, context, *request, response,
               [=, this](const CallContext& call) {
                 return intakes_.Delete(call, *request, request->name(),
                                        request->etag(), request->request_id());
               });
}

}  // namespace jobtrack
