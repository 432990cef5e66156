// Module chains: validation, resolution of catalogue modules, length.
#ifndef JOBTRACK_SERVICES_TRACKS_CHAIN_H_
#define JOBTRACK_SERVICES_TRACKS_CHAIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "jobtrack/v1/track.pb.h"
#include "services/common/errors.h"
#include "storage/storage.h"

namespace jobtrack {

inline constexpr int kMaxStages = 30;
inline constexpr int kMaxStepsPerStage = 10;
inline constexpr int kMaxChainWeeks = 156;

// Checks the caller-set parts of a chain (stages, steps, sources); output-only
// fields are ignored. Paths start with `prefix` ("track.chain").
void CheckChainShape(const v1::ModuleChain& chain, const std::string& prefix,
                     FieldViolations& violations);

// A copy of `input` with step ids, copied module details and the length
// filled in. Each catalogue module is read with a lock, so it cannot be
// deleted before the transaction commits. A module that does not exist, or
// a chain that is too long, adds a violation; the status is for storage
// errors only.
absl::StatusOr<v1::ModuleChain> ResolveChain(storage::Transaction& txn,
                                             const v1::ModuleChain& input,
                                             const std::string& prefix,
                                             FieldViolations& violations);

// Weeks from start to end: stages one after the other, each as long as its
// longest step.
int ChainLengthWeeks(const v1::ModuleChain& chain);

// The version `version` of `track`'s chain (current or past); null if the
// track has no such version.
const v1::ModuleChain* ChainVersion(const v1::Track& track, int version);

// True if both chains have the same stages and step sources.
bool SameSteps(const v1::ModuleChain& a, const v1::ModuleChain& b);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_TRACKS_CHAIN_H_
