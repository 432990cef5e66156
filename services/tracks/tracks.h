// Tracks: domain rules for `tracks/{track}` — kinds, employers, the dated
// history of status and other figures-relevant attributes, and versioned
// module chains.
#ifndef JOBTRACK_SERVICES_TRACKS_TRACKS_H_
#define JOBTRACK_SERVICES_TRACKS_TRACKS_H_

#include <functional>
#include <memory>

#include "absl/strings/string_view.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/crud.h"
#include "services/common/wire_cache.h"

namespace jobtrack {

// A track held in memory, as stored, for reads that need not go to
// storage: the record as of the last commit that has returned (a commit
// still returning may not show yet), or null if it is not held. Must be
// safe to call from many threads.
using HeldTrackLookup =
    std::function<std::shared_ptr<const v1::Track>(absl::string_view name)>;

// List and Delete come from Crud; Create and Update carry an effective
// date and keep the history, so they are the track's own.
class Tracks : public Crud<v1::Track> {
 public:
  // With `held`, GetTrack answers from it when it holds the track (the
  // server passes the matching index, which holds every track).
  explicit Tracks(Deps deps, HeldTrackLookup held = nullptr);

  // Crud::Get with the track's wire form: from `held` when it holds the
  // track, serialized once per version (no copy of the track).
  absl::StatusOr<HeldWire> GetTrack(absl::string_view name);

  absl::StatusOr<v1::Track> CreateTrack(const CallContext& context,
                                        const v1::CreateTrackRequest& request);
  absl::StatusOr<v1::Track> UpdateTrack(const CallContext& context,
                                        const v1::UpdateTrackRequest& request);

 protected:
  void Validate(const v1::Track& track, bool creating,
                FieldViolations& violations) const override;
  // FAILED_PRECONDITION while the track has intakes.
  absl::Status CheckDeletable(storage::Transaction& txn,
                              const v1::Track& track) const override;

 private:
  // The effective date of a dated change: `date` if set, else today; never
  // in the future.
  std::optional<absl::CivilDay> EffectiveDate(
      const v1::Date& date, FieldViolations& violations) const;
  // Locks each employer and the agreement named by `track`, adding a
  // violation for one that does not exist. The status is for storage errors.
  absl::Status CheckReferences(storage::Transaction& txn,
                               const v1::Track& track,
                               FieldViolations& violations) const;

  const HeldTrackLookup held_;
  WireCache wire_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_TRACKS_TRACKS_H_
