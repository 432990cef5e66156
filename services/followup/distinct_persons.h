// Counting distinct persons in the report's one pass over millions of
// participations: dense arrays indexed by the pass's person ids
// (ParticipationFacts::participant), not hash sets (ruling 9.8).
//
// Reset sizes both once for the pass's persons when it knows how many
// there are (FactNames::persons); they grow otherwise. Between passes they
// are kept (PassScratchPool) rather than allocated per report: on a
// virtual machine, writing 14 MB of memory the process had given back took
// 30-50 ms, half of a national report's pass. The array of pairs (12 bytes
// a person) is a HugeVector: a mapping of its own, in huge pages where the
// kernel gives them.
//
// Thread safety: none, except PassScratchPool; one pass owns each object.
#ifndef JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_
#define JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "jobtrack/v1/participant.pb.h"
#include "services/common/huge_page_allocator.h"

namespace jobtrack {

// Distinct persons by their dense id (ParticipationFacts::participant),
// each with the gender last marked: an array, not a hash map, because the
// report's one pass marks most of the country's participants.
class PersonMarks {
 public:
  // Unmarks everyone and sizes for `persons`, keeping the memory (with
  // room for the persons that writes add until the next pass).
  void Reset(size_t persons) {
    if (persons > marks_.capacity()) marks_.reserve(persons + persons / 8);
    marks_.assign(persons, 0);
  }

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
  // Empties the set and sizes it for `persons`, as PersonMarks::Reset.
  void Reset(size_t persons) {
    if (persons > slots_.capacity()) slots_.reserve(persons + persons / 8);
    slots_.assign(persons, Slots{});
    overflow_.clear();
  }

  // Whether the pair is new.
  bool Insert(uint32_t person, uint32_t track) {
    if (person >= slots_.size()) slots_.resize(person + person / 2 + 1024);
    // Slots hold track + 1: zero, what a new array holds, is empty.
    const uint32_t stored = track + 1;
    for (uint32_t& slot : slots_[person]) {
      if (slot == stored) return false;
      if (slot == 0) {
        slot = stored;
        return true;
      }
    }
    return overflow_.insert(uint64_t{person} << 32 | track).second;
  }

 private:
  using Slots = std::array<uint32_t, 3>;
  HugeVector<Slots> slots_;
  absl::flat_hash_set<uint64_t> overflow_;
};

// The distinct-person sets of one report pass.
struct PassScratch {
  PersonTrackSet started_tracks;
  PersonMarks active;
  PersonMarks started_since;

  // Empties all of them and sizes them for `persons`.
  void Reset(size_t persons) {
    started_tracks.Reset(persons);
    active.Reset(persons);
    started_since.Reset(persons);
  }
};

// PassScratch kept between passes: passes at once each take their own;
// up to `kept` stay allocated while no pass runs (14 MB each at national
// scale). Thread-safe; must outlive the scratch it hands out.
class PassScratchPool {
 public:
  explicit PassScratchPool(size_t kept = 2) : kept_(kept) {}
  PassScratchPool(const PassScratchPool&) = delete;
  PassScratchPool& operator=(const PassScratchPool&) = delete;

  struct GiveBack {
    PassScratchPool* pool;
    void operator()(PassScratch* scratch) const { pool->Return(scratch); }
  };
  using Handle = std::unique_ptr<PassScratch, GiveBack>;

  // Scratch for one pass, as the last pass left it (Reset it first).
  Handle Take() {
    std::unique_ptr<PassScratch> scratch;
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        scratch = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (scratch == nullptr) scratch = std::make_unique<PassScratch>();
    return Handle(scratch.release(), GiveBack{this});
  }

 private:
  void Return(PassScratch* scratch) {
    std::unique_ptr<PassScratch> owned(scratch);
    absl::MutexLock lock(&mu_);
    if (idle_.size() < kept_) idle_.push_back(std::move(owned));
  }

  const size_t kept_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PassScratch>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_FOLLOWUP_DISTINCT_PERSONS_H_
