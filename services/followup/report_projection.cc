#include "services/followup/report_projection.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/checkpoint.h"
#include "services/common/events.h"
#include "services/common/log.h"
#include "services/common/record_table.h"
#include "services/common/validation.h"
#include "services/participations/lifecycle.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

// The follower saves a checkpoint when its first catch-up applied this
// many events.
constexpr uint64_t kCheckpointAfterEvents = 100000;
// A catch-up holds the new events of participations for Advance up to this
// many (a few MB); past it, every participation it touches is rebuilt.
constexpr size_t kMaxKeptEvents = 16384;

}  // namespace

ReportProjection::ReportProjection(storage::Storage* storage, TestHooks hooks)
    : storage_(storage), hooks_(std::move(hooks)) {}

absl::StatusOr<std::unique_ptr<ReportProjection>> ReportProjection::Open(
    storage::Storage* storage) {
  return Open(storage, TestHooks());
}

absl::StatusOr<std::unique_ptr<ReportProjection>> ReportProjection::Open(
    storage::Storage* storage, TestHooks hooks) {
  std::unique_ptr<ReportProjection> projection(
      new ReportProjection(storage, std::move(hooks)));
  projection->FollowCommits();
  return projection;
}

ReportProjection::~ReportProjection() {
  if (observer_ >= 0) storage_->RemoveCommitObserver(observer_);
  {
    absl::MutexLock lock(&follow_mu_);
    stopping_ = true;
  }
  if (follower_.joinable()) follower_.join();
}

void ReportProjection::FollowCommits() {
  // Every event is committed together with the record it changes, so a
  // commit that wrote records is the one that may carry events.
  observer_ = storage_->AddCommitObserver([this](const auto&) {
    absl::MutexLock lock(&follow_mu_);
    catch_up_due_ = true;
  });
  follower_ = std::thread([this] { Follow(); });
}

void ReportProjection::Follow() {
  uint64_t caught_up = 0;
  {
    // Right after Open, while the server already serves: the checkpoint.
    // Everything else waits for loaded_, and then for mu_, and so sees
    // the result.
    absl::MutexLock lock(&mu_);
    const absl::Time opening = absl::Now();
    if (LoadCheckpoint()) checkpoint_sequence_ = applied_through_;
    loaded_ = true;
    LogInfo("report projection opened in ",
            absl::FormatDuration(absl::Now() - opening),
            checkpoint_sequence_ > 0
                ? absl::StrCat(" from its checkpoint at event ",
                               checkpoint_sequence_)
                : std::string(" without a checkpoint"));
  }
  const absl::Time began = absl::Now();
  std::optional<Lookups> lookups;
  {
    // Then the maps the load left for later, beside the reports (which
    // need none when nothing was written since the checkpoint).
    absl::ReaderMutexLock lock(&mu_);
    if (!lookups_ready_) {
      lookups = BuildLookups();
      if (hooks_.lookups_built) hooks_.lookups_built();
    }
  }
  if (lookups.has_value() && hooks_.before_adopting) hooks_.before_adopting();
  {
    // Put in place once the reports that were waiting are done, and what
    // was written since the checkpoint applied (everything, without one).
    absl::MutexLock lock(
        &mu_, absl::Condition(
                  +[](std::atomic<int>* waiting) { return *waiting == 0; },
                  &visits_waiting_));
    const uint64_t from = applied_through_;
    // Unless a catch-up or a visit completed them meanwhile: then they may
    // index less than the projection holds now.
    if (lookups.has_value() && !lookups_ready_) {
      AdoptLookups(*std::move(lookups));
    }
    lookups.reset();
    if (absl::Status s = CatchUp(); !s.ok()) {
      LogWarning("report projection: catching up failed: ", s.ToString());
    } else {
      caught_up = applied_through_ - from;
      LogInfo("report projection caught up with the log in ",
              absl::FormatDuration(absl::Now() - began), ": ",
              participant_.size(), " participations; ",
              caught_up == 0
                  ? std::string("no events")
                  : absl::StrCat("events ", from + 1, " to ", applied_through_),
              from > 0 ? " after its checkpoint" : " replayed (no checkpoint)");
    }
  }
  if (caught_up >= kCheckpointAfterEvents) {
    if (absl::Status s = SaveCheckpoint(); !s.ok()) {
      LogWarning("report projection: checkpoint not saved: ", s.ToString());
    }
  }
  bool failing = false;
  while (true) {
    {
      absl::MutexLock lock(&follow_mu_);
      follow_mu_.Await(absl::Condition(
          +[](ReportProjection* p) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return p->catch_up_due_ || p->stopping_;
          },
          this));
      if (stopping_) return;
      catch_up_due_ = false;
    }
    absl::MutexLock lock(&mu_);
    absl::Status s = CatchUp();
    // Once per failing streak: the next Visit returns the error anyway.
    if (!s.ok() && !failing) {
      LogWarning("report projection: catching up failed: ", s.ToString());
    }
    failing = !s.ok();
  }
}

