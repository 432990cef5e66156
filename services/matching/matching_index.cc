#include "services/matching/matching_index.h"

#include <algorithm>
#include <limits>
#include <thread>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "jobtrack/v1/employer.pb.h"
#include "jobtrack/v1/participation.pb.h"
#include "services/common/checkpoint.h"
#include "services/common/events.h"
#include "services/common/log.h"
#include "services/common/record_table.h"
#include "services/common/reference_data.h"
#include "services/common/stable_hash.h"
#include "services/common/terms.h"
#include "services/common/validation.h"
#include "services/matching/scoring.h"
#include "services/tracks/chain.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

// The checkpoint's name in Column::kMeta (see services/common/checkpoint.h).
constexpr absl::string_view kCheckpointName = "matching_index";

// The intakes of a track as a contribution's position refers to them.
uint64_t IntakesFingerprint(const MatchingIndex::TrackView& view) {
  std::string names;
  for (const MatchingIndex::IntakeView& intake : view.intakes) {
    absl::StrAppend(&names, intake.intake->name(), "\n");
  }
  return StableHash64(names);
}

// "tracks/t1" for "tracks/t1" and "tracks/t1/intakes/i1"; "" otherwise.
std::string TrackOf(absl::string_view name) {
  if (!absl::StartsWith(name, "tracks/")) return "";
  const size_t end = name.find('/', 7);
  return std::string(name.substr(0, end));
}

// Parses from a stored participation only the fields Apply reads (name,
// track, intake, state, start and end date, the outcomes' kinds) into
// `p`, skipping the rest: at start-up the index reads every participation
// of the country, and the personal plan, proposal and timestamps it skips
// are most of a record's parsing cost. false if the bytes are malformed.
bool ParseSeatFields(absl::string_view bytes, v1::Participation& p) {
  using google::protobuf::internal::WireFormatLite;
  p.Clear();
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(bytes.data()),
      static_cast<int>(bytes.size()));
  // A length-delimited field's bytes.
  auto read_bytes = [&in](std::string& out) {
    uint32_t size = 0;
    return in.ReadVarint32(&size) &&
           in.ReadString(&out, static_cast<int>(size));
  };
  std::string sub;
  while (const uint32_t tag = in.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    const bool delimited = WireFormatLite::GetTagWireType(tag) ==
                           WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    bool ok = true;
    if (field == v1::Participation::kNameFieldNumber && delimited) {
      ok = read_bytes(*p.mutable_name());
    } else if (field == v1::Participation::kTrackFieldNumber && delimited) {
      ok = read_bytes(*p.mutable_track());
    } else if (field == v1::Participation::kIntakeFieldNumber && delimited) {
      ok = read_bytes(*p.mutable_intake());
    } else if (field == v1::Participation::kStateFieldNumber &&
               WireFormatLite::GetTagWireType(tag) ==
                   WireFormatLite::WIRETYPE_VARINT) {
      uint32_t state = 0;
      ok = in.ReadVarint32(&state);
      p.set_state(static_cast<v1::Participation::State>(state));
    } else if (field == v1::Participation::kStartDateFieldNumber && delimited) {
      ok = read_bytes(sub) && p.mutable_start_date()->ParseFromString(sub);
    } else if (field == v1::Participation::kEndDateFieldNumber && delimited) {
      ok = read_bytes(sub) && p.mutable_end_date()->ParseFromString(sub);
    } else if (field == v1::Participation::kOutcomesFieldNumber && delimited) {
      ok = read_bytes(sub) && p.add_outcomes()->ParseFromString(sub);
    } else {
      ok = WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) return false;
  }
  return in.ConsumedEntireMessage();
}

}  // namespace

bool MatchingIndex::Working(const v1::Participation& p) {
  return std::any_of(p.outcomes().begin(), p.outcomes().end(),
                     [](const v1::Outcome& o) {
                       return o.kind() == v1::WORK_UNSUBSIDIZED ||
                              o.kind() == v1::WORK_SUBSIDIZED;
                     });
}

std::optional<v1::Track::Status> MatchingIndex::TrackView::StatusOn(
    absl::CivilDay day) const {
  std::optional<v1::Track::Status> status;
  for (const auto& [effective, then] : statuses) {
    if (effective > day) break;
    status = then;
  }
  return status;
}

namespace {

// The intake's held seats, for a view not yet published: changed in place
// when this view alone holds them (every vector is created non-const),
// else copied first.
std::vector<SeatInterval>& MutableHeld(MatchingIndex::IntakeView& intake) {
  if (intake.held.use_count() != 1) {
    intake.held = std::make_shared<std::vector<SeatInterval>>(*intake.held);
  }
  return const_cast<std::vector<SeatInterval>&>(*intake.held);
}

}  // namespace

