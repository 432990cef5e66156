// Test support: a temporary directory, a real RocksDB in it, a manual clock
// and the other injected dependencies.
#ifndef JOBTRACK_TESTS_SUPPORT_TEST_ENV_H_
#define JOBTRACK_TESTS_SUPPORT_TEST_ENV_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/audit/audit_log.h"
#include "services/common/clock.h"
#include "services/common/deps.h"
#include "services/common/ids.h"
#include "services/common/pii_hasher.h"
#include "services/security/gatekeeper.h"
#include "storage/storage.h"

namespace jobtrack::testing {

// A fresh directory, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// For an environment deliberately never destroyed (a fuzz target's, which
// libFuzzer ends with exit()): removes `path` with its content when the
// process exits normally. Thread-safe.
void RemoveAtExit(const std::string& path);

// 2026-11-23 10:00 UTC, a Monday, unless the test sets the clock.
absl::Time DefaultTestTime();

// Storage in a temp dir (opened as jobtrackd opens it, with its schema
// migrations), a manual clock and the other dependencies.
class TestEnv {
 public:
  TestEnv();
  // Closes and reopens the database on the same directory.
  void Reopen();
  Deps deps() {
    return Deps{.storage = storage_.get(),
                .clock = &clock_,
                .ids = &ids_,
                .hasher = &hasher_,
                .gatekeeper = gatekeeper_.get(),
                .audit = audit_.get()};
  }
  storage::Storage& storage() { return *storage_; }
  ManualClock& clock() { return clock_; }
  const std::string& data_dir() const { return dir_.path(); }
  const PiiHasher& hasher() const { return hasher_; }
  // Called with each commit's first sequence before its observers
  // (storage::Options::before_observers). Set it while no commit runs.
  void set_before_observers(std::function<void(uint64_t)> hook) {
    before_observers_ = std::move(hook);
  }

 private:
  TempDir dir_;
  ManualClock clock_;
  RandomIdGenerator ids_;
  PiiHasher hasher_;
  std::function<void(uint64_t)> before_observers_;
  std::unique_ptr<storage::Storage> storage_;
  // Reopened with the storage. In-process servers serve every call as the
  // local developer (ADMIN), audited; security tests start servers with
  // their own gatekeeper.
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Gatekeeper> gatekeeper_;
};

// A disk fault: overwrites 256 bytes at `fraction` of the length of every
// file in `dir` whose name ends in `extension` and that holds at least
// `min_size` bytes. Returns how many files it damaged.
int DamageFiles(const std::string& dir, absl::string_view extension,
                double fraction, uintmax_t min_size = 0);

// Every index entry (index column family) whose key ends in `id`.
std::vector<std::string> IndexKeysFor(storage::Storage& storage,
                                      absl::string_view id);

}  // namespace jobtrack::testing

#define JT_ASSERT_OK_AND_ASSIGN(lhs, expr)              \
  auto JT_CONCAT(_or_, __LINE__) = (expr);              \
  ASSERT_TRUE(JT_CONCAT(_or_, __LINE__).ok())           \
      << JT_CONCAT(_or_, __LINE__).status().ToString(); \
  lhs = *std::move(JT_CONCAT(_or_, __LINE__))
#define JT_CONCAT_INNER(a, b) a##b
#define JT_CONCAT(a, b) JT_CONCAT_INNER(a, b)

#endif  // JOBTRACK_TESTS_SUPPORT_TEST_ENV_H_
