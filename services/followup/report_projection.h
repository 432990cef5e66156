// ReportProjection: every participation's history held in memory in a
// compact form, so that a report for any day is one pass over arrays
// instead of a scan and replay of serialized events (ruling 9.8).
//
// For each participation it keeps its track, the participant (as a dense
// id with their statistical fields) and its *transitions*: for every
// distinct effective date of its events, the state, start, end, latest
// outcome class and home municipality that the life cycle's own Replay
// gives as of that date. The participation as of day D is the last
// transition on or before D, which is exactly Replay(as_of = D) (as known at
// the projection's sequence), without a second implementation of the life
// cycle's rules.
//
// Contract:
// - Consistency: the projection follows the event log. Visit() first
//   applies every event committed since the last call (in sequence order,
//   from one snapshot), then visits with the sequence it now covers: the
//   facts are exactly those of the log up to that sequence. Corrections
//   and backdated events are applied by replaying the participation again.
// - Kept current on commit: a thread of the projection's own catches up
//   after commits that wrote records (it is woken by the storage's commit
//   observer), so a report rarely finds much to apply; Visit still
//   catches up first, so it never misses a commit acknowledged before it.
// - Start-up: Open returns at once; the projection's thread loads the
//   stored checkpoint, then applies what was written since (after a
//   crash, everything since the last save), so the server need not wait
//   for either (the load took 1.0-1.5 s at national scale, longer than
//   the matching index's). A call that comes first waits for the load,
//   and for the name maps only if there is something to apply: after a
//   clean stop, a report runs as soon as the columns are read, also while
//   the projection's thread builds the name maps (0.4-0.6 s), which it
//   does under the shared lock.
// - Thread safety: all methods are safe to call from many threads; visits
//   share a lock, catching up takes it exclusively, and a visit with
//   nothing to apply never takes it exclusively.
// - Memory: columns of 21 bytes per participation and 2 per participant,
//   16 bytes per transition (most participations have two to four), plus
//   the name maps; the big ones in huge pages (huge_page_allocator.h).
#ifndef JOBTRACK_SERVICES_FOLLOWUP_REPORT_PROJECTION_H_
#define JOBTRACK_SERVICES_FOLLOWUP_REPORT_PROJECTION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/huge_page_allocator.h"
#include "services/common/name_ids.h"
#include "services/followup/report.h"
#include "storage/storage.h"

namespace jobtrack {

class CheckpointReader;

class ReportProjection {
 public:
  // A projection of the event log of `storage`, which must outlive it.
  // Returns at once: the projection's own thread loads the stored
  // checkpoint (if any, and usable), then catches up with the rest of the
  // log, the whole of it without a checkpoint, and saves a checkpoint if
  // that was long. Errors while catching up are logged and returned by the
  // Visit that meets them, not by Open.
  static absl::StatusOr<std::unique_ptr<ReportProjection>> Open(
      storage::Storage* storage);

  // For tests: functions the projection's thread calls after it built the
  // name maps that a checkpoint's load left for later: first while it
  // still holds the shared lock, then holding no lock, before it takes the
  // exclusive one to put them in place.
  struct TestHooks {
    std::function<void()> lookups_built;
    std::function<void()> before_adopting;
    // For each participation a catch-up applies: whether it took the new
    // events alone (true) or read all of them again (false).
    std::function<void(bool took_new_events_alone)> participation_applied;
  };
  static absl::StatusOr<std::unique_ptr<ReportProjection>> Open(
      storage::Storage* storage, TestHooks hooks);

  // Stops following commits (waits for a catch-up in progress).
  ~ReportProjection();

  ReportProjection(const ReportProjection&) = delete;
  ReportProjection& operator=(const ReportProjection&) = delete;

  // Every participation as it stood on `day`: calls its last argument
  // with the facts of each.
  using FactsOnDay = absl::FunctionRef<void(
      absl::CivilDay day, absl::FunctionRef<void(const ParticipationFacts&)>)>;

  // Catches up with the log, then calls `visit` under a shared lock with
  // the last event sequence the projection covers, the names the facts'
  // ids index, and the facts on any day: everything `visit` computes sees
  // one state of the log. A storage error while catching up is returned
  // and `visit` is not called.
  absl::Status Visit(
      absl::FunctionRef<void(uint64_t known_at, const FactNames& names,
                             FactsOnDay facts)>
          visit);

  // The number of participations held as of the checkpoint's load or the
  // last catch-up since. Does not wait for either in progress.
  size_t size();