void MatchingIndex::Apply(TrackView& view, Contributions& contributions,
                          const v1::Participation& p) {
  std::vector<IntakeView>& intakes = view.intakes;
  // Stored in the checkpoint: the same in the next process.
  const uint64_t key = StableHash64(p.name());
  if (auto old = contributions.find(key); old != contributions.end()) {
    const Contribution& c = old->second;
    view.completed -= c.completed ? 1 : 0;
    view.working -= c.working ? 1 : 0;
    if (c.intake >= 0) {
      std::vector<SeatInterval>& held = MutableHeld(intakes[c.intake]);
      auto seat = std::find(held.begin(), held.end(), c.seat);
      if (seat != held.end()) held.erase(seat);
    }
    contributions.erase(old);
  }
  Contribution c;
  if (p.state() == v1::Participation::COMPLETED) {
    c.completed = true;
    c.working = Working(p);
  }
  if (std::optional<SeatInterval> seat = SeatOf(p)) {
    if (const int intake = view.IntakeOf(p.intake()); intake >= 0) {
      MutableHeld(intakes[intake]).push_back(*seat);
      c.intake = intake;
      c.seat = *seat;
    }
  }
  if (!c.completed && c.intake < 0) return;
  view.completed += c.completed ? 1 : 0;
  view.working += c.working ? 1 : 0;
  contributions.emplace(key, c);
}

int MatchingIndex::TrackView::IntakeOf(absl::string_view name) const {
  const uint64_t hash = absl::HashOf(name);
  for (auto it = std::lower_bound(intake_hashes.begin(), intake_hashes.end(),
                                  std::make_pair(hash, 0));
       it != intake_hashes.end() && it->first == hash; ++it) {
    if (intakes[it->second].intake->name() == name) return it->second;
  }
  return -1;
}

std::shared_ptr<MatchingIndex::TrackView> MatchingIndex::TrackView::Copy()
    const {
  return std::make_shared<TrackView>(*this);
}

MatchingIndex::MatchingIndex(storage::Storage* storage) : storage_(storage) {}

absl::StatusOr<std::unique_ptr<MatchingIndex>> MatchingIndex::Open(
    storage::Storage* storage) {
  std::unique_ptr<MatchingIndex> index(new MatchingIndex(storage));
  // Follow commits before loading: a commit during the load then refreshes
  // its tracks after the load (refreshes are serialized), never before.
  MatchingIndex* self = index.get();
  index->observer_ = storage->AddCommitObserver(
      [self](const storage::CommittedRecords& committed) {
        self->OnCommit(committed);
      });
  if (absl::Status s = index->LoadAll(); !s.ok()) return s;
  return index;
}

MatchingIndex::~MatchingIndex() { storage_->RemoveCommitObserver(observer_); }