uint64_t ReportProjection::checkpoint_sequence() {
  absl::ReaderMutexLock lock(&mu_, absl::Condition(&loaded_));
  return checkpoint_sequence_;
}

bool ReportProjection::AwaitSequence(uint64_t sequence, absl::Time deadline) {
  absl::ReaderMutexLock lock(&mu_);
  auto covered = [this, sequence]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return loaded_ && applied_through_ >= sequence;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&covered), deadline);
}

namespace {

// The checkpoint's name in Column::kMeta (see services/common/checkpoint.h).
constexpr absl::string_view kCheckpointName = "report_projection";
// 3: columns of fixed-width numbers (16 bytes a transition), then a byte
// per entry for shares_pair_, so that a report after a clean start needs
// no lookups. 2 (without those bytes, until 2026-12-06) and 1 (before
// 2026-12-05) are still read: an upgrade must not cost a replay of the
// whole log.
constexpr uint32_t kCheckpointVersion = 3;

}  // namespace

std::string ReportProjection::Encode() const {
  CheckpointWriter out;
  out.U32(static_cast<uint32_t>(track_names_.size()));
  for (const std::string& t : track_names_) out.String(t);
  out.U32(static_cast<uint32_t>(municipalities_.size()));
  for (const std::string& m : municipalities_) out.String(m);
  out.U32(static_cast<uint32_t>(people_.size()));
  for (uint32_t i = 0; i < people_.size(); ++i) {
    out.String(person_ids_.Name(i));
    out.U8(people_[i].gender);
    out.U8(people_[i].education);
  }
  out.U32(static_cast<uint32_t>(participant_.size()));
  out.U64(transitions_.size() - unused_transitions_);
  for (uint32_t i = 0; i < participant_.size(); ++i) {
    out.String(entry_ids_.Name(i));
    out.U32(participant_[i]);
    out.U32(track_[i]);
    out.U32(static_cast<uint32_t>(proposed_[i]));
    out.U32(transition_count_[i]);
    const absl::Span<const Transition> transitions(
        transitions_.data() + first_transition_[i], transition_count_[i]);
    for (const Transition& t : transitions) {
      out.U32(static_cast<uint32_t>(t.from));
      out.U32(static_cast<uint32_t>(t.start));
      out.U32(static_cast<uint32_t>(t.end));
      out.U16(t.municipality);
      out.U8(t.state);
      out.U8(static_cast<uint8_t>(t.outcome_class));
    }
  }
  for (uint32_t i = 0; i < participant_.size(); ++i) out.U8(shares_pair_[i]);
  return std::move(out.body());
}

namespace {

// Capacity for `n` and a quarter more: the columns are appended to as
// participations are written, and a column that outgrows its capacity is
// copied whole into a mapping twice as large, the old one still resident
// meanwhile (a peak of the columns' size, and a pause for the commit that
// grows it). Room that is never written costs no resident memory.
size_t WithRoom(size_t n) { return n + n / 4 + 1024; }

}  // namespace