  // Blocks until the projection covers event `sequence` (its own thread
  // caught up that far) or `deadline` passes; whether it does.
  bool AwaitSequence(uint64_t sequence, absl::Time deadline);

  // Catches up with the log, then stores the projection with the
  // sequence it covers in the storage (Column::kMeta, replacing the last
  // checkpoint, in one commit), so that the next Open loads it and catches
  // up from there instead of replaying the whole log: start-up then costs
  // what was written since, not the history. The projection's thread saves
  // one after a long first catch-up; the server saves one when it stops.
  // Writes nothing when the stored checkpoint already covers what the
  // projection holds. A storage error while catching up is returned.
  absl::Status SaveCheckpoint();
  // The sequence of the checkpoint the projection started from; 0 if it
  // replays the whole log. Waits for the checkpoint's load.
  uint64_t checkpoint_sequence();

 private:
  using Day = ReportDay;
  static constexpr Day kNoDay = kNoReportDay;

  // A participation from one effective date on: what a report reads.
  struct Transition {
    Day from = kNoDay;
    Day start = kNoDay;
    Day end = kNoDay;
    uint16_t municipality = 0;  // Index into municipalities_.
    uint8_t state = v1::Participation::STATE_UNSPECIFIED;
    int8_t outcome_class = 4;
  };
  static_assert(sizeof(Transition) == 16);
  // A participation being rebuilt, before it takes its place in the
  // columns.
  struct Entry {
    uint32_t participant = 0;
    uint32_t track = 0;
    Day proposed = kNoDay;
    std::vector<Transition> transitions;  // By `from`, ascending.
  };
  struct Person {
    uint8_t gender = v1::GENDER_UNSPECIFIED;
    uint8_t education = v1::EDUCATION_LEVEL_UNSPECIFIED;
  };

  // (participant << 32 | track) -> the first entry with that pair.
  using PairMap = absl::flat_hash_map<
      uint64_t, uint32_t, absl::Hash<uint64_t>, std::equal_to<uint64_t>,
      HugePageAllocator<std::pair<const uint64_t, uint32_t>>>;
  // What CompleteLookups puts in place, built apart.
  struct Lookups {
    NameIds::Built persons;
    NameIds::Built entries;
    PairMap pair_first;
    std::vector<uint32_t> sharing;  // Entries that share their pair.
  };

