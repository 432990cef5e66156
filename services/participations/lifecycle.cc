#include "services/participations/lifecycle.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/common/errors.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

using State = v1::Participation::State;

absl::CivilDay DayOf(const v1::Event& event) {
  return ToCivilDay(event.effective_date())
      .value_or(absl::CivilDay(1900, 1, 1));
}

absl::Status Refuse(absl::string_view name, const v1::Participation& p,
                    const v1::Event& event, absl::string_view why = "") {
  return Precondition(
      "INVALID_TRANSITION",
      absl::StrCat(name, " is ", v1::Participation::State_Name(p.state()),
                   " on ", FormatDate(DayOf(event)), "; cannot record ",
                   ChangeName(event), why.empty() ? "" : ": ", why));
}

v1::PlanStep* FindStep(v1::Participation& p, absl::string_view step_id) {
  for (auto& step : *p.mutable_plan()->mutable_steps()) {
    if (step.step_id() == step_id) return &step;
  }
  return nullptr;
}

absl::Status Apply(absl::string_view name, v1::Participation& p,
                   const v1::Event& e) {
  const absl::CivilDay day = DayOf(e);
  auto set_state = [&](State state) {
    p.set_state(state);
    *p.mutable_state_date() = e.effective_date();
  };
  switch (e.change_case()) {
    case v1::Event::kProposed:
      if (p.state() != v1::Participation::STATE_UNSPECIFIED)
        return Refuse(name, p, e);
      p.set_participant(e.proposed().participant());
      p.set_track(e.proposed().track());
      p.set_intake(e.proposed().intake());
      p.set_home_municipality_code(e.proposed().home_municipality_code());
      if (e.proposed().has_proposal()) {
        *p.mutable_proposal() = e.proposed().proposal();
      }
      set_state(v1::Participation::PROPOSED);
      break;
    case v1::Event::kSelected:
      if (p.state() != v1::Participation::PROPOSED) return Refuse(name, p, e);
      set_state(v1::Participation::SELECTED);
      break;
    case v1::Event::kDeclined:
      if (p.state() != v1::Participation::PROPOSED &&
          p.state() != v1::Participation::SELECTED) {
        return Refuse(name, p, e);
      }
      p.set_reason(e.declined().reason());
      p.set_reason_text(e.declined().reason_text());
      set_state(v1::Participation::DECLINED);
      break;
    case v1::Event::kEnrolled:
      if (p.state() != v1::Participation::SELECTED) return Refuse(name, p, e);
      p.set_intake(e.enrolled().intake());
      *p.mutable_start_date() = e.enrolled().start_date();
      *p.mutable_plan() = e.enrolled().plan();
      p.set_home_municipality_code(e.enrolled().home_municipality_code());
      set_state(v1::Participation::ENROLLED);
      break;
    case v1::Event::kStepProgressed: {
      if (p.state() != v1::Participation::ENROLLED) return Refuse(name, p, e);
      v1::PlanStep* step = FindStep(p, e.step_progressed().step_id());
      if (step == nullptr) return Refuse(name, p, e, "no such plan step");
      const v1::StepStatus to = e.step_progressed().status();
      const v1::StepStatus from = step->status();
      const bool allowed =
          (from == v1::STEP_PLANNED && to != v1::STEP_PLANNED) ||
          (from == v1::STEP_STARTED &&
           (to == v1::STEP_DONE || to == v1::STEP_SKIPPED));
      if (!allowed) {
        return Refuse(name, p, e,
                      absl::StrCat("step ", step->step_id(), " is ",
                                   v1::StepStatus_Name(from)));
      }
      step->set_status(to);
      if (!e.step_progressed().certificate().empty()) {
        step->set_certificate(e.step_progressed().certificate());
      }
      break;
    }
    case v1::Event::kCompleted:
    case v1::Event::kInterrupted: {
      if (p.state() != v1::Participation::ENROLLED) return Refuse(name, p, e);
      std::optional<absl::CivilDay> start = ToCivilDay(p.start_date());
      if (start && day < *start) {
        return Refuse(name, p, e, "the end date is before the start date");
      }
      *p.mutable_end_date() = e.effective_date();
      if (e.has_interrupted()) {
        p.set_reason(e.interrupted().reason());
        p.set_reason_text(e.interrupted().reason_text());
        set_state(v1::Participation::INTERRUPTED);
      } else {
        set_state(v1::Participation::COMPLETED);
      }
      break;
    }
    case v1::Event::kOutcome: {
      if (p.state() != v1::Participation::COMPLETED &&
          p.state() != v1::Participation::INTERRUPTED) {
        return Refuse(name, p, e);
      }
      const absl::CivilDay end = *ToCivilDay(p.end_date());
      const v1::OutcomePoint point = e.outcome().point();
      const absl::CivilDay earliest =
          point == v1::AFTER_90_DAYS ? end + 90 : end;
      if (day < earliest) {
        return Refuse(name, p, e,
                      absl::StrCat("this outcome is effective from ",
                                   FormatDate(earliest)));
      }
      for (const v1::Outcome& o : p.outcomes()) {
        if (o.point() == point) {
          return Refuse(name, p, e,
                        absl::StrCat("the ", v1::OutcomePoint_Name(point),
                                     " outcome is already recorded; correct "
                                     "it instead"));
        }
      }
      v1::Outcome* outcome = p.add_outcomes();
      outcome->set_point(point);
      outcome->set_kind(e.outcome().kind());
      outcome->set_subsidy(e.outcome().subsidy());
      *outcome->mutable_effective_date() = e.effective_date();
      break;
    }
    default:
      return absl::InternalError(absl::StrCat("event ", e.sequence(),
                                              " is not a participation event"));
  }
  // Events are applied in date order: this one is dated on or after all
  // before it.
  *p.mutable_latest_event_date() = e.effective_date();
  return absl::OkStatus();
}

}  // namespace