bool ReportProjection::Decode(CheckpointReader& in, bool with_shared_pairs) {
  uint32_t n = 0;
  absl::string_view s;
  if (!in.U32(n) || !in.CanHold(n, 4)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    if (!in.String(s) || !track_ids_.emplace(s, i).second) return false;
    track_names_.emplace_back(s);
  }
  if (!in.U32(n) || n > UINT16_MAX + 1u) return false;
  for (uint32_t i = 0; i < n; ++i) {
    if (!in.String(s) ||
        !municipality_ids_.emplace(s, static_cast<uint16_t>(i)).second) {
      return false;
    }
    municipalities_.emplace_back(s);
  }
  // A person: a name (4-byte length) and two bytes.
  if (!in.U32(n) || !in.CanHold(n, 6)) return false;
  people_.reserve(WithRoom(n));
  people_.resize(n);
  person_ids_.reserve(WithRoom(n), WithRoom(n) * 32);
  for (uint32_t i = 0; i < n; ++i) {
    // Kept before the next read, which may move the piece `s` is in.
    // Indexed (and checked to be unique) by CompleteLookups.
    if (!in.String(s)) return false;
    person_ids_.AppendUnindexed(s);
    if (!in.U8(people_[i].gender) || !in.U8(people_[i].education)) {
      return false;
    }
  }
  // An entry: a name (4-byte length) and four numbers; a transition 16
  // bytes. Straight into the columns, in order.
  uint64_t total = 0;
  if (!in.U32(n) || !in.CanHold(n, 20) || !in.U64(total) ||
      !in.CanHold(total, 16)) {
    return false;
  }
  entry_ids_.reserve(WithRoom(n), WithRoom(n) * 32);
  participant_.reserve(WithRoom(n));
  track_.reserve(WithRoom(n));
  proposed_.reserve(WithRoom(n));
  shares_pair_.reserve(WithRoom(n));
  first_transition_.reserve(WithRoom(n));
  transition_count_.reserve(WithRoom(n));
  transitions_.reserve(WithRoom(total));
  participant_.resize(n);
  track_.resize(n);
  proposed_.resize(n);
  shares_pair_.assign(n, 0);
  first_transition_.resize(n);
  transition_count_.resize(n);
  transitions_.resize(total);
  uint64_t next = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t proposed = 0, count = 0;
    if (!in.String(s)) return false;
    entry_ids_.AppendUnindexed(s);
    if (!in.U32(participant_[i]) || !in.U32(track_[i]) || !in.U32(proposed) ||
        !in.U32(count) || participant_[i] >= people_.size() ||
        track_[i] >= track_names_.size() || count > total - next) {
      return false;
    }
    proposed_[i] = static_cast<Day>(proposed);
    first_transition_[i] = static_cast<uint32_t>(next);
    transition_count_[i] = count;
    for (uint32_t k = 0; k < count; ++k) {
      Transition& t = transitions_[next++];
      uint32_t from = 0, start = 0, end = 0;
      uint8_t outcome = 0;
      if (!in.U32(from) || !in.U32(start) || !in.U32(end) ||
          !in.U16(t.municipality) || !in.U8(t.state) || !in.U8(outcome) ||
          t.municipality >= municipalities_.size()) {
        return false;
      }
      t.from = static_cast<Day>(from);
      t.start = static_cast<Day>(start);
      t.end = static_cast<Day>(end);
      t.outcome_class = static_cast<int8_t>(outcome);
    }
  }
  if (next != total) return false;
  if (with_shared_pairs) {
    for (uint32_t i = 0; i < n; ++i) {
      if (!in.U8(shares_pair_[i]) || shares_pair_[i] > 1) return false;
    }
  }
  if (!in.done()) return false;
  // The name maps (and without the stored shared pairs, those) are built
  // by CompleteLookups, off the start-up's path.
  lookups_ready_ = false;
  shared_pairs_ready_ = with_shared_pairs;
  return true;
}

void ReportProjection::CompleteLookups() {
  if (!lookups_ready_) AdoptLookups(BuildLookups());
}

ReportProjection::Lookups ReportProjection::BuildLookups() const {
  Lookups lookups{.persons = person_ids_.BuildIndex(),
                  .entries = entry_ids_.BuildIndex(),
                  .pair_first = {},
                  .sharing = {}};
  lookups.pair_first.reserve(participant_.size());
  for (uint32_t i = 0; i < participant_.size(); ++i) {
    if (transition_count_[i] == 0) continue;
    auto [first, added] = lookups.pair_first.try_emplace(PairKey(i), i);
    if (!added) {
      lookups.sharing.push_back(first->second);
      lookups.sharing.push_back(i);
    }
  }
  return lookups;
}