absl::Status MatchingIndex::LoadAll() {
  absl::MutexLock refresh(&refresh_mu_);
  // Before the snapshot: a write after it makes the checkpoint look out
  // of date (then continued from the log in the snapshot), never the
  // reverse.
  absl::StatusOr<std::optional<Checkpoint>> checkpoint =
      LoadCheckpoint(*storage_, kCheckpointName);
  if (!checkpoint.ok()) {
    LogWarning("matching index: checkpoint ignored: ",
               checkpoint.status().ToString());
  }
  std::unique_ptr<storage::Reader> reader = SnapshotForViews();
  // Every track without its participations, then one pass over all
  // participations in key order: a sequential read, where loading track by
  // track would look each participation up at random.
  absl::flat_hash_map<std::string, std::shared_ptr<TrackView>> views;
  std::vector<std::string> names;
  absl::Status s =
      reader->Scan(storage::Column::kRecords, storage::RecordPrefix("tracks"),
                   "", [&](absl::string_view key, absl::string_view) {
                     std::string name = storage::RecordKeyName(key);
                     // Not the intakes, whose records share the prefix.
                     if (TrackOf(name) == name) names.push_back(name);
                     return true;
                   });
  if (!s.ok()) return s;
  auto load_tracks = [&]() -> absl::Status {
    views.clear();
    for (const std::string& name : names) {
      absl::StatusOr<std::shared_ptr<TrackView>> view =
          LoadTrack(*reader, name);
      if (!view.ok()) return view.status();
      if (*view != nullptr) views.emplace(name, *std::move(view));
    }
    return absl::OkStatus();
  };
  if (s = load_tracks(); !s.ok()) return s;
  from_checkpoint_ = false;
  pending_.clear();
  checkpoint_body_.reset();
  contributions_.clear();
  if (checkpoint.ok() && checkpoint->has_value()) {
    Checkpoint& c = **checkpoint;
    if (c.version != kCheckpointVersion) {
      LogInfo("matching index: checkpoint in format ", c.version,
              ", reading every participation");
    } else {
      absl::flat_hash_set<std::string> whole;
      if (Decode(c.body, views, pending_, whole)) {
        checkpoint_body_ =
            std::make_shared<const HugeString>(std::move(c.body));
        absl::StatusOr<bool> continued =
            Continue(*reader, c.current, c.through, views, whole);
        if (!continued.ok()) return continued.status();
        from_checkpoint_ = *continued;
      } else {
        LogWarning("matching index: checkpoint ignored (malformed)");
      }
      if (!from_checkpoint_) {
        // Decode and Continue filled the views in part: start again from
        // the tracks alone.
        pending_.clear();
        checkpoint_body_.reset();
        contributions_.clear();
        if (s = load_tracks(); !s.ok()) return s;
      }
    }
  }
  if (!from_checkpoint_) {
    if (s = ReadParticipations(*reader, views, contributions_); !s.ok()) {
      return s;
    }
  }
  absl::MutexLock lock(&mu_);
  tracks_.clear();
  by_municipality_.clear();
  employer_tracks_.clear();
  stale_.clear();
  for (auto& [name, view] : views) Replace(name, std::move(view));
  return absl::OkStatus();
}

absl::StatusOr<bool> MatchingIndex::Continue(
    storage::Reader& reader, bool current, uint64_t after,
    absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
    const absl::flat_hash_set<std::string>& whole) {
  // Tracks the checkpoint does not hold as they are now (Decode left their
  // views as LoadTrack made them): read whole.
  for (const std::string& name : whole) {
    auto view = views.find(name);
    if (view == views.end()) continue;
    Contributions& mine = contributions_[name];
    mine.clear();
    if (absl::Status s = AddParticipations(reader, *view->second, mine);
        !s.ok()) {
      return s;
    }
  }
  if (current) return true;  // Nothing written since it was saved.
  // Every change of a participation's seat, state or outcome is one of its
  // events (Participations::Commit), so the log names each participation
  // that changed since the checkpoint. Tracks and intakes are read fresh
  // above and by LoadAll; only what the participations add is continued.
  absl::btree_set<std::string> changed;
  uint64_t last = after;
  absl::Status s = ScanEvents(reader, after, [&](v1::Event event) {
    last = static_cast<uint64_t>(event.sequence());
    if (absl::StartsWith(event.resource(), "participations/")) {
      changed.insert(event.resource());
    }
    return true;
  });
  if (!s.ok()) return s;
  const RecordTable<v1::Participation> table(nullptr);
  int applied = 0;
  for (const std::string& name : changed) {
    absl::StatusOr<v1::Participation> p = table.Get(reader, name);
    if (absl::IsNotFound(p.status())) {
      // Never deleted by the service: a log that names one that is not
      // there does not describe this data.
      LogWarning("matching index: the event log names ", name,
                 ", which is not stored; reading every participation");
      return false;
    }
    if (!p.ok()) return p.status();
    if (whole.contains(p->track())) continue;  // Read whole, it included.
    auto view = views.find(p->track());
    if (view == views.end()) continue;
    Contributions* mine = ContributionsOf(p->track());
    if (mine == nullptr) {
      LogWarning("matching index: checkpoint of ", p->track(),
                 " holds a participation twice; reading every participation");
      return false;
    }
    Apply(*view->second, *mine, *p);
    ++applied;
  }
  LogInfo("matching index: checkpoint at event ", after, " continued to ", last,
          ": ", applied, " participations applied, ", whole.size(),
          " tracks read whole");
  return true;
}

absl::Status MatchingIndex::AddParticipations(storage::Reader& reader,
                                              TrackView& view,
                                              Contributions& contributions) {
  const RecordTable<v1::Participation> participations(nullptr);
  absl::StatusOr<std::vector<v1::Participation>> all = participations.WithTerm(
      reader, "participations", Term("track", view.track->name()));
  if (!all.ok()) return all.status();
  for (const v1::Participation& p : *all) Apply(view, contributions, p);
  return absl::OkStatus();
}

