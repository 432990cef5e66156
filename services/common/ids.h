// Resource ids. They are random, never sequential, so that an id reveals
// nothing about how many records exist or when they were made.
#ifndef JOBTRACK_SERVICES_COMMON_IDS_H_
#define JOBTRACK_SERVICES_COMMON_IDS_H_

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace jobtrack {

// Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A new id: lower-case letters and digits, starting with a letter.
  virtual std::string NewId() = 0;
};

// 16 characters from a 32-letter alphabet (80 random bits).
class RandomIdGenerator : public IdGenerator {
 public:
  std::string NewId() override;

 private:
  absl::Mutex mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(mu_);
};

// True if `id` could have been made by an IdGenerator: 1–63 characters,
// [a-z0-9-], starting with a letter.
bool IsValidId(absl::string_view id);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_IDS_H_