void ReportProjection::AdoptLookups(Lookups lookups) {
  lookups_ready_ = true;
  const bool persons_unique = person_ids_.Adopt(std::move(lookups.persons));
  if (!entry_ids_.Adopt(std::move(lookups.entries)) || !persons_unique) {
    // Each name once, or the ids and the columns fall apart: this
    // checkpoint cannot be used after all.
    LogWarning(
        "report projection: checkpoint ignored (a name repeats); "
        "replaying the whole log");
    Clear();
    return;
  }
  pair_first_ = std::move(lookups.pair_first);
  for (uint32_t i : lookups.sharing) shares_pair_[i] = 1;
  shared_pairs_ready_ = true;
}

bool ReportProjection::DecodeVersion1(CheckpointReader& in) {
  uint32_t n = 0;
  std::string s;
  if (!in.U32(n) || !in.CanHold(n, 4)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    if (!in.String(s)) return false;
    track_ids_.emplace(s, i);
    track_names_.push_back(s);
  }
  if (!in.U32(n) || n > UINT16_MAX + 1u) return false;
  for (uint32_t i = 0; i < n; ++i) {
    if (!in.String(s)) return false;
    municipality_ids_.emplace(s, static_cast<uint16_t>(i));
    municipalities_.push_back(s);
  }
  // A person: a name (4-byte length) and two numbers.
  if (!in.U32(n) || !in.CanHold(n, 12)) return false;
  people_.resize(n);
  person_ids_.reserve(n, size_t{n} * 32);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t gender = 0, education = 0;
    if (!in.String(s) || !in.U32(gender) || !in.U32(education) ||
        gender > UINT8_MAX || education > UINT8_MAX) {
      return false;
    }
    if (!person_ids_.Insert(s).second) return false;
    people_[i].gender = static_cast<uint8_t>(gender);
    people_[i].education = static_cast<uint8_t>(education);
  }
  // An entry: a name (4-byte length) and four numbers.
  if (!in.U32(n) || !in.CanHold(n, 20)) return false;
  entry_ids_.reserve(n, size_t{n} * 32);
  Entry e;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t proposed = 0, transitions = 0;
    if (!in.String(s) || !in.U32(e.participant) || !in.U32(e.track) ||
        !in.U32(proposed) || !in.U32(transitions)) {
      return false;
    }
    if (e.participant >= people_.size() || e.track >= track_names_.size()) {
      return false;
    }
    if (!entry_ids_.Insert(s).second) return false;
    e.proposed = static_cast<Day>(proposed);
    if (!in.CanHold(transitions, 24)) return false;
    e.transitions.clear();
    for (uint32_t k = 0; k < transitions; ++k) {
      uint32_t from = 0, start = 0, end = 0, municipality = 0, state = 0,
               outcome = 0;
      if (!in.U32(from) || !in.U32(start) || !in.U32(end) ||
          !in.U32(municipality) || !in.U32(state) || !in.U32(outcome) ||
          municipality >= municipalities_.size() || state > UINT8_MAX) {
        return false;
      }
      Transition& t = e.transitions.emplace_back();
      t.from = static_cast<Day>(from);
      t.start = static_cast<Day>(start);
      t.end = static_cast<Day>(end);
      t.municipality = static_cast<uint16_t>(municipality);
      t.state = static_cast<uint8_t>(state);
      t.outcome_class = static_cast<int8_t>(static_cast<int32_t>(outcome));
    }
    Place(i, std::move(e));
  }
  if (!in.done()) return false;
  for (uint32_t i = 0; i < participant_.size(); ++i) {
    if (transition_count_[i] > 0) NotePair(i);
  }
  return true;
}

