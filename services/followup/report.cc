#include "services/followup/report.h"

#include <algorithm>
#include <array>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/record_table.h"
#include "services/common/reference_data.h"
#include "services/common/validation.h"
#include "services/followup/distinct_persons.h"
#include "services/participations/lifecycle.h"
#include "services/participations/seats.h"
#include "services/tracks/chain.h"
#include "services/tracks/track_history.h"
#include "storage/keys.h"

namespace jobtrack {

int OutcomeClass(const v1::Participation& p) {
  const v1::Outcome* latest = LatestOutcome(p);
  if (latest == nullptr) return 4;
  switch (latest->kind()) {
    case v1::WORK_UNSUBSIDIZED:
      return 0;
    case v1::WORK_SUBSIDIZED:
      return 1;
    case v1::STUDIES:
      return 2;
    case v1::OUTCOME_OTHER:
      return 3;
    default:
      return 4;
  }
}

const v1::Outcome* LatestOutcome(const v1::Participation& p) {
  const v1::Outcome* latest = nullptr;
  for (const v1::Outcome& o : p.outcomes()) {
    if (latest == nullptr || *ToCivilDay(o.effective_date()) >=
                                 *ToCivilDay(latest->effective_date())) {
      latest = &o;
    }
  }
  return latest;
}

namespace {

using Unit = v1::Figure::Unit;

constexpr v1::Track::Kind kKinds[] = {
    v1::Track::PREPARATORY, v1::Track::EMPLOYER_DIRECTED,
    v1::Track::ENTREPRENEUR, v1::Track::OTHER};
constexpr v1::Gender kGenders[] = {v1::FEMALE, v1::MALE,
                                   v1::GENDER_UNSPECIFIED};
constexpr v1::Employer::Sector kSectors[] = {
    v1::Employer::PRIVATE, v1::Employer::MUNICIPAL, v1::Employer::OTHER_PUBLIC};
// Outcome classes, in figure order.
constexpr const char* kOutcomeClasses[] = {"working_unsubsidized",
                                           "working_subsidized", "studying",
                                           "other", "unknown"};

std::string GenderId(v1::Gender g) {
  switch (g) {
    case v1::FEMALE:
      return "women";
    case v1::MALE:
      return "men";
    default:
      return "gender_unspecified";
  }
}

// Counters by gender and by track kind are arrays indexed by these slots;
// a value outside the enum (proto3 enums are open) gets the last slot,
// which no figure reads by itself.
constexpr int kGenderSlots = 4;
int GenderSlot(v1::Gender g) {
  return g >= 0 && g < kGenderSlots - 1 ? static_cast<int>(g)
                                        : kGenderSlots - 1;
}
constexpr int kKindSlots = 6;
uint8_t KindSlot(v1::Track::Kind kind) {
  return static_cast<uint8_t>(kind >= 0 && kind < kKindSlots - 1
                                  ? static_cast<int>(kind)
                                  : kKindSlots - 1);
}

std::string KindId(v1::Track::Kind kind) {
  return absl::AsciiStrToLower(v1::Track::Kind_Name(kind));
}

// Collects figures in the order they are added.
class FigureList {
 public:
  void Count(std::string id, Unit unit, int64_t n) {
    Share(std::move(id), unit, n, 0);
    figures_.back().set_share(false);
  }
  void Share(std::string id, Unit unit, int64_t numerator,
             int64_t denominator) {
    v1::Figure& f = figures_.emplace_back();
    f.set_share(true);
    f.set_id(std::move(id));
    f.set_unit(unit);
    f.set_numerator(numerator);
    f.set_denominator(denominator);
  }
  std::vector<v1::Figure> Take() { return std::move(figures_); }