absl::string_view ChangeName(const v1::Event& event) {
  switch (event.change_case()) {
    case v1::Event::kProposed:
      return "proposed";
    case v1::Event::kSelected:
      return "selected";
    case v1::Event::kDeclined:
      return "declined";
    case v1::Event::kEnrolled:
      return "enrolled";
    case v1::Event::kStepProgressed:
      return "step progress";
    case v1::Event::kCompleted:
      return "completed";
    case v1::Event::kInterrupted:
      return "interrupted";
    case v1::Event::kOutcome:
      return "outcome";
    case v1::Event::kParticipant:
      return "participant";
    case v1::Event::kErased:
      return "erased";
    case v1::Event::CHANGE_NOT_SET:
      break;
  }
  return "unknown";
}

bool AppliesLast(const v1::Participation& current, const v1::Event& event) {
  if (event.corrects() != 0 || !HasDate(current.latest_event_date())) {
    return false;
  }
  const std::optional<absl::CivilDay> latest =
      ToCivilDay(current.latest_event_date());
  return latest.has_value() && DayOf(event) >= *latest;
}

absl::StatusOr<v1::Participation> ApplyLast(v1::Participation current,
                                            const v1::Event& event) {
  const std::string name = current.name();
  if (absl::Status s = Apply(name, current, event); !s.ok()) return s;
  return current;
}

absl::StatusOr<v1::Participation> Replay(absl::string_view name,
                                         std::vector<v1::Event> events,
                                         const ReplayOptions& options) {
  std::erase_if(events, [&](const v1::Event& e) {
    return static_cast<uint64_t>(e.sequence()) > options.known_at;
  });
  // A correction replaces the content and date of the event it names; the
  // latest correction wins. The amended event keeps its place in commit
  // order; corrections are not applied on their own.
  absl::flat_hash_map<int64_t, const v1::Event*> latest_correction;
  for (const v1::Event& e : events) {
    if (e.corrects() == 0) continue;
    const v1::Event*& slot = latest_correction[e.corrects()];
    if (slot == nullptr || slot->sequence() < e.sequence()) slot = &e;
  }
  std::vector<v1::Event> effective;
  for (const v1::Event& e : events) {
    if (e.corrects() != 0) continue;
    auto it = latest_correction.find(e.sequence());
    if (it == latest_correction.end()) {
      effective.push_back(e);
    } else {
      v1::Event amended = *it->second;
      amended.set_sequence(e.sequence());
      amended.set_corrects(0);
      effective.push_back(std::move(amended));
    }
  }
  std::sort(effective.begin(), effective.end(),
            [](const v1::Event& a, const v1::Event& b) {
              const absl::CivilDay da = DayOf(a), db = DayOf(b);
              return da != db ? da < db : a.sequence() < b.sequence();
            });
  v1::Participation p;
  p.set_name(std::string(name));
  for (const v1::Event& e : effective) {
    if (options.as_of && DayOf(e) > *options.as_of) break;
    if (absl::Status s = Apply(name, p, e); !s.ok()) return s;
  }
  return p;
}

}  // namespace jobtrack