void ReportProjection::Clear() {
  applied_through_ = 0;
  size_ = 0;
  lookups_ready_ = true;
  shared_pairs_ready_ = true;
  participant_.clear();
  track_.clear();
  proposed_.clear();
  shares_pair_.clear();
  first_transition_.clear();
  transition_count_.clear();
  transitions_.clear();
  unused_transitions_ = 0;
  entry_ids_.clear();
  people_.clear();
  person_ids_.clear();
  track_names_.clear();
  track_ids_.clear();
  municipalities_.clear();
  municipality_ids_.clear();
  pair_first_.clear();
}

bool ReportProjection::LoadCheckpoint() {
  // Decoded as its chunks are read: the body is never held whole.
  absl::StatusOr<std::optional<CheckpointStream>> checkpoint =
      StreamCheckpoint(*storage_, kCheckpointName);
  if (!checkpoint.ok()) {
    LogWarning("report projection: checkpoint ignored: ",
               checkpoint.status().ToString());
    return false;
  }
  if (!checkpoint->has_value()) return false;
  const CheckpointStream& c = **checkpoint;
  if (c.version < 1 || c.version > kCheckpointVersion ||
      c.through > storage_->LastSequence()) {
    LogWarning("report projection: checkpoint ignored (version ", c.version,
               ", event ", c.through, ")");
    return false;
  }
  if (!(c.version == 1
            ? DecodeVersion1(*c.body)
            : Decode(*c.body, /*with_shared_pairs=*/c.version >= 3))) {
    LogWarning(
        "report projection: checkpoint ignored (",
        c.body->status().ok() ? "malformed" : c.body->status().ToString(), ")");
    Clear();
    return false;
  }
  applied_through_ = c.through;
  size_ = participant_.size();
  // One in an older format is saved again, even with nothing new.
  if (c.version == kCheckpointVersion) stored_through_ = c.through;
  return true;
}

absl::Status ReportProjection::SaveCheckpoint() {
  std::string body;
  uint64_t through = 0;
  {
    absl::MutexLock lock(&mu_, absl::Condition(&loaded_));
    CompleteLookups();
    if (absl::Status s = CatchUp(); !s.ok()) return s;
  }
  {
    // Shared: visits go on while the body is encoded; it covers whatever
    // applied_through_ says then.
    absl::ReaderMutexLock lock(&mu_);
    through = applied_through_;
    if (through == stored_through_.load()) return absl::OkStatus();
    body = Encode();
  }
  if (absl::Status s = jobtrack::SaveCheckpoint(
          *storage_, kCheckpointName, kCheckpointVersion, through, body);
      !s.ok()) {
    return s;
  }
  stored_through_ = through;
  return absl::OkStatus();
}

uint32_t ReportProjection::PersonId(absl::string_view name) {
  auto [id, added] = person_ids_.Insert(name);
  if (added) people_.emplace_back();
  return id;
}

absl::Status ReportProjection::CatchUp() {
  // Stops at the settled sequence (see Storage::LastSequence), so that an
  // event committed out of order is not skipped by the next catch-up.
  const uint64_t settled = storage_->LastSequence();
  if (settled > applied_through_) CompleteLookups();
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  // Participations touched since the last catch-up, each with its new
  // events while they are few (for Advance), taken in name order once the
  // scan is done (an entry is rebuilt once however many events).
  absl::btree_map<std::string, std::vector<v1::Event>> touched;
  size_t kept = 0;
  // The participations with events after `settled` in the snapshot, of
  // commits that finished before earlier ones (with many concurrent
  // writers, most catch-ups meet a few): the scan goes on to the end of
  // the log to find them, without applying them.
  absl::flat_hash_set<std::string> ahead;
  uint64_t last = applied_through_;
  absl::Status s = ScanEvents(
      *reader, applied_through_,
      [&](v1::Event event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        if (static_cast<uint64_t>(event.sequence()) > settled) {
          ahead.insert(event.resource());
          return true;
        }
        last = static_cast<uint64_t>(event.sequence());
        if (absl::StartsWith(event.resource(), "participations/")) {
          std::vector<v1::Event>& fresh = touched[event.resource()];
          if (kept < kMaxKeptEvents) {
            fresh.push_back(std::move(event));
          } else if (kept == kMaxKeptEvents) {
            // A long catch-up (a start without a checkpoint) rebuilds
            // every participation instead of holding the log in memory.
            for (auto& [name, events] : touched) events.clear();
          }
          ++kept;
        } else if (event.has_participant()) {
          Person& person = people_[PersonId(event.resource())];
          person.gender = static_cast<uint8_t>(event.participant().gender());
          person.education =
              static_cast<uint8_t>(event.participant().education_level());
        }
        return true;
      });
  if (!s.ok()) return s;
  for (auto& [name, fresh] : touched) {
    if (!fresh.empty()) {
      absl::StatusOr<bool> advanced =
          Advance(*reader, name, std::move(fresh), ahead.contains(name));
      if (!advanced.ok()) return advanced.status();
      if (*advanced) {
        if (hooks_.participation_applied) hooks_.participation_applied(true);
        continue;
      }
    }
    if (absl::Status s = Rebuild(*reader, name, settled); !s.ok()) return s;
    if (hooks_.participation_applied) hooks_.participation_applied(false);
  }
  applied_through_ = last;
  size_ = participant_.size();
  return absl::OkStatus();
}