 private:
  std::vector<v1::Figure> figures_;
};

// The education-form class of a chain: a partition of tracks.
const char* EducationClass(const v1::ModuleChain& chain) {
  bool komvux = false, aub = false, folk = false, internal = false;
  for (const v1::ChainStage& stage : chain.stages()) {
    for (const v1::ChainStep& step : stage.steps()) {
      komvux |= step.education_form() == v1::KOMVUX;
      aub |= step.education_form() == v1::AUB;
      folk |= step.education_form() == v1::FOLKHOGSKOLA;
      internal |= step.education_form() == v1::INTERNAL;
    }
  }
  if (komvux && aub) return "komvux_and_aub";
  if (komvux) return "komvux_only";
  if (aub) return "aub_only";
  if (folk) return "folkhogskola";
  if (internal) return "internal";
  return "other";
}
constexpr const char* kEducationClasses[] = {"komvux_only",    "aub_only",
                                             "komvux_and_aub", "folkhogskola",
                                             "internal",       "other"};

}  // namespace

ReportDay ToReportDay(absl::CivilDay day) {
  return static_cast<ReportDay>(day - absl::CivilDay(1970, 1, 1));
}

absl::StatusOr<FollowUpData> LoadFollowUpRecords(storage::Reader& reader) {
  FollowUpData data;
  absl::StatusOr<std::vector<v1::Track>> tracks =
      RecordTable<v1::Track>(nullptr).All(reader, "tracks");
  if (!tracks.ok()) return tracks.status();
  data.tracks = *std::move(tracks);
  absl::StatusOr<std::vector<v1::Employer>> employers =
      RecordTable<v1::Employer>(nullptr).All(reader, "employers");
  if (!employers.ok()) return employers.status();
  for (v1::Employer& e : *employers) data.employers[e.name()] = std::move(e);
  return data;
}

absl::StatusOr<FollowUpData> LoadFollowUpData(storage::Reader& reader) {
  absl::StatusOr<FollowUpData> records = LoadFollowUpRecords(reader);
  if (!records.ok()) return records.status();
  FollowUpData data = *std::move(records);
  absl::StatusOr<std::vector<v1::Participant>> participants =
      RecordTable<v1::Participant>(nullptr).All(reader, "participants");
  if (!participants.ok()) return participants.status();
  for (v1::Participant& p : *participants) {
    data.participants[p.name()] = std::move(p);
  }
  absl::Status s = ScanEvents(reader, 0, [&](v1::Event event) {
    data.last_sequence =
        std::max(data.last_sequence, static_cast<uint64_t>(event.sequence()));
    if (absl::StartsWith(event.resource(), "participations/")) {
      data.participations[event.resource()].push_back(std::move(event));
    }
    return true;
  });
  if (!s.ok()) return s;
  return data;
}

absl::StatusOr<std::optional<ParticipationOnDay>> ReplayToDay(
    absl::string_view name, absl::Span<const v1::Event> events,
    absl::CivilDay day, uint64_t known_at) {
  std::vector<v1::Event> known;
  for (const v1::Event& e : events) {
    if (static_cast<uint64_t>(e.sequence()) <= known_at) known.push_back(e);
  }
  if (known.empty()) return std::nullopt;
  ReplayOptions replay;
  replay.as_of = day;
  replay.known_at = known_at;
  absl::StatusOr<v1::Participation> p = Replay(name, known, replay);
  if (!p.ok()) return p.status();
  if (p->state() == v1::Participation::STATE_UNSPECIFIED) return std::nullopt;
  std::optional<absl::CivilDay> proposed;
  for (const v1::Event& e : known) {
    if (e.has_proposed()) proposed = ToCivilDay(e.effective_date());
  }
  return ParticipationOnDay{*std::move(p), proposed.value_or(day)};
}

absl::StatusOr<std::vector<ParticipationOnDay>> ReplayParticipations(
    const FollowUpData& data, absl::CivilDay day, uint64_t known_at) {
  std::vector<ParticipationOnDay> participations;
  participations.reserve(data.participations.size());
  for (const auto& [name, events] : data.participations) {
    absl::StatusOr<std::optional<ParticipationOnDay>> p =
        ReplayToDay(name, events, day, known_at);
    if (!p.ok()) return p.status();
    if (*p) participations.push_back(**std::move(p));
  }
  // Deterministic order, whatever the hash map's.
  std::sort(participations.begin(), participations.end(),
            [](const ParticipationOnDay& a, const ParticipationOnDay& b) {
              return a.p.name() < b.p.name();
            });
  return participations;
}

std::vector<v1::Figure> ComputeFigures(
    const FollowUpData& data,
    absl::Span<const ParticipationOnDay> participations, absl::CivilDay day,
    const ResolvedScope& scope, const FollowUpOptions& options) {
  std::vector<std::string> track_names, municipalities;
  absl::flat_hash_map<absl::string_view, uint32_t> track_ids, person_ids,
      municipality_ids;
  // The dense id of `name` in `ids`, adding it to `names` if new.
  auto id_of = [](absl::flat_hash_map<absl::string_view, uint32_t>& ids,
                  std::vector<std::string>* names, absl::string_view name) {
    auto [it, added] = ids.try_emplace(name, static_cast<uint32_t>(ids.size()));
    if (added && names != nullptr) names->emplace_back(name);
    return it->second;
  };
  std::vector<ParticipationFacts> facts;
  facts.reserve(participations.size());
  for (const ParticipationOnDay& r : participations) {
    const v1::Participation& p = r.p;
    ParticipationFacts& f = facts.emplace_back();
    f.participant = id_of(person_ids, nullptr, p.participant());
    f.track = id_of(track_ids, &track_names, p.track());
    f.municipality =
        id_of(municipality_ids, &municipalities, p.home_municipality_code());
    f.state = p.state();
    if (auto it = data.participants.find(p.participant());
        it != data.participants.end()) {
      f.gender = it->second.gender();
      f.education = it->second.education_level();
    }
    f.proposed = ToReportDay(r.proposed);
    if (HasDate(p.start_date())) {
      f.start = ToReportDay(*ToCivilDay(p.start_date()));
    }
    if (HasDate(p.end_date())) f.end = ToReportDay(*ToCivilDay(p.end_date()));
    f.outcome_class = OutcomeClass(p);
  }
  // Named: the inputs only refer to it.
  auto visit_all =
      [&](absl::FunctionRef<void(const ParticipationFacts&)> visit) {
        for (const ParticipationFacts& f : facts) visit(f);
      };
  std::vector<const v1::Track*> tracks;
  tracks.reserve(data.tracks.size());
  for (const v1::Track& t : data.tracks) tracks.push_back(&t);
  auto employer = [&](absl::string_view name) -> const v1::Employer* {
    auto it = data.employers.find(name);
    return it == data.employers.end() ? nullptr : &it->second;
  };
  const ReportInputs inputs{.tracks = tracks,
                            .employer = employer,
                            .names = {.tracks = track_names,
                                      .municipalities = municipalities,
                                      .persons = person_ids.size()},
                            .participations = visit_all};
  return ComputeFigures(inputs, day, scope, options);
}

absl::StatusOr<std::vector<v1::Figure>> ComputeFigures(
    const FollowUpData& data, absl::CivilDay day, const ResolvedScope& scope,
    uint64_t known_at, const FollowUpOptions& options) {
  absl::StatusOr<std::vector<ParticipationOnDay>> participations =
      ReplayParticipations(data, day, known_at);
  if (!participations.ok()) return participations.status();
  return ComputeFigures(data, *participations, day, scope, options);
}

std::vector<v1::Figure> ComputeFigures(const ReportInputs& in,
                                       absl::CivilDay day,
                                       const ResolvedScope& scope,
                                       const FollowUpOptions& options) {
  const ReferenceData& ref = ReferenceData::Get();
  const absl::CivilDay year_start(day.year(), 1, 1);

  // Each track as it was on the day.
  struct TrackThen {
    const v1::Track* track;
    const v1::Track::Revision* revision;
  };
  absl::flat_hash_map<std::string, TrackThen> then;
  for (const v1::Track* t : in.tracks) {
    if (const v1::Track::Revision* r = RevisionInForce(*t, day)) {
      then[t->name()] = {t, r};
    }
  }
  auto track_in_scope = [&](const TrackThen& t) {
    if (!scope.track.empty()) return t.track->name() == scope.track;
    if (scope.municipalities.empty()) return true;
    return std::any_of(
        t.revision->municipality_codes().begin(),
        t.revision->municipality_codes().end(),
        [&](const std::string& m) { return scope.municipalities.contains(m); });
  };
  // What the pass reads about each track and municipality, by their ids
  // in the facts, looked up once here rather than per participation.
  const absl::Span<const std::string> track_names = in.names.tracks;
  std::vector<uint8_t> track_kind(track_names.size(),
                                  v1::Track::KIND_UNSPECIFIED);
  std::vector<uint8_t> track_selected(track_names.size(), 0);
  for (size_t i = 0; i < track_names.size(); ++i) {
    if (auto it = then.find(track_names[i]); it != then.end()) {
      track_kind[i] = KindSlot(it->second.revision->kind());
    }
    track_selected[i] = track_names[i] == scope.track;
  }
  std::vector<uint8_t> municipality_selected(in.names.municipalities.size(), 0);
  for (size_t i = 0; i < municipality_selected.size(); ++i) {
    municipality_selected[i] =
        scope.municipalities.contains(in.names.municipalities[i]);
  }
  const bool by_track = !scope.track.empty();
  const bool everywhere = !by_track && scope.municipalities.empty();
  const ReportDay today = ToReportDay(day);
  const ReportDay this_year = ToReportDay(year_start);
  const ReportDay series_start = ToReportDay(options.series_start);

  // One pass over the participations. Who started each track up to the day
  // (distinct participants, and of them pre-upper-secondary) counts for the
  // track whatever the scope; everything else only in scope. Counters are
  // arrays by gender slot and kind slot: this loop runs millions of times.
  std::vector<int64_t> starters(track_names.size());
  std::vector<int64_t> starters_pre(track_names.size());
  PassScratch own;
  PassScratch& scratch = in.scratch != nullptr ? *in.scratch : own;
  scratch.Reset(in.names.persons);
  PersonTrackSet& started_tracks = scratch.started_tracks;
  PersonMarks& active = scratch.active;
  PersonMarks& started_since = scratch.started_since;
  int64_t completed = 0, interrupted = 0, expired = 0;
  std::array<int64_t, kGenderSlots> completed_by_gender{}, working_by_gender{},
      proposals_by_gender{}, enrolled_by_gender{};
  // [basis 0 completed / 1 ended][kind slot][class]
  std::array<std::array<std::array<int64_t, 5>, kKindSlots>, 2> outcomes{};
  in.participations([&](const ParticipationFacts& p) {
    const bool started = HasStarted(p.state);
    if (started) {
      if (!p.shares_pair || started_tracks.Insert(p.participant, p.track)) {
        ++starters[p.track];
        if (p.education == v1::PRE_UPPER_SECONDARY) ++starters_pre[p.track];
      }
    }
    if (!everywhere && !(by_track ? track_selected[p.track]
                                  : municipality_selected[p.municipality])) {
      return;
    }
    const int gender = GenderSlot(p.gender);
    ++proposals_by_gender[gender];
    if (started) ++enrolled_by_gender[gender];
    if (p.state == v1::Participation::PROPOSED &&
        today - p.proposed > options.proposal_expiry_days) {
      ++expired;
    }
    if (!started || p.start == kNoReportDay) return;
    const int kind = track_kind[p.track];
    if (p.start <= today && (p.end == kNoReportDay || p.end >= today) &&
        (kind == v1::Track::PREPARATORY ||
         kind == v1::Track::EMPLOYER_DIRECTED)) {
      active.Mark(p.participant, p.gender);
    }
    if (p.start >= series_start && p.start <= today) {
      started_since.Mark(p.participant, p.gender);
    }
    if (p.end != kNoReportDay && p.end >= this_year && p.end <= today) {
      const int outcome = p.outcome_class;
      ++outcomes[1][kind][outcome];
      if (p.state == v1::Participation::COMPLETED) {
        ++completed;
        ++completed_by_gender[gender];
        if (outcome <= 1) ++working_by_gender[gender];
        ++outcomes[0][kind][outcome];
      } else {
        ++interrupted;
      }
    }
  });

  // --- Tracks.
  std::vector<const TrackThen*> ongoing;
  int64_t planned = 0;
  std::vector<std::string> names;
  for (const auto& [name, t] : then) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const TrackThen& t = then[name];
    if (!track_in_scope(t)) continue;
    const v1::Track::Status status = t.revision->status();
    if (status == v1::Track::OPEN || status == v1::Track::PAUSED) {
      ongoing.push_back(&t);
    } else if (status == v1::Track::PLANNED) {
      ++planned;
    }
  }
  const int64_t n_ongoing = static_cast<int64_t>(ongoing.size());
  FigureList figures;
  figures.Count("tracks.ongoing", v1::Figure::TRACKS, n_ongoing);
  figures.Count("tracks.planned", v1::Figure::TRACKS, planned);
  for (v1::Track::Kind kind : kKinds) {
    figures.Share(
        absl::StrCat("tracks.ongoing.kind.", KindId(kind)), v1::Figure::TRACKS,
        std::count_if(
            ongoing.begin(), ongoing.end(),
            [&](const TrackThen* t) { return t->revision->kind() == kind; }),
        n_ongoing);
  }
  int64_t majority_pre = 0;
  absl::flat_hash_map<absl::string_view, size_t> track_ids;
  for (size_t i = 0; i < track_names.size(); ++i) track_ids[track_names[i]] = i;
  for (const TrackThen* t : ongoing) {
    auto id = track_ids.find(t->track->name());
    if (id == track_ids.end()) continue;
    const int64_t all = starters[id->second];
    const int64_t pre = starters_pre[id->second];
    if (all > 0 && 2 * pre > all) ++majority_pre;
  }
  figures.Share("tracks.ongoing.majority_pre_upper_secondary",
                v1::Figure::TRACKS, majority_pre, n_ongoing);
  figures.Share("tracks.ongoing.rest_pre_upper_secondary", v1::Figure::TRACKS,
                n_ongoing - majority_pre, n_ongoing);

