// MatchingIndex: what matching reads about every track, held in memory and
// kept current on every commit, so that a proposal only filters and scores
// (DESIGN 4, "cost").
//
// For each track it keeps the track itself, its intakes with the seats each
// participation holds, where its employers are, and its record (completed,
// and working afterwards); by municipality, the tracks usable there.
//
// Contract:
// - Consistency: it follows Storage's commit observer, so when a commit
//   returns, the index reflects it (read-your-writes through the API),
//   whatever order concurrent commits reach the observer in. A
//   track whose refresh failed (a storage error) is marked stale; Fresh()
//   retries and reports the error, and matching refuses to answer from a
//   stale view rather than answer wrongly.
// - Thread safety: all methods are safe to call from many threads. Visitors
//   run under a shared lock: they must not call back into the index.
// - Memory: one parsed track with its intakes and seat intervals per track;
//   nothing per participant (participants are read from storage per call).
#ifndef JOBTRACK_SERVICES_MATCHING_MATCHING_INDEX_H_
#define JOBTRACK_SERVICES_MATCHING_MATCHING_INDEX_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/huge_page_allocator.h"
#include "services/participations/seats.h"
#include "storage/storage.h"

namespace jobtrack {

class CheckpointReader;

class MatchingIndex {
 public:
  struct IntakeView {
    // Shared, immutable: a commit that changes only participations copies
    // the view's small parts, not the records.
    std::shared_ptr<const v1::Intake> intake;
    absl::CivilDay start_date;
    std::optional<absl::CivilDay> end_date;
    // The chain version the intake runs; points into *TrackView::track.
    const v1::ModuleChain* chain = nullptr;
    // PlanWeeksByBackground(*chain).
    std::array<int, 4> plan_weeks{};
    // Seats held by the intake's participations. Shared between the views
    // of successive commits: a commit copies only the intakes it changes.
    std::shared_ptr<const std::vector<SeatInterval>> held =
        std::make_shared<std::vector<SeatInterval>>();
  };

  struct TrackView {
    // Shared and immutable, like IntakeView::intake.
    std::shared_ptr<const v1::Track> track;
    // The status from each revision's effective date on (RevisionAsOf).
    std::vector<std::pair<absl::CivilDay, v1::Track::Status>> statuses;
    std::string sni_section;
    // The employers' municipalities, or the track's first municipality
    // when it has no employers.
    std::vector<std::string> workplaces;
    // In name order.
    std::vector<IntakeView> intakes;
    // (hash of the intake's name, index into intakes), by hash: finding a
    // participation's intake reads this one small array instead of the
    // names, each on its own cache line (IntakeOf).
    std::vector<std::pair<uint64_t, int>> intake_hashes;
    // The shortest plan_weeks of any intake, by background: what bounds a
    // track's score before an intake is chosen.
    std::array<int, 4> shortest_plan_weeks{};
    // Participations COMPLETED, and of those, with work afterwards.
    int completed = 0;
    int working = 0;

    // The status on `day`, or nullopt if the track did not exist yet.
    std::optional<v1::Track::Status> StatusOn(absl::CivilDay day) const;
    // The index into intakes of intake `name`, or -1.
    int IntakeOf(absl::string_view name) const;
    // A copy sharing the records (the track and intakes) and the seats
    // held: what a commit that changes participations starts from.
    std::shared_ptr<TrackView> Copy() const;
  };

  // A track usable in one municipality, with what the first, cheap pass of
  // matching reads about it stored inline: scanning a big city's thousands
  // of tracks then walks one array instead of chasing pointers.
  struct LocalTrack {
    std::shared_ptr<const TrackView> view;
    // The track's status from `stable_from` (its last revision) on; for
    // earlier days ask view->StatusOn.
    absl::CivilDay stable_from;
    v1::Track::Status status = v1::Track::STATUS_UNSPECIFIED;
    v1::Track::Kind kind = v1::Track::KIND_UNSPECIFIED;
    v1::SwedishLevel min_swedish_level = v1::SWEDISH_LEVEL_UNSPECIFIED;
    v1::EducationLevel min_education_level = v1::EDUCATION_LEVEL_UNSPECIFIED;
    bool driving_licence = false;
    // The SSYK code's digits ('\0' where it has fewer), and the SNI
    // section's letter ('\0' if none).
    std::array<char, 4> ssyk{};
    char sni_section = 0;
    // GeographyValue of the employers for someone living here.
    double geography = 0;
    int completed = 0;
    int working = 0;
    std::array<int, 4> shortest_plan_weeks{};
  };

  // Builds the index from `storage` and follows its commits until
  // destroyed. `storage` must outlive the index. With a checkpoint stored
  // (SaveCheckpoint), reads the tracks, and of the participations only
  // those the event log says changed since it was saved (none if nothing
  // has been written since); a track whose intakes changed, or created
  // since, is read whole. Without one, or if it is unusable (damaged, of
  // another format, or a log that does not fit it), reads every
  // participation of the country.
  static absl::StatusOr<std::unique_ptr<MatchingIndex>> Open(
      storage::Storage* storage);
  ~MatchingIndex();

