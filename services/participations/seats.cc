#include "services/participations/seats.h"

#include <algorithm>

#include "services/common/record_table.h"
#include "services/common/terms.h"
#include "services/common/validation.h"

namespace jobtrack {

bool HasStarted(v1::Participation::State state) {
  return state == v1::Participation::ENROLLED ||
         state == v1::Participation::COMPLETED ||
         state == v1::Participation::INTERRUPTED;
}

bool HasStarted(const v1::Participation& p) { return HasStarted(p.state()); }

std::optional<SeatInterval> SeatOf(const v1::Participation& p) {
  if (!HasStarted(p)) return std::nullopt;
  std::optional<absl::CivilDay> start = ToCivilDay(p.start_date());
  if (!start) return std::nullopt;
  SeatInterval seat{*start, std::nullopt};
  if (HasDate(p.end_date())) seat.end = ToCivilDay(p.end_date());
  return seat;
}

absl::StatusOr<std::vector<SeatInterval>> HeldSeats(storage::Reader& reader,
                                                    const v1::Intake& intake,
                                                    absl::string_view exclude) {
  const RecordTable<v1::Participation> table(nullptr);
  absl::StatusOr<std::vector<v1::Participation>> participations =
      table.WithTerm(reader, "participations", Term("intake", intake.name()));
  if (!participations.ok()) return participations.status();
  std::vector<SeatInterval> held;
  for (const v1::Participation& p : *participations) {
    if (p.name() == exclude) continue;
    if (std::optional<SeatInterval> seat = SeatOf(p)) held.push_back(*seat);
  }
  return held;
}

SeatPeak PeakFrom(const v1::Intake& intake,
                  const std::vector<SeatInterval>& held, absl::CivilDay start) {
  if (intake.start_type() == v1::Intake::COMMON) {
    return {start, static_cast<int>(held.size())};
  }
  SeatPeak peak{start, -1};
  auto consider = [&](absl::CivilDay day) {
    const int on_day = static_cast<int>(
        std::count_if(held.begin(), held.end(),
                      [&](const SeatInterval& s) { return s.Covers(day); }));
    if (on_day > peak.taken || (on_day == peak.taken && day < peak.day)) {
      peak = {day, on_day};
    }
  };
  consider(start);
  for (const SeatInterval& s : held) {
    if (s.start > start) consider(s.start);
  }
  return peak;
}

}  // namespace jobtrack
