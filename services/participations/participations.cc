#include "services/participations/participations.h"

#include <algorithm>
#include <limits>

#include "absl/strings/match.h"
#include "jobtrack/v1/participant.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/events.h"
#include "services/common/record_pages.h"
#include "services/common/terms.h"
#include "services/common/validation.h"
#include "services/modules/modules.h"
#include "services/participations/seats.h"
#include "services/tracks/chain.h"
#include "storage/keys.h"

namespace jobtrack {
namespace {

constexpr char kCollection[] = "participations";
constexpr int kMaxTextChars = 500;

std::vector<std::string> IndexTerms(const v1::Participation& p) {
  std::vector<std::string> terms = {
      Term("participant", p.participant()), Term("track", p.track()),
      EnumTerm("state", v1::Participation::State_descriptor(), p.state())};
  if (!p.intake().empty()) terms.push_back(Term("intake", p.intake()));
  return terms;
}

// A reason code from the fixed list, and optional free text.
absl::Status CheckReason(v1::ReasonCode reason, absl::string_view text) {
  FieldViolations violations;
  if (reason == v1::REASON_CODE_UNSPECIFIED ||
      !v1::ReasonCode_IsValid(reason)) {
    violations.Add("reason", "is required");
  }
  CheckOptionalText(text, kMaxTextChars, "reason_text", violations);
  return violations.ToStatus();
}

absl::Status NotInState(absl::string_view name, const v1::Participation& p,
                        absl::string_view change) {
  return Precondition(
      "INVALID_TRANSITION",
      absl::StrCat(name, " is ", v1::Participation::State_Name(p.state()),
                   "; cannot record ", change));
}

}  // namespace

Participations::Participations(Deps deps)
    : deps_(deps),
      table_(IndexTerms),
      filters_{
          ReferenceFilter("participant", "participants"),
          ReferenceFilter("track", "tracks"),
          FilterField{
              "intake",
              [](absl::string_view v) -> std::optional<std::string> {
                if (!CheckNestedName(v, "tracks", "intakes", "filter").ok()) {
                  return std::nullopt;
                }
                return std::string(v);
              }},
          EnumFilter("state", v1::Participation::State_descriptor())} {}

absl::StatusOr<absl::CivilDay> Participations::EffectiveDay(
    const v1::Date& date, const std::string& field) const {
  const absl::CivilDay today = TodayInSweden(*deps_.clock);
  if (!HasDate(date)) return today;
  std::optional<absl::CivilDay> day = ToCivilDay(date);
  if (!day) return InvalidField(field, "is not a valid date (1900–2199)");
  if (*day > today) return InvalidField(field, "must not be in the future");
  return *day;
}

absl::StatusOr<v1::Participation> Participations::Commit(
    storage::Transaction& txn, const CallContext& context,
    absl::string_view name, const std::vector<v1::Event>* history,
    v1::Event event, absl::CivilDay effective, const v1::Participation* old) {
  event.set_resource(std::string(name));
  if (!HasDate(event.effective_date())) {
    *event.mutable_effective_date() = ToDate(effective);
  }
  effective = *ToCivilDay(event.effective_date());
  // The new event will get a sequence above every stored one.
  v1::Event provisional = event;
  provisional.set_sequence(std::numeric_limits<int64_t>::max());
  absl::StatusOr<v1::Participation> projection;
  if (old == nullptr) {
    projection = Replay(name, {std::move(provisional)});
  } else if (AppliesLast(*old, provisional)) {
    projection = ApplyLast(*old, provisional);
  } else {
    std::vector<v1::Event> events;
    if (history != nullptr) {
      events = *history;
    } else {
      absl::StatusOr<std::vector<v1::Event>> stored =
          LoadAggregateEvents(txn, name);
      if (!stored.ok()) return stored.status();
      events = *std::move(stored);
    }
    events.push_back(std::move(provisional));
    projection = Replay(name, std::move(events));
  }
  if (!projection.ok()) return projection.status();
  const absl::Time now = deps_.clock->Now();
  *projection->mutable_create_time() =
      old != nullptr ? old->create_time() : ToTimestamp(now);
  *projection->mutable_update_time() = ToTimestamp(now);
  StampEtag(&*projection);
  absl::Status s = old != nullptr ? table_.Replace(txn, *old, *projection)
                                  : table_.Insert(txn, *projection);
  if (!s.ok()) return s;
  s = KeepSeatLedger(txn, old, *projection);
  if (!s.ok()) return s;
  AppendEvent(txn, context, effective, now, std::move(event));
  return projection;
}

absl::StatusOr<v1::Participation> Participations::Transition(
    const CallContext& context, const google::protobuf::Message& request,
    absl::string_view name, absl::string_view request_id,
    const v1::Date& effective_date, const MakeEvent& make, History history) {
  if (absl::Status s = CheckResourceName(name, kCollection, "name"); !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> effective =
      EffectiveDay(effective_date, "effective_date");
  if (!effective.ok()) return effective.status();
  return RunMutation<v1::Participation>(
      deps_, context, request, request_id,
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::Participation> {
        absl::StatusOr<v1::Participation> current =
            table_.GetForUpdate(txn, name);
        if (!current.ok()) return current.status();
        std::optional<std::vector<v1::Event>> events;
        if (history == History::kRead) {
          absl::StatusOr<std::vector<v1::Event>> stored =
              LoadAggregateEvents(txn, name);
          if (!stored.ok()) return stored.status();
          events = *std::move(stored);
        }
        const std::vector<v1::Event>* loaded = events ? &*events : nullptr;
        v1::Event event;
        if (absl::Status s = make(txn, *current, loaded, event); !s.ok()) {
          return s;
        }
        return Commit(txn, context, name, loaded, std::move(event), *effective,
                      &*current);
      });
}

absl::StatusOr<v1::Participation> Participations::Propose(
    const CallContext& context,
    const v1::ProposeParticipationRequest& request) {
  FieldViolations violations;
  if (!CheckResourceName(request.participant(), "participants", "participant")
           .ok()) {
    violations.Add("participant", "must be `participants/{id}`");
  }
  if (!CheckResourceName(request.track(), "tracks", "track").ok()) {
    violations.Add("track", "must be `tracks/{id}`");
  }
  if (!request.intake().empty() &&
      (!CheckNestedName(request.intake(), "tracks", "intakes", "intake").ok() ||
       !absl::StartsWith(request.intake(), request.track() + "/"))) {
    violations.Add("intake", "must be an intake of `track`");
  }
  if (!violations.empty()) return violations.ToStatus();
  absl::StatusOr<absl::CivilDay> effective =
      EffectiveDay(request.effective_date(), "effective_date");
  if (!effective.ok()) return effective.status();
  return RunMutation<v1::Participation>(
      deps_, context, request, request.request_id(),
      [&](storage::Transaction& txn) -> absl::StatusOr<v1::Participation> {
        return ProposeIn(txn, context, request.participant(), request.track(),
                         request.intake(), *effective, nullptr);
      });
}

absl::StatusOr<v1::Participation> Participations::ProposeIn(
    storage::Transaction& txn, const CallContext& context,
    absl::string_view participant_name, absl::string_view track_name,
    absl::string_view intake_name, absl::CivilDay effective,
    const v1::Proposal* proposal) {
  const RecordTable<v1::Participant> participants(nullptr);
  absl::StatusOr<v1::Participant> participant =
      participants.GetForUpdate(txn, participant_name);
  if (!participant.ok()) return participant.status();
  if (participant->erased()) {
    return Precondition("PARTICIPANT_ERASED",
                        absl::StrCat(participant_name, " has been erased"));
  }
  const RecordTable<v1::Track> tracks(nullptr);
  // Shared: proposals on one track run side by side; closing the track
  // waits for them (and they for it).
  absl::StatusOr<v1::Track> track = tracks.GetForShare(txn, track_name);
  if (!track.ok()) return track.status();
  if (track->status() == v1::Track::CLOSED) {
    return Precondition("TRACK_CLOSED", absl::StrCat(track_name, " is CLOSED"));
  }
  if (!intake_name.empty()) {
    const RecordTable<v1::Intake> intakes(nullptr);
    absl::StatusOr<v1::Intake> intake = intakes.Get(txn, intake_name);
    if (!intake.ok()) return intake.status();
  }
  v1::Event event;
  auto* proposed = event.mutable_proposed();
  proposed->set_participant(std::string(participant_name));
  proposed->set_track(std::string(track_name));
  proposed->set_intake(std::string(intake_name));
  proposed->set_home_municipality_code(participant->municipality_code());
  if (proposal != nullptr) *proposed->mutable_proposal() = *proposal;
  return Commit(txn, context,
                absl::StrCat(kCollection, "/", deps_.ids->NewId()), nullptr,
                std::move(event), effective, nullptr);
}

absl::StatusOr<v1::Participation> Participations::Select(
    const CallContext& context, const v1::SelectParticipationRequest& request) {
  return Transition(context, request, request.name(), request.request_id(),
                    request.effective_date(),
                    [](storage::Transaction&, const v1::Participation&,
                       const std::vector<v1::Event>*, v1::Event& event) {
                      event.mutable_selected();
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Participation> Participations::Decline(
    const CallContext& context,
    const v1::DeclineParticipationRequest& request) {
  if (absl::Status s = CheckReason(request.reason(), request.reason_text());
      !s.ok()) {
    return s;
  }
  return Transition(
      context, request, request.name(), request.request_id(),
      request.effective_date(),
      [&](storage::Transaction&, const v1::Participation&,
          const std::vector<v1::Event>*, v1::Event& event) {
        event.mutable_declined()->set_reason(request.reason());
        event.mutable_declined()->set_reason_text(request.reason_text());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Participation> Participations::Enroll(
    const CallContext& context, const v1::EnrollParticipationRequest& request) {
  if (!CheckNestedName(request.intake(), "tracks", "intakes", "intake").ok()) {
    return InvalidField("intake", "must be `tracks/{track}/intakes/{intake}`");
  }
  std::optional<absl::CivilDay> requested_start;
  if (HasDate(request.start_date())) {
    requested_start = ToCivilDay(request.start_date());
    if (!requested_start) {
      return InvalidField("start_date", "is not a valid date (1900–2199)");
    }
  }
  return Transition(
      context, request, request.name(), request.request_id(),
      request.effective_date(),
      [&](storage::Transaction& txn, const v1::Participation& current,
          const std::vector<v1::Event>*, v1::Event& event) -> absl::Status {
        if (current.state() != v1::Participation::SELECTED) {
          return NotInState(request.name(), current, "enrolled");
        }
        if (!absl::StartsWith(request.intake(), current.track() + "/")) {
          return InvalidField(
              "intake", absl::StrCat("is not an intake of ", current.track()));
        }
        const RecordTable<v1::Intake> intakes(nullptr);
        absl::StatusOr<v1::Intake> intake =
            intakes.GetForUpdate(txn, request.intake());
        if (!intake.ok()) return intake.status();
        const absl::CivilDay intake_start = *ToCivilDay(intake->start_date());
        absl::CivilDay start = intake_start;
        if (requested_start) {
          start = *requested_start;
        } else if (intake->start_type() == v1::Intake::ROLLING) {
          absl::StatusOr<absl::CivilDay> effective =
              EffectiveDay(request.effective_date(), "effective_date");
          start = std::max(intake_start, *effective);
        }
        if (start < intake_start) {
          return InvalidField("start_date",
                              absl::StrCat("is before the intake starts (",
                                           FormatDate(intake_start), ")"));
        }
        if (HasDate(intake->end_date()) &&
            start > *ToCivilDay(intake->end_date())) {
          return InvalidField("start_date",
                              "is after the intake's last start day");
        }
        const RecordTable<v1::Participant> participants(nullptr);
        absl::StatusOr<v1::Participant> participant =
            participants.GetForUpdate(txn, current.participant());
        if (!participant.ok()) return participant.status();
        if (absl::Status s = CheckOneActive(txn, current.participant(),
                                            request.name(), start);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckSeat(txn, *intake, request.name(), start);
            !s.ok()) {
          return s;
        }
        const RecordTable<v1::Track> tracks(nullptr);
        absl::StatusOr<v1::Track> track = tracks.Get(txn, current.track());
        if (!track.ok()) return track.status();
        const v1::ModuleChain* chain =
            ChainVersion(*track, intake->chain_version());
        if (chain == nullptr) {
          return absl::DataLossError(
              absl::StrCat(request.intake(), " names chain version ",
                           intake->chain_version(), " which ", current.track(),
                           " does not have"));
        }
        absl::StatusOr<v1::PersonalPlan> plan =
            MakePlan(*chain, request.plan_adjustments());
        if (!plan.ok()) return plan.status();
        auto* enrolled = event.mutable_enrolled();
        enrolled->set_intake(request.intake());
        *enrolled->mutable_start_date() = ToDate(start);
        *enrolled->mutable_plan() = *std::move(plan);
        enrolled->set_home_municipality_code(participant->municipality_code());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Participation> Participations::ReportStepProgress(
    const CallContext& context, const v1::ReportStepProgressRequest& request) {
  FieldViolations violations;
  if (request.step_id().empty()) violations.Add("step_id", "is required");
  if (request.status() != v1::STEP_STARTED &&
      request.status() != v1::STEP_DONE &&
      request.status() != v1::STEP_SKIPPED) {
    violations.Add("status", "must be STEP_STARTED, STEP_DONE or STEP_SKIPPED");
  }
  CheckOptionalText(request.certificate(), 200, "certificate", violations);
  if (!violations.empty()) return violations.ToStatus();
  return Transition(context, request, request.name(), request.request_id(),
                    request.effective_date(),
                    [&](storage::Transaction&, const v1::Participation&,
                        const std::vector<v1::Event>*, v1::Event& event) {
                      auto* progress = event.mutable_step_progressed();
                      progress->set_step_id(request.step_id());
                      progress->set_status(request.status());
                      progress->set_certificate(request.certificate());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Participation> Participations::Complete(
    const CallContext& context,
    const v1::CompleteParticipationRequest& request) {
  return Transition(context, request, request.name(), request.request_id(),
                    request.end_date(),
                    [](storage::Transaction&, const v1::Participation&,
                       const std::vector<v1::Event>*, v1::Event& event) {
                      event.mutable_completed();
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Participation> Participations::Interrupt(
    const CallContext& context,
    const v1::InterruptParticipationRequest& request) {
  if (absl::Status s = CheckReason(request.reason(), request.reason_text());
      !s.ok()) {
    return s;
  }
  return Transition(
      context, request, request.name(), request.request_id(),
      request.end_date(),
      [&](storage::Transaction&, const v1::Participation&,
          const std::vector<v1::Event>*, v1::Event& event) {
        event.mutable_interrupted()->set_reason(request.reason());
        event.mutable_interrupted()->set_reason_text(request.reason_text());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Participation> Participations::RecordOutcome(
    const CallContext& context, const v1::RecordOutcomeRequest& request) {
  FieldViolations violations;
  if (request.point() != v1::AT_END && request.point() != v1::AFTER_90_DAYS) {
    violations.Add("point", "must be AT_END or AFTER_90_DAYS");
  }
  if (request.kind() == v1::OUTCOME_KIND_UNSPECIFIED ||
      !v1::OutcomeKind_IsValid(request.kind())) {
    violations.Add("kind", "is required");
  }
  const bool subsidized = request.kind() == v1::WORK_SUBSIDIZED;
  if (subsidized && (request.subsidy() == v1::SUBSIDY_KIND_UNSPECIFIED ||
                     !v1::SubsidyKind_IsValid(request.subsidy()))) {
    violations.Add("subsidy", "is required for WORK_SUBSIDIZED");
  } else if (!subsidized && request.subsidy() != v1::SUBSIDY_KIND_UNSPECIFIED) {
    violations.Add("subsidy", "only WORK_SUBSIDIZED has a subsidy");
  }
  if (!violations.empty()) return violations.ToStatus();
  return Transition(context, request, request.name(), request.request_id(),
                    request.effective_date(),
                    [&](storage::Transaction&, const v1::Participation&,
                        const std::vector<v1::Event>*, v1::Event& event) {
                      auto* outcome = event.mutable_outcome();
                      outcome->set_point(request.point());
                      outcome->set_kind(request.kind());
                      outcome->set_subsidy(request.subsidy());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<v1::Participation> Participations::Correct(
    const CallContext& context,
    const v1::CorrectParticipationEventRequest& request) {
  const v1::Event& replacement = request.replacement();
  FieldViolations violations;
  if (request.event_sequence() <= 0) {
    violations.Add("event_sequence", "is required");
  }
  switch (replacement.change_case()) {
    case v1::Event::kDeclined:
    case v1::Event::kInterrupted: {
      const auto reason = replacement.has_declined()
                              ? replacement.declined().reason()
                              : replacement.interrupted().reason();
      if (reason == v1::REASON_CODE_UNSPECIFIED ||
          !v1::ReasonCode_IsValid(reason)) {
        violations.Add("replacement.reason", "is required");
      }
      break;
    }
    case v1::Event::kOutcome: {
      const v1::OutcomeRecorded& o = replacement.outcome();
      if (o.kind() == v1::OUTCOME_KIND_UNSPECIFIED ||
          !v1::OutcomeKind_IsValid(o.kind())) {
        violations.Add("replacement.outcome.kind", "is required");
      }
      if ((o.kind() == v1::WORK_SUBSIDIZED) !=
          (o.subsidy() != v1::SUBSIDY_KIND_UNSPECIFIED)) {
        violations.Add("replacement.outcome.subsidy",
                       "is required for WORK_SUBSIDIZED and only for it");
      }
      break;
    }
    case v1::Event::kStepProgressed:
    case v1::Event::kCompleted:
    case v1::Event::kSelected:
    case v1::Event::kProposed:
      break;
    default:
      violations.Add("replacement", "must carry the corrected change");
  }
  std::optional<absl::CivilDay> new_day;
  if (HasDate(replacement.effective_date())) {
    new_day = ToCivilDay(replacement.effective_date());
    if (!new_day) {
      violations.Add("replacement.effective_date", "is not a valid date");
    } else if (*new_day > TodayInSweden(*deps_.clock)) {
      violations.Add("replacement.effective_date", "must not be in the future");
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  return Transition(
      context, request, request.name(), request.request_id(), {},
      [&](storage::Transaction&, const v1::Participation&,
          const std::vector<v1::Event>* history,
          v1::Event& event) -> absl::Status {
        const v1::Event* original = nullptr;
        for (const v1::Event& e : *history) {
          if (e.sequence() == request.event_sequence()) original = &e;
        }
        if (original == nullptr) {
          return InvalidField(
              "event_sequence",
              absl::StrCat("is not an event of ", request.name()));
        }
        if (original->corrects() != 0) {
          return InvalidField("event_sequence",
                              "names a correction; correct the original event");
        }
        if (original->change_case() != replacement.change_case()) {
          return InvalidField("replacement",
                              absl::StrCat("must be the same kind of change as "
                                           "the event it corrects (",
                                           ChangeName(*original), ")"));
        }
        // Only the content callers may change; the rest stays as recorded.
        event = *original;
        event.clear_sequence();
        event.set_corrects(original->sequence());
        switch (replacement.change_case()) {
          case v1::Event::kDeclined:
            *event.mutable_declined() = replacement.declined();
            break;
          case v1::Event::kInterrupted:
            *event.mutable_interrupted() = replacement.interrupted();
            break;
          case v1::Event::kOutcome:
            *event.mutable_outcome() = replacement.outcome();
            event.mutable_outcome()->set_point(original->outcome().point());
            break;
          case v1::Event::kStepProgressed:
            event.mutable_step_progressed()->set_status(
                replacement.step_progressed().status());
            event.mutable_step_progressed()->set_certificate(
                replacement.step_progressed().certificate());
            break;
          default:
            break;
        }
        if (new_day) {
          const absl::CivilDay old_day =
              *ToCivilDay(original->effective_date());
          if ((original->has_completed() || original->has_interrupted()) &&
              *new_day > old_day) {
            return Precondition("END_DATE_LATER",
                                "an end date can only be corrected to an "
                                "earlier day; a later end could overbook the "
                                "intake");
          }
          *event.mutable_effective_date() = ToDate(*new_day);
        }
        return absl::OkStatus();
      },
      History::kRead);
}

absl::StatusOr<v1::Participation> Participations::Get(
    const v1::GetParticipationRequest& request) {
  if (absl::Status s = CheckResourceName(request.name(), kCollection, "name");
      !s.ok()) {
    return s;
  }
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  absl::StatusOr<v1::Participation> current =
      table_.Get(*reader, request.name());
  if (!current.ok() || !HasDate(request.as_of())) return current;
  std::optional<absl::CivilDay> as_of = ToCivilDay(request.as_of());
  if (!as_of) return InvalidField("as_of", "is not a valid date (1900–2199)");
  absl::StatusOr<std::vector<v1::Event>> events =
      LoadAggregateEvents(*reader, request.name());
  if (!events.ok()) return events.status();
  ReplayOptions options;
  options.as_of = *as_of;
  absl::StatusOr<v1::Participation> then =
      Replay(request.name(), *std::move(events), options);
  if (!then.ok()) return then.status();
  if (then->state() == v1::Participation::STATE_UNSPECIFIED) {
    return WithReason(
        absl::NotFoundError(absl::StrCat(request.name(), " did not exist on ",
                                         FormatDate(*as_of))),
        "NOT_FOUND");
  }
  *then->mutable_create_time() = current->create_time();
  return then;
}

absl::StatusOr<std::pair<std::vector<v1::Participation>, std::string>>
Participations::List(absl::string_view parent, int page_size,
                     absl::string_view page_token, absl::string_view filter) {
  if (!parent.empty()) return InvalidField("parent", "must be empty");
  absl::StatusOr<ListQuery> query =
      ParseListQuery(page_size, page_token, filter, kCollection, filters_);
  if (!query.ok()) return query.status();
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  std::string next;
  absl::StatusOr<std::vector<v1::Participation>> page =
      table_.List(*reader, kCollection, *query, &next);
  if (!page.ok()) return page.status();
  return std::make_pair(*std::move(page), std::move(next));
}

absl::StatusOr<std::vector<v1::Event>> Participations::Events(
    absl::string_view name) {
  if (absl::Status s = CheckResourceName(name, kCollection, "name"); !s.ok()) {
    return s;
  }
  std::unique_ptr<storage::Reader> reader = deps_.storage->Snapshot();
  if (absl::StatusOr<v1::Participation> p = table_.Get(*reader, name);
      !p.ok()) {
    return p.status();
  }
  return LoadAggregateEvents(*reader, name);
}

absl::Status Participations::CheckSeat(storage::Transaction& txn,
                                       const v1::Intake& intake,
                                       absl::string_view participation,
                                       absl::CivilDay start) const {
  absl::StatusOr<std::vector<SeatInterval>> held =
      HeldSeats(txn, intake, participation);
  if (!held.ok()) return held.status();
  const SeatPeak peak = PeakFrom(intake, *held, start);
  if (peak.taken + 1 <= intake.seats()) return absl::OkStatus();
  if (intake.start_type() == v1::Intake::COMMON) {
    return Precondition("NO_SEAT",
                        absl::StrCat(intake.name(), " has no free seat: all ",
                                     intake.seats(), " seats are taken"));
  }
  return Precondition(
      "NO_SEAT", absl::StrCat(intake.name(), " would have ", peak.taken + 1,
                              " participants on ", FormatDate(peak.day),
                              " but has ", intake.seats(), " seats at a time"));
}

absl::Status Participations::CheckOneActive(storage::Transaction& txn,
                                            absl::string_view participant,
                                            absl::string_view participation,
                                            absl::CivilDay start) const {
  absl::StatusOr<std::vector<v1::Participation>> others =
      table_.WithTerm(txn, kCollection, Term("participant", participant));
  if (!others.ok()) return others.status();
  for (const v1::Participation& other : *others) {
    if (other.name() == participation) continue;
    const std::optional<SeatInterval> interval = SeatOf(other);
    if (!interval) continue;
    const std::optional<absl::CivilDay> end = interval->end();
    if (!end || *end >= start) {
      return Precondition(
          "ALREADY_ENROLLED",
          absl::StrCat(
              participant, " is enrolled in ", other.name(),
              end ? absl::StrCat(" until ", FormatDate(*end)) : std::string(),
              "; a participant has one active participation at a "
              "time"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PersonalPlan> MakePlan(
    const v1::ModuleChain& chain,
    const google::protobuf::RepeatedPtrField<v1::PlanAdjustment>& adjustments) {
  v1::PersonalPlan plan;
  plan.set_chain_version(chain.version());
  int chain_weeks = 0;
  for (const auto& stage : chain.stages()) {
    for (const auto& step : stage.steps()) {
      v1::PlanStep* s = plan.add_steps();
      s->set_step_id(step.step_id());
      s->set_display_name(step.display_name());
      s->set_education_form(step.education_form());
      s->set_length_weeks(step.length_weeks());
      s->set_status(v1::STEP_PLANNED);
      chain_weeks += step.length_weeks();
    }
  }
  FieldViolations violations;
  v1::PlanDifference* difference = plan.mutable_difference();
  auto find = [&](absl::string_view id) -> int {
    for (int i = 0; i < plan.steps_size(); ++i) {
      if (plan.steps(i).step_id() == id) return i;
    }
    return -1;
  };
  int extra = 0;
  for (int i = 0; i < adjustments.size(); ++i) {
    const v1::PlanAdjustment& a = adjustments[i];
    const std::string path = absl::StrCat("plan_adjustments[", i, "]");
    switch (a.change_case()) {
      case v1::PlanAdjustment::kRemoveStepId: {
        const int at = find(a.remove_step_id());
        if (at < 0) {
          violations.Add(path + ".remove_step_id", "no such step in the plan");
          break;
        }
        plan.mutable_steps()->DeleteSubrange(at, 1);
        difference->add_removed_step_ids(a.remove_step_id());
        break;
      }
      case v1::PlanAdjustment::kShorten: {
        const int at = find(a.shorten().step_id());
        if (at < 0) {
          violations.Add(path + ".shorten.step_id", "no such step in the plan");
          break;
        }
        v1::PlanStep* step = plan.mutable_steps(at);
        if (a.shorten().length_weeks() < 1 ||
            a.shorten().length_weeks() >= step->length_weeks()) {
          violations.Add(path + ".shorten.length_weeks",
                         absl::StrCat("must be 1–", step->length_weeks() - 1));
          break;
        }
        step->set_length_weeks(a.shorten().length_weeks());
        difference->add_shortened_step_ids(step->step_id());
        break;
      }
      case v1::PlanAdjustment::kAdd: {
        const std::string prefix = path + ".add.";
        CheckRequiredText(a.add().display_name(), 200, prefix + "display_name",
                          violations);
        CheckModuleShape(a.add().education_form(), a.add().length_weeks(),
                         /*hours_per_week=*/1, prefix, violations);
        v1::PlanStep* step = plan.add_steps();
        step->set_step_id(absl::StrCat("extra-", ++extra));
        step->set_display_name(a.add().display_name());
        step->set_education_form(a.add().education_form());
        step->set_length_weeks(a.add().length_weeks());
        step->set_status(v1::STEP_PLANNED);
        difference->add_added_step_ids(step->step_id());
        break;
      }
      case v1::PlanAdjustment::CHANGE_NOT_SET:
        violations.Add(path, "needs remove_step_id, shorten or add");
        break;
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  int plan_weeks = 0;
  for (const auto& step : plan.steps()) plan_weeks += step.length_weeks();
  difference->set_weeks_difference(plan_weeks - chain_weeks);
  return plan;
}

absl::Status ErasePersonalText(storage::Transaction& txn,
                               absl::string_view participant) {
  const RecordTable<v1::Participation> table(IndexTerms);
  absl::StatusOr<std::vector<v1::Participation>> participations =
      table.WithTerm(txn, kCollection, Term("participant", participant));
  if (!participations.ok()) return participations.status();
  for (const v1::Participation& participation : *participations) {
    const std::string& name = participation.name();
    // Stored responses of life-cycle calls may carry the free text too.
    if (absl::Status f = ForgetRequestsFor(txn, name); !f.ok()) return f;
    absl::StatusOr<std::vector<v1::Event>> events =
        LoadAggregateEvents(txn, name);
    if (!events.ok()) return events.status();
    for (v1::Event& e : *events) {
      bool changed = false;
      if (e.has_declined() && !e.declined().reason_text().empty()) {
        e.mutable_declined()->clear_reason_text();
        changed = true;
      }
      if (e.has_interrupted() && !e.interrupted().reason_text().empty()) {
        e.mutable_interrupted()->clear_reason_text();
        changed = true;
      }
      if (e.has_step_progressed() &&
          !e.step_progressed().certificate().empty()) {
        e.mutable_step_progressed()->clear_certificate();
        changed = true;
      }
      if (!changed) continue;
      if (absl::Status w = RewriteEventForErasure(txn, e); !w.ok()) return w;
    }
    absl::StatusOr<v1::Participation> current = table.GetForUpdate(txn, name);
    if (!current.ok()) return current.status();
    v1::Participation cleaned = *current;
    cleaned.clear_reason_text();
    for (auto& step : *cleaned.mutable_plan()->mutable_steps())
      step.clear_certificate();
    StampEtag(&cleaned);
    if (absl::Status w = table.Replace(txn, *current, cleaned); !w.ok())
      return w;
  }
  return absl::OkStatus();
}

absl::Status StampLatestEventDates(storage::Storage& storage) {
  const RecordTable<v1::Participation> table(IndexTerms);
  return ChangeEveryRecord<v1::Participation>(
      storage, table, kCollection,
      [&table](storage::Transaction& txn,
               const v1::Participation& stored) -> absl::Status {
        if (HasDate(stored.latest_event_date())) return absl::OkStatus();
        absl::StatusOr<std::vector<v1::Event>> events =
            LoadAggregateEvents(txn, stored.name());
        if (!events.ok()) return events.status();
        absl::StatusOr<v1::Participation> replayed =
            Replay(stored.name(), *std::move(events));
        if (!replayed.ok() || !HasDate(replayed->latest_event_date())) {
          return absl::OkStatus();
        }
        v1::Participation stamped = stored;
        *stamped.mutable_latest_event_date() = replayed->latest_event_date();
        StampEtag(&stamped);
        return table.Replace(txn, stored, stamped);
      });
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>>
CountParticipationsByState(storage::Reader& reader) {
  std::vector<std::pair<std::string, int64_t>> counts;
  const google::protobuf::EnumDescriptor* states =
      v1::Participation::State_descriptor();
  for (int i = 0; i < states->value_count(); ++i) {
    const int number = states->value(i)->number();
    if (number == v1::Participation::STATE_UNSPECIFIED) continue;
    int64_t n = 0;
    absl::Status s = reader.Scan(
        storage::Column::kIndex,
        storage::IndexPrefix(kCollection, EnumTerm("state", states, number)),
        "", [&](absl::string_view, absl::string_view) {
          ++n;
          return true;
        });
    if (!s.ok()) return s;
    counts.emplace_back(states->value(i)->name(), n);
  }
  return counts;
}

}  // namespace jobtrack
