#include "services/participations/seats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace jobtrack {
namespace {

v1::Intake Rolling() {
  v1::Intake intake;
  intake.set_start_type(v1::Intake::ROLLING);
  return intake;
}

// The definition: the busiest of `start` and the days after it that a seat
// starts, counting every seat on each; the earliest of equals.
SeatPeak PeakByCountingEachDay(const std::vector<SeatInterval>& held,
                               absl::CivilDay start) {
  std::vector<absl::CivilDay> days = {start};
  for (const SeatInterval& s : held) {
    if (s.start() > start) days.push_back(s.start());
  }
  std::sort(days.begin(), days.end());
  SeatPeak peak{start, -1};
  for (absl::CivilDay day : days) {
    const int taken = static_cast<int>(
        std::count_if(held.begin(), held.end(),
                      [&](const SeatInterval& s) { return s.Covers(day); }));
    if (taken > peak.taken) peak = {day, taken};
  }
  return peak;
}

TEST(SeatsTest, RollingPeakIsTheBusiestDayFromTheStartOn) {
  const absl::CivilDay start(2026, 3, 1);
  const std::vector<SeatInterval> held = {
      {absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 2, 28)},  // Ended.
      {absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 10)},
      {absl::CivilDay(2026, 3, 5), std::nullopt},
      {absl::CivilDay(2026, 3, 10), absl::CivilDay(2026, 4, 1)},
      {absl::CivilDay(2026, 3, 11), absl::CivilDay(2026, 3, 20)},
  };
  const SeatPeak peak = PeakFrom(Rolling(), held, start);
  // 10 March: the seat ending that day, the open one and the one starting.
  EXPECT_EQ(peak.day, absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(peak.taken, 3);
}

TEST(SeatsTest, RollingPeakWithNoSeatsHeldIsTheStartWithNoneTaken) {
  const SeatPeak peak = PeakFrom(Rolling(), {}, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(peak.day, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(peak.taken, 0);
}

TEST(SeatsTest, CommonIntakeCountsEverySeatWhateverTheDays) {
  v1::Intake common;
  common.set_start_type(v1::Intake::COMMON);
  const std::vector<SeatInterval> held = {
      {absl::CivilDay(2020, 1, 1), absl::CivilDay(2020, 2, 1)},
      {absl::CivilDay(2026, 1, 1), std::nullopt}};
  EXPECT_EQ(PeakFrom(common, held, absl::CivilDay(2026, 3, 1)).taken, 2);
}

TEST(SeatsTest, RollingPeakAgreesWithCountingEachDayOnRandomSeats) {
  std::mt19937 random(7);
  const absl::CivilDay origin(2024, 1, 1);
  for (int round = 0; round < 500; ++round) {
    std::vector<SeatInterval> held;
    const int seats = std::uniform_int_distribution<int>(0, 40)(random);
    for (int i = 0; i < seats; ++i) {
      const absl::CivilDay begin =
          origin + std::uniform_int_distribution<int>(0, 200)(random);
      std::optional<absl::CivilDay> end;
      if (random() % 4 != 0) {
        end = begin + std::uniform_int_distribution<int>(0, 60)(random);
      }
      held.push_back({begin, end});
    }
    const absl::CivilDay start =
        origin + std::uniform_int_distribution<int>(0, 220)(random);
    const SeatPeak want = PeakByCountingEachDay(held, start);
    const SeatPeak got = PeakFrom(Rolling(), held, start);
    ASSERT_EQ(got.day, want.day) << "round " << round;
    ASSERT_EQ(got.taken, want.taken) << "round " << round;
  }
}

}  // namespace
}  // namespace jobtrack