absl::Status MatchingIndex::ReadParticipations(
    storage::Reader& reader,
    absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
    absl::flat_hash_map<std::string, Contributions>& contributions) {
  // Reading and parsing two million participations is most of the
  // start-up: two threads take half of the key space each (ids begin with
  // a random letter), and apply what they parsed in batches under one
  // lock. The order of Apply calls does not matter: a track's counts and
  // held seats are sums over its participations.
  absl::Mutex apply_mu;
  const std::string prefix = storage::RecordPrefix("participations");
  const std::string middle = absl::StrCat(prefix, "n");
  auto scan = [&](absl::string_view start_after,
                  absl::string_view stop_after) -> absl::Status {
    constexpr size_t kBatch = 512;
    std::vector<v1::Participation> batch(kBatch);
    size_t n = 0;
    auto apply = [&] {
      absl::MutexLock lock(&apply_mu);
      for (size_t i = 0; i < n; ++i) {
        const v1::Participation& p = batch[i];
        auto view = views.find(p.track());
        if (view != views.end()) {
          Apply(*view->second, contributions[p.track()], p);
        }
      }
      n = 0;
    };
    absl::Status parsed;
    absl::Status s =
        reader.Scan(storage::Column::kRecords, prefix, start_after,
                    [&](absl::string_view key, absl::string_view value) {
                      if (!stop_after.empty() && key > stop_after) return false;
                      if (!ParseSeatFields(value, batch[n])) {
                        parsed = absl::DataLossError(absl::StrCat(
                            "unreadable record ", storage::RecordKeyName(key)));
                        return false;
                      }
                      if (++n == kBatch) apply();
                      return true;
                    });
    apply();
    return s.ok() ? parsed : s;
  };
  absl::Status second_half;
  std::thread helper(
      [&] { second_half = scan(/*start_after=*/middle, /*stop_after=*/""); });
  absl::Status s = scan(/*start_after=*/"", /*stop_after=*/middle);
  helper.join();
  return s.ok() ? second_half : s;
}

namespace {

// A seat's end in a checkpoint when it has none; days are stored as
// SeatInterval's day numbers (since 1970-01-01).
constexpr uint32_t kNoDay = 0x80000000u;

}  // namespace

std::string MatchingIndex::Encode() {
  // A track: its name, its intakes' fingerprint (8 bytes), the number of
  // contributions, and each as its key (8), intake (4, -1 for none), seat
  // start and end (4 + 4) and flags (1: completed, 2: working).
  CheckpointWriter out;
  absl::MutexLock lock(&mu_);
  out.U32(static_cast<uint32_t>(tracks_.size()));
  for (const auto& [name, view] : tracks_) {
    out.String(name);
    out.U64(IntakesFingerprint(*view));
    if (auto pending = pending_.find(name); pending != pending_.end()) {
      // Still as the last checkpoint held them.
      out.U32(pending->second.count);
      out.Bytes(
          absl::string_view(*checkpoint_body_)
              .substr(pending->second.offset,
                      size_t{pending->second.count} * kContributionBytes));
      continue;
    }
    auto it = contributions_.find(name);
    if (it == contributions_.end()) {
      out.U32(0);
      continue;
    }
    out.U32(static_cast<uint32_t>(it->second.size()));
    for (const auto& [key, c] : it->second) {
      out.U64(key);
      out.U32(static_cast<uint32_t>(c.intake));
      out.U32(static_cast<uint32_t>(c.seat.start_day()));
      out.U32(c.seat.end_day() == SeatInterval::kOpen
                  ? kNoDay
                  : static_cast<uint32_t>(c.seat.end_day()));
      out.U8((c.completed ? 1 : 0) | (c.working ? 2 : 0));
    }
  }
  return std::move(out.body());
}

bool MatchingIndex::ReadContribution(CheckpointReader& in, size_t intakes,
                                     uint64_t& key, Contribution& c) {
  uint32_t intake = 0, start = 0, end = 0;
  uint8_t flags = 0;
  if (!in.U64(key) || !in.U32(intake) || !in.U32(start) || !in.U32(end) ||
      !in.U8(flags) || flags > 3) {
    return false;
  }
  c.intake = static_cast<int32_t>(intake);
  c.completed = (flags & 1) != 0;
  c.working = (flags & 2) != 0;
  c.seat = SeatInterval::FromDayNumbers(
      static_cast<int32_t>(start),
      end == kNoDay ? SeatInterval::kOpen : static_cast<int32_t>(end));
  return c.intake >= -1 && c.intake < static_cast<int>(intakes) &&
         (c.intake >= 0 || c.completed) && (!c.working || c.completed);
}

