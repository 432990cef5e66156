// Time and dates. The clock is injected everywhere, so tests control time.
//
// Dates in the API are civil dates in Sweden (Europe/Stockholm); recorded
// times are UTC instants from the clock.
#ifndef JOBTRACK_SERVICES_COMMON_CLOCK_H_
#define JOBTRACK_SERVICES_COMMON_CLOCK_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace jobtrack {

// Thread-safe source of the current time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class SystemClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock that stands still until told to move. For tests and tools.
class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start) : micros_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override {
    return absl::FromUnixMicros(micros_.load());
  }
  void Set(absl::Time t) { micros_.store(absl::ToUnixMicros(t)); }
  void Advance(absl::Duration d) { micros_ += absl::ToInt64Microseconds(d); }

 private:
  std::atomic<int64_t> micros_;
};

// Europe/Stockholm. OK once the zone has been loaded from the system's time
// zone database (package tzdata); the server checks this at start-up.
absl::Status LoadSwedishTimeZone();
const absl::TimeZone& SwedishTimeZone();

// Today's civil date in Sweden.
absl::CivilDay TodayInSweden(const Clock& clock);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_CLOCK_H_