  // Stores what the index derived from the participations (every track's
  // seats held, completions and outcomes) in the storage (Column::kMeta,
  // in one commit, replacing the last checkpoint), with the event sequence
  // it covers, so that the next Open need not read them all again. Call it
  // when no commit is in progress (the server does, once it has stopped
  // taking calls): the index must hold every commit the storage does. Writes
  // nothing if the stored checkpoint is still current. FAILED_PRECONDITION
  // if a track's view is stale.
  absl::Status SaveCheckpoint();
  // The same while the server serves, commits going on: the checkpoint
  // covers the events below Storage::LastObservedSequence() (every commit
  // below it has been applied) and is continued from there at the next
  // Open, never taken as current. Encoding holds back commits' updates of
  // the index (not the commits themselves) for its duration; the write
  // happens after. Writes nothing if no event was observed since the last
  // save of this index.
  absl::Status SaveCheckpointWhileServing();
  // Whether Open started from the checkpoint.
  bool from_checkpoint() const { return from_checkpoint_; }
  // The format SaveCheckpoint writes. 2: contributions keyed by
  // StableHash64 of the participation's name (1 used absl::Hash, which
  // differs from process to process). 3: each track's intakes
  // fingerprinted, so that a checkpoint can be continued after writes (a
  // contribution names its intake by position).
  static constexpr uint32_t kCheckpointVersion = 3;

  MatchingIndex(const MatchingIndex&) = delete;
  MatchingIndex& operator=(const MatchingIndex&) = delete;

  // Retries the refresh of stale tracks; the first storage error if any
  // remain stale.
  absl::Status Fresh();

  // Calls `visit` once with every track whose current municipalities
  // include `municipality`, in name order, under a shared lock (writers wait
  // until it returns). Fresh() first.
  absl::Status VisitTracksIn(
      absl::string_view municipality,
      absl::FunctionRef<void(absl::Span<const LocalTrack>)> visit);

  // The view of track `name`; NOT_FOUND if there is none. The view is
  // immutable and stays valid while held.
  absl::StatusOr<std::shared_ptr<const TrackView>> Find(absl::string_view name);

  // The track record of `name` as the index holds it, or null if it holds
  // none or its view is stale. Reads no storage (a HeldTrackLookup).
  std::shared_ptr<const v1::Track> HeldTrack(absl::string_view name);

  // Whether a track participants completed counts as work afterwards.
  static bool Working(const v1::Participation& participation);

 private:
  explicit MatchingIndex(storage::Storage* storage);
  absl::Status LoadAll();
  // What one participation adds to its track's view, so that a commit
  // that changes a participation updates the view without re-reading all
  // the track's participations.
  struct Contribution {
    int intake = -1;  // Index into TrackView::intakes of the seat held.
    SeatInterval seat;
    bool completed = false;
    bool working = false;
  };
  // By StableHash64 of the participation's name (stored in checkpoints);
  // only those that add something. (A 64-bit hash: two of a track's
  // participations colliding would need ~2^32 of them.)
  using Contributions = absl::flat_hash_map<uint64_t, Contribution>;
  // A track's contributions as a checkpoint holds them, not yet in
  // contributions_: where they start in checkpoint_body_, and how many
  // (kContributionBytes each).
  struct PendingContributions {
    size_t offset = 0;
    uint32_t count = 0;
  };
  static constexpr size_t kContributionBytes = 21;
  // One contribution as a checkpoint stores it; false if malformed or not
  // one Apply would keep (an intake not below `intakes`, or nothing added).
  static bool ReadContribution(CheckpointReader& in, size_t intakes,
                               uint64_t& key, Contribution& c);
  // What LoadAll reads from the participations, from a checkpoint body:
  // each track's seats held and counts into `views` (fresh from
  // LoadTrack), and where its contributions are into `pending`. A track
  // the body holds with other intakes than its view has, or does not hold,
  // is left as LoadTrack made it and joins `whole`; one the body holds but
  // `views` does not (gone since) is skipped. false if the body is
  // malformed; `views` are then half-filled and must be loaded again.
  static bool Decode(
      absl::string_view body,
      absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
      absl::flat_hash_map<std::string, PendingContributions>& pending,
      absl::flat_hash_set<std::string>& whole);
  // After Decode: reads the tracks in `whole` with their participations,
  // and unless the checkpoint is `current`, applies to `views` every
  // participation the event log changed after sequence `after`. false if
  // the checkpoint cannot be continued (every participation must then be
  // read, into views fresh from LoadTrack).
  absl::StatusOr<bool> Continue(
      storage::Reader& reader, bool current, uint64_t after,
      absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
      const absl::flat_hash_set<std::string>& whole)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // Applies every participation of `view`'s track to it.
  static absl::Status AddParticipations(storage::Reader& reader,
                                        TrackView& view,
                                        Contributions& contributions);
  // The contributions of `track`, decoded from the checkpoint on first
  // use; null if the checkpoint holds one participation twice (then the
  // track must be read whole).
  Contributions* ContributionsOf(const std::string& track)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  std::string Encode() ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // FAILED_PRECONDITION if a track's view is stale: a checkpoint would
  // save it so.
  absl::Status CheckNoneStale();
  // Reads every participation into `views` (fresh from LoadTrack) and
  // `contributions`: most of a start-up without a current checkpoint.
  static absl::Status ReadParticipations(
      storage::Reader& reader,
      absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
      absl::flat_hash_map<std::string, Contributions>& contributions);
  // Replaces what participation `p` (of the view's track) added to `view`
  // with what it adds now. `view` must not be published yet.
  static void Apply(TrackView& view, Contributions& contributions,
                    const v1::Participation& p);