  absl::flat_hash_set<std::string> municipalities;
  for (const TrackThen* t : ongoing) {
    for (const std::string& m : t->revision->municipality_codes()) {
      if (scope.municipalities.empty() || scope.municipalities.contains(m)) {
        municipalities.insert(m);
      }
    }
  }
  figures.Count("municipalities.with_ongoing_track", v1::Figure::MUNICIPALITIES,
                static_cast<int64_t>(municipalities.size()));

  int64_t weeks_min = 0, weeks_max = 0, weeks_sum = 0;
  std::map<std::string, int64_t> education;
  for (const TrackThen* t : ongoing) {
    const v1::ModuleChain* version =
        ChainVersion(*t->track, t->revision->chain_version());
    const v1::ModuleChain& chain =
        version != nullptr ? *version : t->track->chain();
    const int64_t weeks = chain.length_weeks();
    weeks_min = t == ongoing.front() ? weeks : std::min(weeks_min, weeks);
    weeks_max = std::max(weeks_max, weeks);
    weeks_sum += weeks;
    ++education[EducationClass(chain)];
  }
  figures.Count("tracks.ongoing.chain_weeks.min", v1::Figure::WEEKS, weeks_min);
  figures.Count("tracks.ongoing.chain_weeks.max", v1::Figure::WEEKS, weeks_max);
  figures.Share("tracks.ongoing.chain_weeks.mean", v1::Figure::WEEKS, weeks_sum,
                n_ongoing);
  for (const char* form : kEducationClasses) {
    figures.Share(absl::StrCat("tracks.ongoing.education.", form),
                  v1::Figure::TRACKS, education[form], n_ongoing);
  }