bool MatchingIndex::Decode(
    absl::string_view body,
    absl::flat_hash_map<std::string, std::shared_ptr<TrackView>>& views,
    absl::flat_hash_map<std::string, PendingContributions>& pending,
    absl::flat_hash_set<std::string>& whole) {
  CheckpointReader in(body);
  uint32_t tracks = 0;
  if (!in.U32(tracks)) return false;
  pending.reserve(std::min<size_t>(tracks, views.size()));
  absl::flat_hash_set<absl::string_view> seen;
  for (uint32_t i = 0; i < tracks; ++i) {
    absl::string_view name;
    uint64_t fingerprint = 0;
    uint32_t n = 0;
    if (!in.String(name) || !in.U64(fingerprint) || !in.U32(n) ||
        !in.CanHold(n, kContributionBytes) || !seen.insert(name).second) {
      return false;
    }
    const size_t offset = body.size() - in.remaining();
    auto view = views.find(name);
    if (view == views.end() ||
        fingerprint != IntakesFingerprint(*view->second)) {
      // Gone since, or its intakes changed: its contributions' positions
      // mean nothing now (Continue reads the track whole).
      absl::string_view skipped;
      if (!in.Bytes(size_t{n} * kContributionBytes, skipped)) return false;
      if (view != views.end()) whole.emplace(name);
      continue;
    }
    pending.try_emplace(name, PendingContributions{offset, n});
    // The seats and counts now; the map by participation when a commit
    // first needs it (ContributionsOf).
    TrackView& v = *view->second;
    uint64_t key = 0;
    Contribution c;
    for (uint32_t k = 0; k < n; ++k) {
      if (!ReadContribution(in, v.intakes.size(), key, c)) return false;
      v.completed += c.completed ? 1 : 0;
      v.working += c.working ? 1 : 0;
      if (c.intake >= 0) MutableHeld(v.intakes[c.intake]).push_back(c.seat);
    }
  }
  // Tracks created since.
  for (const auto& [name, view] : views) {
    if (!seen.contains(name)) whole.insert(name);
  }
  return in.done();
}

MatchingIndex::Contributions* MatchingIndex::ContributionsOf(
    const std::string& track) {
  auto pending = pending_.find(track);
  if (pending == pending_.end()) return &contributions_[track];
  const PendingContributions where = pending->second;
  pending_.erase(pending);
  Contributions& mine = contributions_[track];
  mine.clear();
  mine.reserve(where.count);
  CheckpointReader in(
      absl::string_view(*checkpoint_body_)
          .substr(where.offset, size_t{where.count} * kContributionBytes));
  uint64_t key = 0;
  Contribution c;
  bool ok = true;
  for (uint32_t k = 0; k < where.count && ok; ++k) {
    // Checked by Decode already, but for a repeated participation.
    ok = ReadContribution(in, std::numeric_limits<int>::max(), key, c) &&
         mine.emplace(key, c).second;
  }
  if (pending_.empty()) checkpoint_body_.reset();
  if (!ok) {
    contributions_.erase(track);
    return nullptr;
  }
  return &mine;
}

absl::Status MatchingIndex::CheckNoneStale() {
  absl::MutexLock lock(&mu_);
  if (stale_.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("matching index: ", stale_.size(),
                   " track views are stale; checkpoint not saved"));
}

absl::Status MatchingIndex::SaveCheckpoint() {
  absl::MutexLock refresh(&refresh_mu_);
  absl::StatusOr<bool> current =
      CheckpointIsCurrent(*storage_, kCheckpointName, kCheckpointVersion);
  if (!current.ok()) return current.status();
  if (*current) return absl::OkStatus();
  if (absl::Status s = CheckNoneStale(); !s.ok()) return s;
  // Not a record: commit observers are not called, so holding refresh_mu_
  // across the commit cannot deadlock.
  return jobtrack::SaveCheckpoint(*storage_, kCheckpointName,
                                  kCheckpointVersion, storage_->LastSequence(),
                                  Encode());
}