absl::Status ReportProjection::Rebuild(storage::Reader& reader,
                                       const std::string& name,
                                       uint64_t settled) {
  absl::StatusOr<std::vector<v1::Event>> events =
      LoadAggregateEvents(reader, name);
  if (!events.ok()) return events.status();
  std::erase_if(*events, [settled](const v1::Event& e) {
    return static_cast<uint64_t>(e.sequence()) > settled;
  });
  return Project(name, *events);
}

ReportProjection::Transition ReportProjection::TransitionInto(
    const v1::Participation& p, absl::CivilDay date) {
  Transition t;
  t.from = ToReportDay(date);
  t.state = static_cast<uint8_t>(p.state());
  if (HasDate(p.start_date())) {
    t.start = ToReportDay(*ToCivilDay(p.start_date()));
  }
  if (HasDate(p.end_date())) t.end = ToReportDay(*ToCivilDay(p.end_date()));
  t.outcome_class = static_cast<int8_t>(OutcomeClass(p));
  auto [municipality, added] = municipality_ids_.try_emplace(
      p.home_municipality_code(),
      static_cast<uint16_t>(municipalities_.size()));
  if (added) municipalities_.push_back(p.home_municipality_code());
  t.municipality = municipality->second;
  return t;
}

bool ReportProjection::ChangesForReports(const Transition& before,
                                         const Transition& t) {
  return before.state != t.state || before.start != t.start ||
         before.end != t.end || before.outcome_class != t.outcome_class ||
         before.municipality != t.municipality;
}

absl::Status ReportProjection::Project(const std::string& name,
                                       const std::vector<v1::Event>& events) {
  // Replay(as_of = D) changes only where an event takes effect, so one
  // replay per distinct effective date gives every state the
  // participation has had.
  absl::btree_set<absl::CivilDay> dates;
  Entry entry;
  for (const v1::Event& e : events) {
    std::optional<absl::CivilDay> effective = ToCivilDay(e.effective_date());
    if (!effective) {
      return absl::DataLossError(absl::StrCat("event ", e.sequence(), " of ",
                                              name,
                                              " has no valid effective date"));
    }
    dates.insert(*effective);
    if (e.has_proposed()) entry.proposed = ToReportDay(*effective);
  }
  ReplayOptions replay;
  replay.known_at = std::numeric_limits<uint64_t>::max();
  bool identified = false;
  for (absl::CivilDay date : dates) {
    replay.as_of = date;
    absl::StatusOr<v1::Participation> p = Replay(name, events, replay);
    if (!p.ok()) return p.status();
    if (p->state() == v1::Participation::STATE_UNSPECIFIED) continue;
    if (!identified) {
      entry.participant = PersonId(p->participant());
      auto [track, added] = track_ids_.try_emplace(
          p->track(), static_cast<uint32_t>(track_names_.size()));
      if (added) track_names_.push_back(p->track());
      entry.track = track->second;
      identified = true;
    }
    const Transition t = TransitionInto(*p, date);
    if (!entry.transitions.empty() &&
        !ChangesForReports(entry.transitions.back(), t)) {
      continue;
    }
    entry.transitions.push_back(t);
  }
  // Ids are dense in the order added, like the columns: a new name's id is
  // the next entry.
  const uint32_t id = entry_ids_.Insert(name).first;
  const bool identifies = !entry.transitions.empty();
  Place(id, std::move(entry));
  if (identifies) NotePair(id);
  return absl::OkStatus();
}

