#include "services/common/clock.h"

namespace jobtrack {
namespace {

struct ZoneState {
  absl::TimeZone zone;
  bool loaded = false;
};

ZoneState& State() {
  static ZoneState* state = [] {
    auto* s = new ZoneState;
    s->loaded = absl::LoadTimeZone("Europe/Stockholm", &s->zone);
    return s;
  }();
  return *state;
}

}  // namespace

absl::Status LoadSwedishTimeZone() {
  if (!State().loaded) {
    return absl::FailedPreconditionError(
        "time zone Europe/Stockholm not found; install the tzdata package");
  }
  return absl::OkStatus();
}

const absl::TimeZone& SwedishTimeZone() { return State().zone; }

absl::CivilDay TodayInSweden(const Clock& clock) {
  return absl::ToCivilDay(clock.Now(), SwedishTimeZone());
}

}  // namespace jobtrack
