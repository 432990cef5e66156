#include "services/participations/seats.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/record_pages.h"
#include "services/common/record_table.h"
#include "services/common/validation.h"
#include "storage/keys.h"

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

namespace {

constexpr absl::string_view kParticipations = "participations";

// A ledger entry's value: the seat's first and last day numbers, four bytes
// each, big-endian (kOpen for an open end).
std::string EncodeSeat(const SeatInterval& seat) {
  return storage::BigEndian64(
      (uint64_t{static_cast<uint32_t>(seat.start_day())} << 32) |
      static_cast<uint32_t>(seat.end_day()));
}

std::optional<SeatInterval> DecodeSeat(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  const uint64_t days = storage::FromBigEndian64(bytes);
  const int32_t start = static_cast<int32_t>(days >> 32);
  const int32_t end = static_cast<int32_t>(days & 0xffffffff);
  if (end < start) return std::nullopt;
  return SeatInterval::FromDayNumbers(start, end);
}

// The ledger entry (key, value) of `p`, if it holds a seat in an intake.
std::optional<std::pair<std::string, std::string>> LedgerEntry(
    const v1::Participation& p) {
  if (p.intake().empty()) return std::nullopt;
  const std::optional<SeatInterval> seat = SeatOf(p);
  if (!seat) return std::nullopt;
  absl::string_view collection, id;
  if (!storage::SplitName(p.name(), &collection, &id)) return std::nullopt;
  return std::make_pair(storage::SeatKey(p.intake(), id), EncodeSeat(*seat));
}

absl::Status UnreadableEntry(absl::string_view key) {
  return absl::DataLossError(
      absl::StrCat("unreadable seat ledger entry ", absl::CHexEscape(key)));
}

}  // namespace

absl::Status KeepSeatLedger(storage::Transaction& txn,
                            const v1::Participation* old,
                            const v1::Participation& updated) {
  const auto before = old != nullptr ? LedgerEntry(*old) : std::nullopt;
  const auto after = LedgerEntry(updated);
  if (before && (!after || after->first != before->first)) {
    if (absl::Status s = txn.Delete(storage::Column::kIndex, before->first);
        !s.ok()) {
      return s;
    }
  }
  if (after && before != after) {
    return txn.Put(storage::Column::kIndex, after->first, after->second);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SeatInterval>> HeldSeats(storage::Reader& reader,
                                                    const v1::Intake& intake,
                                                    absl::string_view exclude) {
  absl::string_view collection, exclude_id;
  if (!storage::SplitName(exclude, &collection, &exclude_id) ||
      collection != kParticipations) {
    exclude_id = {};
  }
  std::vector<SeatInterval> held;
  absl::Status inner;
  const std::string prefix = storage::SeatPrefix(intake.name());
  absl::Status s = reader.Scan(
      storage::Column::kIndex, prefix, "",
      [&](absl::string_view key, absl::string_view value) {
        if (!exclude_id.empty() && key.substr(prefix.size()) == exclude_id) {
          return true;
        }
        const std::optional<SeatInterval> seat = DecodeSeat(value);
        if (!seat) {
          inner = UnreadableEntry(key);
          return false;
        }
        held.push_back(*seat);
        return true;
      });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return held;
}

absl::StatusOr<SeatLedger> ReadSeatLedger(storage::Reader& reader) {
  SeatLedger ledger;
  absl::Status inner;
  const std::string prefix = storage::SeatLedgerPrefix();
  absl::Status s =
      reader.Scan(storage::Column::kIndex, prefix, "",
                  [&](absl::string_view key, absl::string_view value) {
                    const absl::string_view rest = key.substr(prefix.size());
                    const size_t sep = rest.rfind('\0');
                    const std::optional<SeatInterval> seat = DecodeSeat(value);
                    if (sep == absl::string_view::npos || sep == 0 ||
                        sep + 1 == rest.size() || !seat) {
                      inner = UnreadableEntry(key);
                      return false;
                    }
                    ledger[std::string(rest.substr(0, sep))][absl::StrCat(
                        kParticipations, "/", rest.substr(sep + 1))] = *seat;
                    return true;
                  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return ledger;
}

absl::Status EnterSeatsInLedger(storage::Storage& storage) {
  return ChangeEveryRecord<v1::Participation>(
      storage, RecordTable<v1::Participation>(nullptr), kParticipations,
      [](storage::Transaction& txn, const v1::Participation& p) {
        return KeepSeatLedger(txn, nullptr, p);
      });
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