absl::Status MatchingIndex::SaveCheckpointWhileServing() {
  std::string body;
  uint64_t through = 0;
  {
    // Observers apply commits under refresh_mu_: while it is held, every
    // commit below `through` has been applied and none is half-applied.
    // Later ones may be in the body too; the next Open applies them again
    // from the log, which replaces what they contributed.
    absl::MutexLock refresh(&refresh_mu_);
    through = storage_->LastObservedSequence();
    if (through == saved_through_) return absl::OkStatus();
    if (absl::Status s = CheckNoneStale(); !s.ok()) return s;
    body = Encode();
  }
  if (absl::Status s = jobtrack::SaveCheckpointWhileServing(
          *storage_, kCheckpointName, kCheckpointVersion, through, body);
      !s.ok()) {
    return s;
  }
  absl::MutexLock refresh(&refresh_mu_);
  saved_through_ = std::max(saved_through_, through);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const MatchingIndex::TrackView>>
MatchingIndex::Load(storage::Reader& reader, absl::string_view name,
                    Contributions& contributions) {
  absl::StatusOr<std::shared_ptr<TrackView>> view = LoadTrack(reader, name);
  if (!view.ok() || *view == nullptr) return view;
  if (absl::Status s = AddParticipations(reader, **view, contributions);
      !s.ok()) {
    return s;
  }
  return std::shared_ptr<const TrackView>(*std::move(view));
}

absl::StatusOr<std::shared_ptr<MatchingIndex::TrackView>>
MatchingIndex::LoadTrack(storage::Reader& reader, absl::string_view name) {
  const RecordTable<v1::Track> tracks(nullptr);
  absl::StatusOr<v1::Track> track = tracks.Get(reader, name);
  if (absl::IsNotFound(track.status())) return std::shared_ptr<TrackView>();
  if (!track.ok()) return track.status();
  auto view = std::make_shared<TrackView>();
  view->track = std::make_shared<const v1::Track>(*std::move(track));
  const v1::Track& t = *view->track;
  for (const v1::Track::Revision& r : t.history()) {
    std::optional<absl::CivilDay> effective = ToCivilDay(r.effective_date());
    if (!effective) break;  // As RevisionAsOf: history ends there.
    view->statuses.emplace_back(*effective, r.status());
  }
  if (!t.sni_code().empty()) {
    view->sni_section = ReferenceData::Get().SniSection(t.sni_code());
  }

  const RecordTable<v1::Employer> employers(nullptr);
  for (const std::string& employer_name : t.employers()) {
    absl::StatusOr<v1::Employer> employer =
        employers.Get(reader, employer_name);
    if (employer.ok()) {
      view->workplaces.push_back(employer->municipality_code());
    } else if (!absl::IsNotFound(employer.status())) {
      return employer.status();
    }
  }
  if (view->workplaces.empty() && !t.municipality_codes().empty()) {
    view->workplaces.push_back(t.municipality_codes(0));
  }

  // In id order, which is name order.
  absl::StatusOr<std::vector<v1::Intake>> intakes =
      RecordTable<v1::Intake>(nullptr).All(reader,
                                           absl::StrCat(t.name(), "/intakes"));
  if (!intakes.ok()) return intakes.status();
  for (v1::Intake& stored : *intakes) {
    IntakeView& intake = view->intakes.emplace_back();
    intake.intake = std::make_shared<const v1::Intake>(std::move(stored));
    std::optional<absl::CivilDay> start =
        ToCivilDay(intake.intake->start_date());
    if (!start) {
      return absl::DataLossError(
          absl::StrCat(intake.intake->name(), " has no valid start date"));
    }
    intake.start_date = *start;
    if (HasDate(intake.intake->end_date())) {
      intake.end_date = ToCivilDay(intake.intake->end_date());
    }
    intake.chain = ChainVersion(t, intake.intake->chain_version());
    if (intake.chain == nullptr) intake.chain = &t.chain();
    intake.plan_weeks = PlanWeeksByBackground(*intake.chain);
  }
  for (size_t i = 0; i < view->intakes.size(); ++i) {
    view->intake_hashes.emplace_back(
        absl::HashOf(absl::string_view(view->intakes[i].intake->name())),
        static_cast<int>(i));
  }
  std::sort(view->intake_hashes.begin(), view->intake_hashes.end());
  for (int background = 0; background < 4; ++background) {
    int shortest = 0;
    for (const IntakeView& intake : view->intakes) {
      if (&intake == &view->intakes.front() ||
          intake.plan_weeks[background] < shortest) {
        shortest = intake.plan_weeks[background];
      }
    }
    view->shortest_plan_weeks[background] = shortest;
  }

  return view;
}

void MatchingIndex::Replace(const std::string& name,
                            std::shared_ptr<const TrackView> view) {
  auto old = tracks_.find(name);
  if (old != tracks_.end()) {
    const TrackView* before = old->second.get();
    for (const std::string& m : before->track->municipality_codes()) {
      auto& list = by_municipality_[m];
      list.erase(
          std::remove_if(list.begin(), list.end(),
                         [&](const auto& t) { return t.view.get() == before; }),
          list.end());
    }
    for (const std::string& e : before->track->employers()) {
      employer_tracks_[e].erase(name);
    }
    tracks_.erase(old);
  }
  stale_.erase(name);
  if (view == nullptr) return;
  for (const std::string& m : view->track->municipality_codes()) {
    auto& list = by_municipality_[m];
    list.insert(std::lower_bound(list.begin(), list.end(), name,
                                 [](const auto& t, const std::string& n) {
                                   return t.view->track->name() < n;
                                 }),
                LocalTrackOf(view, m));
  }
  for (const std::string& e : view->track->employers()) {
    employer_tracks_[e].insert(name);
  }
  tracks_.emplace(name, std::move(view));
}

MatchingIndex::LocalTrack MatchingIndex::LocalTrackOf(
    std::shared_ptr<const TrackView> view, absl::string_view municipality) {
  LocalTrack local;
  const v1::Track& t = *view->track;
  if (!view->statuses.empty()) {
    local.stable_from = view->statuses.back().first;
    local.status = view->statuses.back().second;
  } else {
    // No valid history: never existed, as StatusOn says.
    local.stable_from = absl::CivilDay::max();
  }
  local.kind = t.kind();
  local.min_swedish_level = t.requirements().min_swedish_level();
  local.min_education_level = t.requirements().min_education_level();
  local.driving_licence = t.requirements().driving_licence();
  for (size_t i = 0; i < t.ssyk_code().size() && i < local.ssyk.size(); ++i) {
    local.ssyk[i] = t.ssyk_code()[i];
  }
  if (!view->sni_section.empty()) local.sni_section = view->sni_section[0];
  local.geography = GeographyValue(municipality, view->workplaces);
  local.completed = view->completed;
  local.working = view->working;
  local.shortest_plan_weeks = view->shortest_plan_weeks;
  local.view = std::move(view);
  return local;
}

absl::Status MatchingIndex::Refresh(
    const absl::flat_hash_set<std::string>& names) {
  std::unique_ptr<storage::Reader> reader = SnapshotForViews();
  absl::Status first_error;
  for (const std::string& name : names) {
    Contributions contributions;
    absl::StatusOr<std::shared_ptr<const TrackView>> view =
        Load(*reader, name, contributions);
    if (view.ok()) {
      pending_.erase(name);
      if (*view == nullptr) {
        contributions_.erase(name);
      } else {
        contributions_[name] = std::move(contributions);
      }
    }
    absl::MutexLock lock(&mu_);
    if (view.ok()) {
      Replace(name, *std::move(view));
    } else {
      stale_.insert(name);
      if (first_error.ok()) first_error = view.status();
    }
  }
  if (!first_error.ok()) {
    LogWarning(absl::StrCat("matching index: refresh failed, tracks stale: ",
                            first_error.ToString()));
  }
  return first_error;
}

void MatchingIndex::OnCommit(const storage::CommittedRecords& committed) {
  absl::flat_hash_set<std::string> names;
  // Each participation with the value the commit wrote last.
  absl::flat_hash_map<std::string, const std::optional<std::string>*> written;
  {
    absl::MutexLock lock(&mu_);
    for (const storage::CommittedRecords::Record& record : committed.records) {
      std::string name = storage::RecordKeyName(record.key);
      if (std::string track = TrackOf(name); !track.empty()) {
        names.insert(std::move(track));
      } else if (absl::StartsWith(name, "employers/")) {
        auto it = employer_tracks_.find(name);
        if (it != employer_tracks_.end()) {
          names.insert(it->second.begin(), it->second.end());
        }
      } else if (absl::StartsWith(name, "participations/")) {
        written[std::move(name)] = &record.value;
      }
    }
  }
  if (names.empty() && written.empty()) return;
  absl::MutexLock refresh(&refresh_mu_);
  ApplyParticipations(written, committed.first_sequence, names);
  if (!names.empty()) Refresh(names).IgnoreError();  // Logged; stays stale.
}

std::unique_ptr<storage::Reader> MatchingIndex::SnapshotForViews() {
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  // Read after the snapshot: every commit in it reserved its sequences
  // before.
  snapshot_through_ =
      std::max(snapshot_through_, storage_->LastReservedSequence());
  return reader;
}

void MatchingIndex::ApplyParticipations(
    const absl::flat_hash_map<std::string, const std::optional<std::string>*>&
        written,
    uint64_t first_sequence, absl::flat_hash_set<std::string>& reload) {
  if (written.empty()) return;
  if (applied_.size() >= prune_applied_at_) {
    const uint64_t observed = storage_->LastObservedSequence();
    absl::erase_if(applied_,
                   [observed](const auto& a) { return a.second <= observed; });
    prune_applied_at_ = std::max<size_t>(64, 2 * applied_.size());
  }
  std::unique_ptr<storage::Reader> reader;
  const RecordTable<v1::Participation> table(nullptr);
  absl::flat_hash_map<std::string, std::vector<v1::Participation>> by_track;
  for (const auto& [name, value] : written) {
    absl::StatusOr<v1::Participation> p;
    auto applied = applied_.find(name);
    if (first_sequence != 0 && applied != applied_.end() &&
        applied->second > first_sequence) {
      continue;  // A later commit's value is applied already.
    }
    if (first_sequence > snapshot_through_ && value->has_value()) {
      // Newer than every snapshot the views were read from, and than any
      // value applied: the commit's own value is the newest state.
      p = RecordTable<v1::Participation>::Parse(name, **value);
      if (p.ok()) applied_[name] = first_sequence;
    } else {
      // Without a sequence to order it by, or perhaps older than what a
      // snapshot gave: read what is stored now, under refresh_mu_ and after
      // the commit, so whatever order commits call in, the last to apply a
      // participation applies its newest state.
      if (reader == nullptr) reader = SnapshotForViews();
      p = table.Get(*reader, name);
    }
    if (p.ok()) {
      by_track[p->track()].push_back(*std::move(p));
    } else if (!absl::IsNotFound(p.status())) {
      // The track is unknown: every track is suspect until Fresh().
      LogWarning(absl::StrCat("matching index: cannot read ", name, ": ",
                              p.status().ToString()));
      absl::MutexLock lock(&mu_);
      for (const auto& [track, view] : tracks_) stale_.insert(track);
    }
  }
  for (auto& [track, changed] : by_track) {
    if (reload.contains(track)) continue;  // Re-read whole anyway.
    std::shared_ptr<TrackView> view;
    {
      absl::MutexLock lock(&mu_);
      auto it = tracks_.find(track);
      if (it == tracks_.end() || stale_.contains(track)) {
        reload.insert(track);
        continue;
      }
      view = it->second->Copy();
    }
    Contributions* contributions = ContributionsOf(track);
    if (contributions == nullptr) {
      LogWarning("matching index: checkpoint of ", track,
                 " holds a participation twice; reading it whole");
      reload.insert(track);
      continue;
    }
    for (const v1::Participation& p : changed) {
      Apply(*view, *contributions, p);
    }
    absl::MutexLock lock(&mu_);
    ReplaceCounts(track, std::move(view));
  }
}

void MatchingIndex::ReplaceCounts(const std::string& name,
                                  std::shared_ptr<const TrackView> view) {
  for (const std::string& m : view->track->municipality_codes()) {
    auto& list = by_municipality_[m];
    auto it = std::lower_bound(list.begin(), list.end(), name,
                               [](const auto& t, const std::string& n) {
                                 return t.view->track->name() < n;
                               });
    if (it == list.end() || it->view->track->name() != name) continue;
    it->completed = view->completed;
    it->working = view->working;
    it->view = view;
  }
  tracks_[name] = std::move(view);
}

absl::Status MatchingIndex::Fresh() {
  absl::flat_hash_set<std::string> stale;
  {
    absl::MutexLock lock(&mu_);
    if (stale_.empty()) return absl::OkStatus();
    stale = stale_;
  }
  absl::MutexLock refresh(&refresh_mu_);
  return Refresh(stale);
}

absl::Status MatchingIndex::VisitTracksIn(
    absl::string_view municipality,
    absl::FunctionRef<void(absl::Span<const LocalTrack>)> visit) {
  if (absl::Status s = Fresh(); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_municipality_.find(municipality);
  if (it == by_municipality_.end()) {
    visit({});
  } else {
    visit(it->second);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const MatchingIndex::TrackView>>
MatchingIndex::Find(absl::string_view name) {
  if (absl::Status s = Fresh(); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  auto it = tracks_.find(name);
  if (it == tracks_.end()) {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  return it->second;
}

std::shared_ptr<const v1::Track> MatchingIndex::HeldTrack(
    absl::string_view name) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = tracks_.find(name);
  if (it == tracks_.end() || stale_.contains(name)) return nullptr;
  return it->second->track;
}

}  // namespace jobtrack