absl::StatusOr<bool> ReportProjection::Advance(storage::Reader& reader,
                                               const std::string& name,
                                               std::vector<v1::Event> fresh,
                                               bool ahead) {
  const std::optional<uint32_t> id = entry_ids_.Find(name);
  if (!id) {
    // No event of it was applied before (every one applied has an entry):
    // `fresh` holds them all.
    if (absl::Status s = Project(name, fresh); !s.ok()) return s;
    return true;
  }
  const uint32_t index = *id;
  const uint32_t count = transition_count_[index];
  // The stored participation is the replay of every event it has in the
  // snapshot: of no use when that is `ahead` of the settled sequence.
  if (count == 0 || ahead) return false;
  std::optional<absl::CivilDay> day;
  for (const v1::Event& e : fresh) {
    const std::optional<absl::CivilDay> effective =
        ToCivilDay(e.effective_date());
    if (e.corrects() != 0 || e.has_proposed() || !effective ||
        (day && *effective != *day)) {
      return false;
    }
    day = effective;
  }
  // Its latest_event_date is `day` if no older event is dated after it; it
  // is then the state on `day`.
  const absl::StatusOr<v1::Participation> stored =
      RecordTable<v1::Participation>(nullptr).Get(reader, name);
  if (!stored.ok() || !HasDate(stored->latest_event_date()) ||
      ToCivilDay(stored->latest_event_date()) != day) {
    return false;  // Rebuild reads it from its events, or fails as it would.
  }
  const v1::Participation& p = *stored;
  Entry entry;
  entry.participant = participant_[index];
  entry.track = track_[index];
  entry.proposed = proposed_[index];
  const Day from = ToReportDay(*day);
  const Transition* old = &transitions_[first_transition_[index]];
  for (uint32_t i = 0; i < count && old[i].from < from; ++i) {
    entry.transitions.push_back(old[i]);
  }
  if (p.state() != v1::Participation::STATE_UNSPECIFIED) {
    const Transition t = TransitionInto(p, *day);
    if (entry.transitions.empty() ||
        ChangesForReports(entry.transitions.back(), t)) {
      entry.transitions.push_back(t);
    }
  }
  const bool identifies = !entry.transitions.empty();
  Place(index, std::move(entry));
  if (identifies) NotePair(index);
  return true;
}

void ReportProjection::Place(uint32_t index, Entry entry) {
  const uint32_t count = static_cast<uint32_t>(entry.transitions.size());
  if (index == participant_.size()) {
    participant_.push_back(entry.participant);
    track_.push_back(entry.track);
    proposed_.push_back(entry.proposed);
    shares_pair_.push_back(0);
    first_transition_.push_back(static_cast<uint32_t>(transitions_.size()));
    transition_count_.push_back(count);
    transitions_.insert(transitions_.end(), entry.transitions.begin(),
                        entry.transitions.end());
    return;
  }
  // A participation's participant and track never change: nor does
  // whether it shares them.
  participant_[index] = entry.participant;
  track_[index] = entry.track;
  proposed_[index] = entry.proposed;
  const uint32_t old_count = transition_count_[index];
  if (count <= old_count) {
    std::copy(entry.transitions.begin(), entry.transitions.end(),
              transitions_.begin() + first_transition_[index]);
    unused_transitions_ += old_count - count;
  } else {
    first_transition_[index] = static_cast<uint32_t>(transitions_.size());
    transitions_.insert(transitions_.end(), entry.transitions.begin(),
                        entry.transitions.end());
    unused_transitions_ += old_count;
  }
  transition_count_[index] = count;
  if (unused_transitions_ > 1024 &&
      unused_transitions_ > transitions_.size() / 2) {
    CompactTransitions();
  }
}

