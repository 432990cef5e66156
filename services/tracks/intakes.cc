#include "services/tracks/intakes.h"

#include "absl/strings/string_view.h"
#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {

Intakes::Intakes(Deps deps)
    : Crud(
          deps,
          Spec{.collection = "intakes",
               .parent_collection = "tracks",
               .field = "intake",
               .updatable = {"display_name", "start_date", "end_date", "seats"},
               .filters = {EnumFilter("start_type",
                                      v1::Intake::StartType_descriptor())}},
          RecordTable<v1::Intake>([](const v1::Intake& i) {
            return std::vector<std::string>{
                EnumTerm("start_type", v1::Intake::StartType_descriptor(),
                         i.start_type())};
          })) {}

void Intakes::Validate(const v1::Intake& i, bool,
                       FieldViolations& violations) const {
  CheckOptionalText(i.display_name(), 200, "intake.display_name", violations);
  if (i.start_type() == v1::Intake::START_TYPE_UNSPECIFIED ||
      !v1::Intake::StartType_IsValid(i.start_type())) {
    violations.Add("intake.start_type", "must be COMMON or ROLLING");
  }
  std::optional<absl::CivilDay> start =
      CheckDate(i.start_date(), "intake.start_date", violations);
  if (HasDate(i.end_date())) {
    if (i.start_type() != v1::Intake::ROLLING) {
      violations.Add("intake.end_date",
                     "only a ROLLING intake has an end date");
    } else {
      std::optional<absl::CivilDay> end =
          CheckDate(i.end_date(), "intake.end_date", violations);
      if (start && end && *end < *start) {
        violations.Add("intake.end_date", "must not be before start_date");
      }
    }
  }
  if (i.seats() < 1 || i.seats() > kMaxSeats) {
    violations.Add("intake.seats", absl::StrCat("must be 1–", kMaxSeats));
  }
}

absl::Status Intakes::Prepare(storage::Transaction& txn, v1::Intake& intake,
                              const v1::Intake* old) const {
  if (old != nullptr) return absl::OkStatus();
  const absl::string_view name = intake.name();
  const std::string track_name(name.substr(0, name.find("/intakes/")));
  const RecordTable<v1::Track> tracks(nullptr);
  absl::StatusOr<v1::Track> track = tracks.GetForUpdate(txn, track_name);
  if (!track.ok()) return track.status();
  if (track->status() == v1::Track::CLOSED) {
    return Precondition("TRACK_CLOSED",
                        absl::StrCat(track_name,
                                     " is CLOSED; reopen it before "
                                     "adding intakes"));
  }
  intake.set_chain_version(track->chain().version());
  return absl::OkStatus();
}

}  // namespace jobtrack