  // By the track's SNI section: tracks, and distinct employers in them.
  std::map<std::string, int64_t> section_tracks;
  std::map<std::string, absl::flat_hash_set<std::string>> section_employers;
  for (const TrackThen* t : ongoing) {
    if (t->revision->sni_code().empty()) continue;
    const std::string section = ref.SniSection(t->revision->sni_code());
    ++section_tracks[section];
    for (const std::string& e : t->revision->employers()) {
      section_employers[section].insert(e);
    }
  }
  for (const auto& [section, n] : section_tracks) {
    figures.Share(absl::StrCat("tracks.ongoing.sni.", section),
                  v1::Figure::TRACKS, n, n_ongoing);
    figures.Count(absl::StrCat("employers.ongoing.sni.", section),
                  v1::Figure::EMPLOYERS,
                  static_cast<int64_t>(section_employers[section].size()));
  }

  // Employers of ongoing employer-directed tracks.
  absl::flat_hash_set<std::string> directed;
  for (const TrackThen* t : ongoing) {
    if (t->revision->kind() != v1::Track::EMPLOYER_DIRECTED) continue;
    directed.insert(t->revision->employers().begin(),
                    t->revision->employers().end());
  }
  const int64_t n_directed = static_cast<int64_t>(directed.size());
  figures.Count("employers.directed", v1::Figure::EMPLOYERS, n_directed);
  std::map<v1::Employer::Sector, int64_t> by_sector;
  std::map<std::string, int64_t> by_own_section;
  for (const std::string& name : directed) {
    const v1::Employer* employer = in.employer(name);
    if (employer == nullptr) continue;
    ++by_sector[employer->sector()];
    ++by_own_section[ref.SniSection(employer->sni_code())];
  }
  for (v1::Employer::Sector sector : kSectors) {
    figures.Share(
        absl::StrCat("employers.directed.sector.",
                     absl::AsciiStrToLower(v1::Employer::Sector_Name(sector))),
        v1::Figure::EMPLOYERS, by_sector[sector], n_directed);
  }
  for (const auto& [section, n] : by_own_section) {
    figures.Share(absl::StrCat("employers.directed.sni.", section),
                  v1::Figure::EMPLOYERS, n, n_directed);
  }