void ReportProjection::CompactTransitions() {
  HugeVector<Transition> compact;
  compact.reserve(WithRoom(transitions_.size() - unused_transitions_));
  for (size_t i = 0; i < participant_.size(); ++i) {
    const uint32_t first = first_transition_[i];
    first_transition_[i] = static_cast<uint32_t>(compact.size());
    compact.insert(compact.end(), transitions_.begin() + first,
                   transitions_.begin() + first + transition_count_[i]);
  }
  transitions_ = std::move(compact);
  unused_transitions_ = 0;
}

void ReportProjection::NotePair(uint32_t index) {
  auto [first, added] = pair_first_.try_emplace(PairKey(index), index);
  if (!added && first->second != index) {
    shares_pair_[first->second] = 1;
    shares_pair_[index] = 1;
  }
}

absl::Status ReportProjection::Visit(
    absl::FunctionRef<void(uint64_t, const FactNames&, FactsOnDay)> visit) {
  // Counted until the visit is done, under mu_ (which re-evaluates the
  // follower's wait): the follower lets visits that are already waiting go
  // before it takes the lock exclusively to catch up.
  visits_waiting_.fetch_add(1);
  {
    // With nothing to apply (the projection's thread keeps up with the
    // commits), reports share the lock from start to end.
    absl::ReaderMutexLock lock(&mu_, absl::Condition(&loaded_));
    if (shared_pairs_ready_ && storage_->LastSequence() <= applied_through_) {
      VisitColumns(visit);
      visits_waiting_.fetch_sub(1);
      return absl::OkStatus();
    }
  }
  {
    absl::MutexLock lock(&mu_, absl::Condition(&loaded_));
    // The shared pairs, if the checkpoint did not hold them and the
    // follower has not built them yet; first, so that a projection it
    // clears is replayed before the visit. A catch-up with events to apply
    // builds the name maps itself.
    if (!shared_pairs_ready_) CompleteLookups();
    if (absl::Status s = CatchUp(); !s.ok()) {
      visits_waiting_.fetch_sub(1);
      return s;
    }
  }
  absl::ReaderMutexLock lock(&mu_);
  VisitColumns(visit);
  visits_waiting_.fetch_sub(1);
  return absl::OkStatus();
}

void ReportProjection::VisitColumns(
    absl::FunctionRef<void(uint64_t, const FactNames&, FactsOnDay)> visit) {
  // The pass every report makes over millions of participations: reads
  // the columns in order, and per participation only the transitions
  // before the day and the participant's two fields.
  auto facts = [&](absl::CivilDay day,
                   absl::FunctionRef<void(const ParticipationFacts&)> fn)
                   ABSL_NO_THREAD_SAFETY_ANALYSIS {
                     const Day on = ToReportDay(day);
                     const size_t n = participant_.size();
                     ParticipationFacts f;
                     for (size_t i = 0; i < n; ++i) {
                       const Transition* first =
                           transitions_.data() + first_transition_[i];
                       const Transition* then = first + transition_count_[i];
                       while (then != first && then[-1].from > on) --then;
                       if (then == first)
                         continue;  // Not yet proposed on the day.
                       const Transition& t = then[-1];
                       const uint32_t participant = participant_[i];
                       const Person person = people_[participant];
                       f.participant = participant;
                       f.track = track_[i];
                       f.municipality = t.municipality;
                       f.state = static_cast<v1::Participation::State>(t.state);
                       f.gender = static_cast<v1::Gender>(person.gender);
                       f.education =
                           static_cast<v1::EducationLevel>(person.education);
                       f.proposed = proposed_[i] == kNoDay ? on : proposed_[i];
                       f.start = t.start;
                       f.end = t.end;
                       f.outcome_class = t.outcome_class;
                       f.shares_pair = shares_pair_[i] != 0;
                       fn(f);
                     }
                   };
  const FactNames names{.tracks = track_names_,
                        .municipalities = municipalities_,
                        .persons = people_.size()};
  visit(applied_through_, names, facts);
}

size_t ReportProjection::size() { return size_.load(); }

}  // namespace jobtrack