  // Re-reads the tracks that the committed records touch; for a committed
  // participation, applies it to its track's view.
  void OnCommit(const storage::CommittedRecords& committed);
  // Applies the participations a commit wrote (`written`: name → the value
  // it wrote last, nullopt if deleted; `first_sequence` as in
  // storage::CommittedRecords) to their tracks' views: the value itself
  // when it is the newest state (see applied_), else as stored now. Tracks
  // without a view, or whose participation cannot be read, join `reload`.
  void ApplyParticipations(
      const absl::flat_hash_map<std::string, const std::optional<std::string>*>&
          written,
      uint64_t first_sequence, absl::flat_hash_set<std::string>& reload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // A snapshot to read the views from; raises snapshot_through_.
  std::unique_ptr<storage::Reader> SnapshotForViews()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // Re-reads `names` from a fresh snapshot and swaps the results in; marks
  // those that fail stale.
  absl::Status Refresh(const absl::flat_hash_set<std::string>& names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // The view of track `name` as stored, or null if it no longer exists;
  // fills `contributions` for it.
  static absl::StatusOr<std::shared_ptr<const TrackView>> Load(
      storage::Reader& reader, absl::string_view name,
      Contributions& contributions);
  // The same without the participations (counts zero, no seats held).
  static absl::StatusOr<std::shared_ptr<TrackView>> LoadTrack(
      storage::Reader& reader, absl::string_view name);
  void Replace(const std::string& name, std::shared_ptr<const TrackView> view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Replace() for a view whose track record is unchanged (only its
  // participations' counts and seats): updates the entries in place.
  void ReplaceCounts(const std::string& name,
                     std::shared_ptr<const TrackView> view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static LocalTrack LocalTrackOf(std::shared_ptr<const TrackView> view,
                                 absl::string_view municipality);

  storage::Storage* const storage_;
  int observer_ = 0;
  bool from_checkpoint_ = false;  // Set by Open only.
  // Serializes refreshes, so that the last one to run read the newest data.
  absl::Mutex refresh_mu_;
  // The sequence the last SaveCheckpointWhileServing covered.
  uint64_t saved_through_ ABSL_GUARDED_BY(refresh_mu_) = 0;
  // A commit's participation values are applied as told (reading each one
  // again cost about 2 % of the CPU of a durable write), but commits call
  // in any order, and an older value must not overwrite a newer state.
  // A value is applied only if its commit's first sequence is above
  // snapshot_through_ (no snapshot the views were read from holds a commit
  // above it) and above the participation's entry in applied_ (the commit
  // whose value was applied last). applied_ keeps only sequences above
  // Storage::LastObservedSequence(): no older commit's call is still to
  // come. Anything else (a commit without events, a stale order) reads
  // the participation as stored now.
  uint64_t snapshot_through_ ABSL_GUARDED_BY(refresh_mu_) = 0;
  absl::flat_hash_map<std::string, uint64_t> applied_
      ABSL_GUARDED_BY(refresh_mu_);
  size_t prune_applied_at_ ABSL_GUARDED_BY(refresh_mu_) = 64;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const TrackView>> tracks_
      ABSL_GUARDED_BY(mu_);
  // Municipality code -> tracks usable there, in name order.
  absl::flat_hash_map<std::string, std::vector<LocalTrack>> by_municipality_
      ABSL_GUARDED_BY(mu_);
  // Employer name -> the tracks that name it.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      employer_tracks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> stale_ ABSL_GUARDED_BY(mu_);
  // By track name; kept beside the views (not in them) so that a commit
  // copies a view's seats, not every participation's contribution.
  absl::flat_hash_map<std::string, Contributions> contributions_
      ABSL_GUARDED_BY(refresh_mu_);
  // Tracks whose contributions are still only in the checkpoint Open
  // started from, which is held until none is (a few bytes a
  // participation instead of a map entry: a start-up from a checkpoint
  // decodes a track's when a commit first changes one of them).
  absl::flat_hash_map<std::string, PendingContributions> pending_
      ABSL_GUARDED_BY(refresh_mu_);
  std::shared_ptr<const HugeString> checkpoint_body_
      ABSL_GUARDED_BY(refresh_mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_MATCHING_MATCHING_INDEX_H_