  ReportProjection(storage::Storage* storage, TestHooks hooks);
  // Loads the stored checkpoint, if there is one that this log can
  // continue (its sequence is not past the log's). false when there is
  // none or it cannot be used (then the projection stays empty).
  bool LoadCheckpoint() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Parses a checkpoint body; false (and a partly filled projection, which
  // the caller clears) if it is malformed or cannot be read whole. Bodies
  // of version 3 end with shares_pair_; those of version 2 do not.
  bool Decode(CheckpointReader& in, bool with_shared_pairs)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same for the first format, which servers saved until 2026-12-05.
  bool DecodeVersion1(CheckpointReader& in) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string Encode() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Clear() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Builds what Decode leaves for later: the name maps (checking that no
  // name repeats; if one does, the projection is cleared, to be replayed
  // from the whole log by the next catch-up) and the shared pairs.
  // Nothing once done. Every catch-up that applies events does it first,
  // and a visit if the checkpoint did not hold the shared pairs.
  void CompleteLookups() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same in two steps: the follower thread builds the lookups right
  // after the load under the shared lock, so that visits go on, then puts
  // them in place under the exclusive one, unless they were completed
  // meanwhile. Both require !lookups_ready_; while it holds, nothing has
  // changed the names or the columns since Decode.
  Lookups BuildLookups() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void AdoptLookups(Lookups lookups) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies the events after applied_through_ from a fresh snapshot.
  absl::Status CatchUp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rebuilds participation `name` from its events in `reader` up to
  // sequence `settled`.
  absl::Status Rebuild(storage::Reader& reader, const std::string& name,
                       uint64_t settled) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The same from `events`, every event of `name` up to the settled
  // sequence.
  absl::Status Project(const std::string& name,
                       const std::vector<v1::Event>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes `fresh`, every event of `name` after applied_through_ up to the
  // settled sequence (in commit order), into the projection without
  // reading the older ones, where that gives what Rebuild gives: for a
  // participation that had no event before, and for one whose new events
  // share one day, on or after every older event's, and correct none (the
  // life cycle's common case). The state on that day is then the stored
  // participation in `reader`, and the transitions before that day stay.
  // false if it cannot, for Rebuild to do it; also when `ahead`, that is
  // when `reader` holds events of `name` after the settled sequence (the
  // stored participation is then ahead of them).
  absl::StatusOr<bool> Advance(storage::Reader& reader, const std::string& name,
                               std::vector<v1::Event> fresh, bool ahead)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether a report reads anything different after `t` than after
  // `before`.
  static bool ChangesForReports(const Transition& before, const Transition& t);
  // The transition into participation `p`'s state on `date`.
  Transition TransitionInto(const v1::Participation& p, absl::CivilDay date)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t PersonId(absl::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records entry `index`'s (participant, track) pair, flagging it and the
  // pair's first entry if they share it. Idempotent. Only for entries
  // with transitions (whose participant and track are known).
  void NotePair(uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Entry `index`'s key in pair_first_.
  uint64_t PairKey(uint32_t index) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return uint64_t{participant_[index]} << 32 | track_[index];
  }
  // Puts `entry` in the columns as entry `index` (== size() for a new
  // one): its transitions overwrite the old ones if they fit, else go to
  // the end of transitions_, and the columns are compacted once more than
  // half of transitions_ is left behind.
  void Place(uint32_t index, Entry entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompactTransitions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls `visit` with what the projection holds now.
  void VisitColumns(
      absl::FunctionRef<void(uint64_t known_at, const FactNames& names,
                             FactsOnDay facts)>
          visit) ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Registers the commit observer and starts follower_.
  void FollowCommits();
  // follower_'s loop: catches up whenever a commit marked one due.
  void Follow();

  storage::Storage* const storage_;
  const TestHooks hooks_;
  // Set by the follower's first step, under mu_, with loaded_.
  uint64_t checkpoint_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // participant_.size() after the load and after each CatchUp.
  std::atomic<size_t> size_{0};
  // The sequence the stored checkpoint covers (0: none known).
  std::atomic<uint64_t> stored_through_{0};
  // Following commits: the observer sets catch_up_due_, follower_ clears
  // it and catches up.
  int observer_ = -1;
  std::thread follower_;
  absl::Mutex follow_mu_;
  bool catch_up_due_ ABSL_GUARDED_BY(follow_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(follow_mu_) = false;
  absl::Mutex mu_;
  // Whether the follower has loaded the checkpoint (or found none): until
  // then nothing else may catch up, which would replay the whole log.
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  // Visits between their start and their end (changed under mu_ when they
  // end, so that the follower waiting for none re-checks).
  std::atomic<int> visits_waiting_{0};
  uint64_t applied_through_ ABSL_GUARDED_BY(mu_) = 0;
  // false from a checkpoint's Decode until CompleteLookups: the name maps
  // are not indexed, pair_first_ not filled.
  bool lookups_ready_ ABSL_GUARDED_BY(mu_) = true;
  // false from the Decode of a checkpoint without them (version 2) until
  // CompleteLookups: shares_pair_ is not filled, and reports need it.
  bool shared_pairs_ready_ ABSL_GUARDED_BY(mu_) = true;
  // The participations as columns, by entry id (the order first seen):
  // a report's pass reads them in order. Entry i's transitions are
  // transitions_[first_transition_[i], + transition_count_[i]).
  HugeVector<uint32_t> participant_ ABSL_GUARDED_BY(mu_);
  HugeVector<uint32_t> track_ ABSL_GUARDED_BY(mu_);
  HugeVector<Day> proposed_ ABSL_GUARDED_BY(mu_);
  HugeVector<uint8_t> shares_pair_ ABSL_GUARDED_BY(mu_);
  HugeVector<uint32_t> first_transition_ ABSL_GUARDED_BY(mu_);
  HugeVector<uint32_t> transition_count_ ABSL_GUARDED_BY(mu_);
  HugeVector<Transition> transitions_ ABSL_GUARDED_BY(mu_);
  // Slots of transitions_ no entry uses any more.
  size_t unused_transitions_ ABSL_GUARDED_BY(mu_) = 0;
  // Participation name -> entry id (the columns' index).
  NameIds entry_ids_ ABSL_GUARDED_BY(mu_);
  HugeVector<Person> people_ ABSL_GUARDED_BY(mu_);
  // Participant name -> index into people_.
  NameIds person_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> track_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> track_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> municipalities_ ABSL_GUARDED_BY(mu_);
  PairMap pair_first_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint16_t> municipality_ids_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_REPORT_PROJECTION_H_
