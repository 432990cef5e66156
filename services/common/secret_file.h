// Reading files that hold secrets (keys, token hashes, TLS private keys).
#ifndef JOBTRACK_SERVICES_COMMON_SECRET_FILE_H_
#define JOBTRACK_SERVICES_COMMON_SECRET_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace jobtrack {

// The content of `path`. FAILED_PRECONDITION if it cannot be read, or if
// group or others have any access to it (the server refuses to start then;
// `chmod 600` fixes it). `what` names the file in messages ("key file").
absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           const char* what);

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_SECRET_FILE_H_
