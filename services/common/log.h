// Minimal structured logging to stderr (Abseil 20220623 has no absl/log).
// One line per call: UTC time, severity, message. Never pass personal data.
#ifndef JOBTRACK_SERVICES_COMMON_LOG_H_
#define JOBTRACK_SERVICES_COMMON_LOG_H_

#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

enum class LogLevel { kInfo, kWarning, kError };

// Thread-safe: each line is written with one write(2).
void LogLine(LogLevel level, absl::string_view message);

template <typename... Args>
void LogInfo(const Args&... args) {
  LogLine(LogLevel::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(const Args&... args) {
  LogLine(LogLevel::kWarning, absl::StrCat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  LogLine(LogLevel::kError, absl::StrCat(args...));
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_LOG_H_
