#include "services/common/ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace jobtrack {

std::string RandomIdGenerator::NewId() {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz023456789";
  std::string id(16, ' ');
  absl::MutexLock lock(&mu_);
  id[0] = kLetters[absl::Uniform(gen_, 0u, 26u)];
  for (size_t i = 1; i < id.size(); ++i) {
    id[i] = kAlphabet[absl::Uniform(gen_, 0u, 32u)];
  }
  return id;
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || !absl::ascii_islower(id[0])) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace jobtrack
