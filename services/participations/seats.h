// Seats of an intake (DESIGN 3): who holds one, on which days, and how many
// are free from a given start on. One definition for enrolment (which must
// refuse a participant the intake cannot take) and matching (which must not
// propose one).
#ifndef JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_
#define JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "jobtrack/v1/participation.pb.h"
#include "jobtrack/v1/track.pb.h"
#include "storage/storage.h"

namespace jobtrack {

// The days a participation holds its seat: start to end, or open-ended.
// Eight bytes (day numbers, not civil days of 16 each and an optional):
// the matching index holds one for every seat of the country.
class SeatInterval {
 public:
  // Day numbers count from 1970-01-01; kOpen is the end of an open seat.
  static constexpr int32_t kOpen = std::numeric_limits<int32_t>::max();
  static int32_t DayNumber(absl::CivilDay day) {
    return static_cast<int32_t>(day - kEpoch);
  }
  static absl::CivilDay DayOf(int32_t number) { return kEpoch + number; }

  SeatInterval() = default;
  SeatInterval(absl::CivilDay start, std::optional<absl::CivilDay> end)
      : start_(DayNumber(start)), end_(end ? DayNumber(*end) : kOpen) {}
  // From day numbers; `end` may be kOpen.
  static SeatInterval FromDayNumbers(int32_t start, int32_t end) {
    SeatInterval seat;
    seat.start_ = start;
    seat.end_ = end;
    return seat;
  }

  absl::CivilDay start() const { return DayOf(start_); }
  std::optional<absl::CivilDay> end() const {
    if (end_ == kOpen) return std::nullopt;
    return DayOf(end_);
  }
  int32_t start_day() const { return start_; }
  int32_t end_day() const { return end_; }
  bool Covers(absl::CivilDay day) const {
    const int32_t n = DayNumber(day);
    return start_ <= n && n <= end_;
  }
  friend bool operator==(const SeatInterval&, const SeatInterval&) = default;

 private:
  static constexpr absl::CivilDay kEpoch{1970, 1, 1};
  int32_t start_ = 0;
  int32_t end_ = kOpen;
};

// Whether `p` has started: it is ENROLLED, COMPLETED or INTERRUPTED.
bool HasStarted(const v1::Participation& p);
// The same, from the state alone.
bool HasStarted(v1::Participation::State state);

// The seat `p` holds: a participation that has started holds one from its
// start to its end; others hold none.
std::optional<SeatInterval> SeatOf(const v1::Participation& p);

// The seat ledger. For every participation that holds a seat in an
// intake, an entry under the intake (storage::SeatKey) holds the seat's
// days, so that counting an intake's seats reads small entries of its own:
// reading every participation the intake ever had made each enrolment cost
// in proportion to the intake's history.

// Brings the ledger in line with `updated`, written in `txn` in place of
// `old` (nullptr for a new participation). Every write that may change a
// participation's seat or intake (Participations::Commit: its events)
// calls it in the same transaction; erasure and the latest_event_date
// stamp change neither.
absl::Status KeepSeatLedger(storage::Transaction& txn,
                            const v1::Participation* old,
                            const v1::Participation& updated);

// The seats held in `intake` by its participations other than `exclude` (a
// participation's name), from the ledger. DATA_LOSS for an unreadable entry.
absl::StatusOr<std::vector<SeatInterval>> HeldSeats(storage::Reader& reader,
                                                    const v1::Intake& intake,
                                                    absl::string_view exclude);

// Every entry of the ledger: intake name -> participation name -> seat.
// For the consistency check. DATA_LOSS for an unreadable entry.
using SeatLedger = std::map<std::string, std::map<std::string, SeatInterval>>;
absl::StatusOr<SeatLedger> ReadSeatLedger(storage::Reader& reader);

// Schema migration 3: enters the seat of every stored participation in the
// ledger. Idempotent; commits a page of participations at a time.
absl::Status EnterSeatsInLedger(storage::Storage& storage);

// The busiest day for one more participant starting on `start`, and how
// many seats are taken then. A COMMON intake's seats are taken by every
// enrolment, whatever the days; a ROLLING intake's by those holding a seat
// on the day, so the busiest day from `start` on is `start` or a day
// someone else starts.
struct SeatPeak {
  absl::CivilDay day;
  int taken = 0;
};
SeatPeak PeakFrom(const v1::Intake& intake,
                  const std::vector<SeatInterval>& held, absl::CivilDay start);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_PARTICIPATIONS_SEATS_H_