  // --- Participants and participations in scope.
  const int64_t n_active = active.Total();
  figures.Count("participants.active", v1::Figure::PERSONS, n_active);
  for (v1::Gender g : kGenders) {
    figures.Share(absl::StrCat("participants.active.", GenderId(g)),
                  v1::Figure::PERSONS, active.Count(g), n_active);
  }
  const int64_t n_started = started_since.Total();
  figures.Count("participants.started_since_series_start", v1::Figure::PERSONS,
                n_started);
  for (v1::Gender g : kGenders) {
    figures.Share(
        absl::StrCat("participants.started_since_series_start.", GenderId(g)),
        v1::Figure::PERSONS, started_since.Count(g), n_started);
  }
  const int64_t n_ended = completed + interrupted;
  figures.Count("participations.ended_this_year", v1::Figure::PARTICIPATIONS,
                n_ended);
  figures.Share("participations.ended_this_year.completed",
                v1::Figure::PARTICIPATIONS, completed, n_ended);
  figures.Share("participations.ended_this_year.interrupted",
                v1::Figure::PARTICIPATIONS, interrupted, n_ended);
  for (v1::Gender g : kGenders) {
    figures.Share(
        absl::StrCat("participations.completed_this_year.", GenderId(g)),
        v1::Figure::PARTICIPATIONS, completed_by_gender[GenderSlot(g)],
        completed);
  }
  for (v1::Gender g : kGenders) {
    figures.Share(absl::StrCat("outcomes.completed.working.", GenderId(g)),
                  v1::Figure::PARTICIPATIONS, working_by_gender[GenderSlot(g)],
                  completed_by_gender[GenderSlot(g)]);
  }
  for (int basis = 0; basis < 2; ++basis) {
    for (v1::Track::Kind kind : kKinds) {
      const std::array<int64_t, 5>& counts = outcomes[basis][KindSlot(kind)];
      int64_t total = 0;
      for (int64_t n : counts) total += n;
      for (int c = 0; c < 5; ++c) {
        figures.Share(
            absl::StrCat("outcomes.", basis == 0 ? "completed" : "ended", ".",
                         KindId(kind), ".", kOutcomeClasses[c]),
            v1::Figure::PARTICIPATIONS, counts[c], total);
      }
    }
  }
  int64_t proposals = 0;
  for (int64_t n : proposals_by_gender) proposals += n;
  figures.Count("proposals", v1::Figure::PARTICIPATIONS, proposals);
  figures.Count("proposals.expired", v1::Figure::PARTICIPATIONS, expired);
  for (v1::Gender g : kGenders) {
    figures.Share(absl::StrCat("proposals.enrolled.", GenderId(g)),
                  v1::Figure::PARTICIPATIONS, enrolled_by_gender[GenderSlot(g)],
                  proposals_by_gender[GenderSlot(g)]);
  }
  return figures.Take();
}

}  // namespace jobtrack
