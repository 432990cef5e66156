#include "services/followup/report_projection.h"

#include <algorithm>
#include <limits>

#include "absl/container/btree_set.h"
#include "absl/strings/match.h"
#include "services/common/events.h"
#include "services/common/validation.h"
#include "services/participations/lifecycle.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

}  // namespace

ReportProjection::ReportProjection(storage::Storage* storage)
    : storage_(storage) {}

absl::StatusOr<std::unique_ptr<ReportProjection>> ReportProjection::Open(
    storage::Storage* storage) {
  std::unique_ptr<ReportProjection> projection(new ReportProjection(storage));
  absl::MutexLock lock(&projection->mu_);
  if (absl::Status s = projection->CatchUp(); !s.ok()) return s;
  return projection;
}

ReportProjection::Day ReportProjection::DayOf(absl::CivilDay day) {
  return static_cast<Day>(day - kEpoch);
}

absl::CivilDay ReportProjection::CivilOf(Day day) { return kEpoch + day; }

uint32_t ReportProjection::PersonId(absl::string_view name) {
  auto [it, added] =
      person_ids_.try_emplace(name, static_cast<uint32_t>(people_.size()));
  if (added) people_.emplace_back();
  return it->second;
}

absl::Status ReportProjection::CatchUp() {
  // Stops at the settled sequence (see Storage::LastSequence), so that an
  // event committed out of order is not skipped by the next catch-up.
  const uint64_t settled = storage_->LastSequence();
  std::unique_ptr<storage::Reader> reader = storage_->Snapshot();
  // Participations touched since the last catch-up, rebuilt in name order
  // once the scan is done (an entry is rebuilt once however many events).
  absl::btree_set<std::string> touched;
  uint64_t last = applied_through_;
  absl::Status s = ScanEvents(*reader, applied_through_, [&](v1::Event event) {
    if (static_cast<uint64_t>(event.sequence()) > settled) return false;
    last = static_cast<uint64_t>(event.sequence());
    if (absl::StartsWith(event.resource(), "participations/")) {
      touched.insert(event.resource());
    } else if (event.has_participant()) {
      Person& person = people_[PersonId(event.resource())];
      person.gender = event.participant().gender();
      person.education = event.participant().education_level();
    }
    return true;
  });
  if (!s.ok()) return s;
  for (const std::string& name : touched) {
    if (absl::Status s = Rebuild(*reader, name, settled); !s.ok()) return s;
  }
  applied_through_ = last;
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
  // Replay(as_of = D) changes only where an event takes effect, so one
  // replay per distinct effective date gives every state the
  // participation has had.
  absl::btree_set<absl::CivilDay> dates;
  Entry entry;
  for (const v1::Event& e : *events) {
    std::optional<absl::CivilDay> effective = ToCivilDay(e.effective_date());
    if (!effective) {
      return absl::DataLossError(absl::StrCat("event ", e.sequence(), " of ",
                                              name,
                                              " has no valid effective date"));
    }
    dates.insert(*effective);
    if (e.has_proposed()) entry.proposed = DayOf(*effective);
  }
  ReplayOptions replay;
  replay.known_at = std::numeric_limits<uint64_t>::max();
  bool identified = false;
  for (absl::CivilDay date : dates) {
    replay.as_of = date;
    absl::StatusOr<v1::Participation> p = Replay(name, *events, replay);
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
    Transition t;
    t.from = DayOf(date);
    t.state = p->state();
    if (HasDate(p->start_date())) t.start = DayOf(*ToCivilDay(p->start_date()));
    if (HasDate(p->end_date())) t.end = DayOf(*ToCivilDay(p->end_date()));
    t.outcome_class = static_cast<int8_t>(OutcomeClass(*p));
    auto [municipality, added] = municipality_ids_.try_emplace(
        p->home_municipality_code(),
        static_cast<uint16_t>(municipalities_.size()));
    if (added) municipalities_.push_back(p->home_municipality_code());
    t.municipality = municipality->second;
    if (!entry.transitions.empty()) {
      const Transition& before = entry.transitions.back();
      if (before.state == t.state && before.start == t.start &&
          before.end == t.end && before.outcome_class == t.outcome_class &&
          before.municipality == t.municipality) {
        continue;  // Nothing changed that a report reads.
      }
    }
    entry.transitions.push_back(t);
  }
  auto [id, added] =
      entry_ids_.try_emplace(name, static_cast<uint32_t>(entries_.size()));
  if (added) {
    entries_.push_back(std::move(entry));
  } else {
    entries_[id->second] = std::move(entry);
  }
  return absl::OkStatus();
}

absl::Status ReportProjection::Visit(
    absl::FunctionRef<void(uint64_t, absl::Span<const std::string>, FactsOnDay)>
        visit) {
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = CatchUp(); !s.ok()) return s;
  }
  absl::ReaderMutexLock lock(&mu_);
  auto facts =
      [&](absl::CivilDay day,
          absl::FunctionRef<void(const ParticipationFacts&)> fn)
          ABSL_NO_THREAD_SAFETY_ANALYSIS {
            const Day on = DayOf(day);
            ParticipationFacts f;
            for (const Entry& entry : entries_) {
              const Transition* then = nullptr;
              for (auto t = entry.transitions.rbegin();
                   t != entry.transitions.rend(); ++t) {
                if (t->from <= on) {
                  then = &*t;
                  break;
                }
              }
              if (then == nullptr) continue;  // Not yet proposed on the day.
              f.participant = entry.participant;
              f.track = entry.track;
              f.state = then->state;
              const Person& person = people_[entry.participant];
              f.gender = person.gender;
              f.education = person.education;
              f.proposed =
                  entry.proposed == kNoDay ? day : CivilOf(entry.proposed);
              f.start.reset();
              f.end.reset();
              if (then->start != kNoDay) f.start = CivilOf(then->start);
              if (then->end != kNoDay) f.end = CivilOf(then->end);
              f.outcome_class = then->outcome_class;
              f.home_municipality = municipalities_[then->municipality];
              fn(f);
            }
          };
  visit(applied_through_, track_names_, facts);
  return absl::OkStatus();
}

size_t ReportProjection::size() {
  absl::ReaderMutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace jobtrack
