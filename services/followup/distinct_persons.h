// Counting distinct persons in the report's one pass over millions of
// participations: dense arrays indexed by the pass's person ids
// (ParticipationFacts::participant), not hash sets (ruling 9.8).
//
// Thread safety: none; one pass owns each object.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_
#define JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "jobtrack/v1/participant.pb.h"

namespace jobtrack {

// Distinct persons by their dense id (ParticipationFacts::participant),
// each with the gender last marked: an array, not a hash map, because the
// report's one pass marks most of the country's participants.
class PersonMarks {
 public:
  void Mark(uint32_t person, v1::Gender gender) {
    if (person >= marks_.size()) marks_.resize(person + person / 2 + 1024, 0);
    marks_[person] = static_cast<uint8_t>(gender) + 1;
  }
  int64_t Total() const {
    return static_cast<int64_t>(marks_.size()) -
           std::count(marks_.begin(), marks_.end(), 0);
  }
  int64_t Count(v1::Gender gender) const {
    return std::count(marks_.begin(), marks_.end(),
                      static_cast<uint8_t>(gender) + 1);
  }

 private:
  std::vector<uint8_t> marks_;  // Gender + 1; 0: not marked.
};

// Distinct (person, track) pairs. A person has few participations: the
// first three tracks sit in an array by person, the rest in a hash set.
class PersonTrackSet {
 public:
  // Whether the pair is new.
  bool Insert(uint32_t person, uint32_t track) {
    if (person >= slots_.size()) {
      Slots none;
      none.fill(kNone);
      slots_.resize(person + person / 2 + 1024, none);
    }
    for (uint32_t& slot : slots_[person]) {
      if (slot == track) return false;
      if (slot == kNone) {
        slot = track;
        return true;
      }
    }
    return overflow_.insert(uint64_t{person} << 32 | track).second;
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  using Slots = std::array<uint32_t, 3>;
  std::vector<Slots> slots_;
  absl::flat_hash_set<uint64_t> overflow_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_
