#!/usr/bin/python3
"""A jobtrack client in Python, on Debian's python3-grpcio.

Lists the tracks usable in a municipality, registers a jobseeker there,
asks for track proposals with their explanation, and reads a follow-up
report. Run it against a live jobtrackd:

    /usr/bin/python3 clients/python/jobtrack_example.py \
        --server 127.0.0.1:50051 --gen build/clients/python/gen

With TLS: --ca ca.pem (and --token-file, or $JOBTRACK_TOKEN, for a bearer
token). The generated modules come from the build (protoc with
grpc_python_plugin); see clients/CMakeLists.txt.
"""

import argparse
import os
import sys
import uuid


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--gen", required=True,
                        help="directory of the generated Python modules")
    parser.add_argument("--ca", help="PEM CA file: connect with TLS")
    parser.add_argument("--token-file", help="file holding a bearer token")
    parser.add_argument("--municipality", default="1480")
    args = parser.parse_args()
    sys.path.insert(0, args.gen)

    import grpc
    from jobtrack.v1 import common_pb2
    from jobtrack.v1 import followup_pb2
    from jobtrack.v1 import followup_pb2_grpc
    from jobtrack.v1 import matching_pb2
    from jobtrack.v1 import matching_pb2_grpc
    from jobtrack.v1 import participant_pb2
    from jobtrack.v1 import participant_pb2_grpc
    from jobtrack.v1 import track_pb2
    from jobtrack.v1 import track_pb2_grpc

    token = os.environ.get("JOBTRACK_TOKEN", "")
    if args.token_file:
        with open(args.token_file) as f:
            token = f.read().strip()
    if args.ca:
        with open(args.ca, "rb") as f:
            channel = grpc.secure_channel(
                args.server, grpc.ssl_channel_credentials(f.read()))
    else:
        channel = grpc.insecure_channel(args.server)
    metadata = [("authorization", "Bearer " + token)] if token else []

    def call(method, request):
        try:
            return method(request, metadata=metadata, timeout=30)
        except grpc.RpcError as e:
            sys.exit(f"{method._method.decode()}: {e.code().name}: "
                     f"{e.details()}")

    tracks = track_pb2_grpc.TrackServiceStub(channel)
    listed = call(tracks.ListTracks, track_pb2.ListTracksRequest(
        filter=f"municipality = {args.municipality}"))
    print(f"tracks in {args.municipality}: {len(listed.tracks)}")
    for t in listed.tracks:
        print(f"  {t.name}  {t.display_name}")

    participants = participant_pb2_grpc.ParticipantServiceStub(channel)
    person = call(participants.CreateParticipant,
                  participant_pb2.CreateParticipantRequest(
                      participant=participant_pb2.Participant(
                          external_reference="python-example",
                          birth_year=1988,
                          gender=participant_pb2.FEMALE,
                          municipality_code=args.municipality,
                          education_level=common_pb2.UPPER_SECONDARY,
                          swedish_level=common_pb2.SWEDISH_B1,
                          driving_licence=True,
                          ssyk_interests=["8331"]),
                      request_id=str(uuid.uuid4())))
    print(f"registered {person.name}")

    matching = matching_pb2_grpc.MatchingServiceStub(channel)
    proposals = call(matching.ProposeTracks, matching_pb2.ProposeTracksRequest(
        participant=person.name, limit=3))
    print(f"proposals: {len(proposals.proposals)}")
    for p in proposals.proposals:
        factors = ", ".join(f"{f.factor}={f.contribution:.2f}"
                            for f in p.factors)
        print(f"  {p.track}  score {p.score:.2f}  ({factors})")

    follow_up = followup_pb2_grpc.FollowUpServiceStub(channel)
    report = call(follow_up.GetReport, followup_pb2.GetReportRequest(
        as_of=common_pb2.Date(year=2025, month=12, day=31)))
    print(f"report as of 2025-12-31: {len(report.figures)} figures")
    for f in report.figures:
        if f.id == "participations.ended_this_year":
            print(f"  {f.id} = {f.numerator}")


if __name__ == "__main__":
    main()
