// gRPC handler of jobtrack.v1.TrackService (tracks and their intakes).
#ifndef JOBTRACK_SERVICES_TRACKS_TRACK_SERVICE_H_
#define JOBTRACK_SERVICES_TRACKS_TRACK_SERVICE_H_

#include "jobtrack/v1/track.grpc.pb.h"
#include "services/tracks/intakes.h"
#include "services/tracks/tracks.h"

namespace jobtrack {

namespace track_service_internal {
using gen = v1::TrackService;
// The generated CallbackService with GetTrack raw instead of typed. Spelled
// out, because wrapping CallbackService in WithRawCallbackMethod_GetTrack
// would hide its typed GetTrack (-Woverloaded-virtual).
using Base = gen::WithCallbackMethod_CreateTrack<
    gen::WithRawCallbackMethod_GetTrack<gen::WithCallbackMethod_ListTracks<
        gen::WithCallbackMethod_UpdateTrack<gen::WithCallbackMethod_DeleteTrack<
            gen::WithCallbackMethod_CreateIntake<
                gen::WithCallbackMethod_GetIntake<
                    gen::WithCallbackMethod_ListIntakes<
                        gen::WithCallbackMethod_UpdateIntake<
                            gen::WithCallbackMethod_DeleteIntake<
                                gen::Service>>>>>>>>>>;
}  // namespace track_service_internal

// GetTrack is a raw method: it answers with the held track's bytes,
// serialized once per version (see WireCache); the wire format is the
// same as the typed method's.
class TrackService final : public track_service_internal::Base {
 public:
  using track_service_internal::Base::GetTrack;  // The disabled sync one.

  // `held`: see Tracks.
  explicit TrackService(Deps deps, HeldTrackLookup held = nullptr)
      : gatekeeper_(deps.gatekeeper),
        tracks_(deps, std::move(held)),
        intakes_(deps) {}

  grpc::ServerUnaryReactor* CreateTrack(grpc::CallbackServerContext* context,
                                        const v1::CreateTrackRequest* request,
                                        v1::Track* response) override;
  // The request and the response are a GetTrackRequest and a Track.
  grpc::ServerUnaryReactor* GetTrack(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListTracks(
      grpc::CallbackServerContext* context,
      const v1::ListTracksRequest* request,
      v1::ListTracksResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTrack(grpc::CallbackServerContext* context,
                                        const v1::UpdateTrackRequest* request,
                                        v1::Track* response) override;
  grpc::ServerUnaryReactor* DeleteTrack(
      grpc::CallbackServerContext* context,
      const v1::DeleteTrackRequest* request,
      google::protobuf::Empty* response) override;

  grpc::ServerUnaryReactor* CreateIntake(grpc::CallbackServerContext* context,
                                         const v1::CreateIntakeRequest* request,
                                         v1::Intake* response) override;
  grpc::ServerUnaryReactor* GetIntake(grpc::CallbackServerContext* context,
                                      const v1::GetIntakeRequest* request,
                                      v1::Intake* response) override;
  grpc::ServerUnaryReactor* ListIntakes(
      grpc::CallbackServerContext* context,
      const v1::ListIntakesRequest* request,
      v1::ListIntakesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateIntake(grpc::CallbackServerContext* context,
                                         const v1::UpdateIntakeRequest* request,
                                         v1::Intake* response) override;
  grpc::ServerUnaryReactor* DeleteIntake(
      grpc::CallbackServerContext* context,
      const v1::DeleteIntakeRequest* request,
      google::protobuf::Empty* response) override;

 private:
  const Gatekeeper* const gatekeeper_;
  Tracks tracks_;
  Intakes intakes_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_TRACKS_TRACK_SERVICE_H_
