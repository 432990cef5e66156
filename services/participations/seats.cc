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
  std::optional<absl::CivilDay> end;
  if (HasDate(p.end_date())) end = ToCivilDay(p.end_date());
  return SeatInterval(*start, end);
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
  // One sweep over the seats that reach `start`, in day order: on day d,
  // those started by d less those ended before d hold one. (Counting each
  // candidate day over all seats was quadratic in the seats of an intake
  // that has run for years, and matching asks for every open intake.)
  // In day numbers: comparing and sorting them is cheaper than civil days.
  const int32_t from = SeatInterval::DayNumber(start);
  std::vector<int32_t> starts;
  std::vector<int32_t> ends;
  starts.reserve(held.size());
  ends.reserve(held.size());
  for (const SeatInterval& s : held) {
    if (s.end_day() < from) continue;
    starts.push_back(s.start_day());
    if (s.end_day() != SeatInterval::kOpen) ends.push_back(s.end_day());
  }
  std::sort(starts.begin(), starts.end());
  std::sort(ends.begin(), ends.end());
  size_t started = 0;
  size_t ended = 0;
  auto taken_on = [&](int32_t day) {
    while (started < starts.size() && starts[started] <= day) ++started;
    while (ended < ends.size() && ends[ended] < day) ++ended;
    return static_cast<int>(started - ended);
  };
  // The busiest of `start` and the later days someone starts; the
  // earliest of equals.
  SeatPeak peak{start, taken_on(from)};
  for (int32_t day : starts) {
    if (day <= from) continue;
    if (const int taken = taken_on(day); taken > peak.taken) {
      peak = {SeatInterval::DayOf(day), taken};
    }
  }
  return peak;
}

}  // namespace jobtrack
