#include "tests/support/test_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "services/server/schema_migrations.h"
#include "storage/keys.h"

namespace jobtrack::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "jobtrack-test-XXXXXX")
          .string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {

absl::Mutex exit_mu;
std::vector<std::string>* to_remove ABSL_GUARDED_BY(exit_mu) = nullptr;

void RemoveAll() {
  absl::MutexLock lock(&exit_mu);
  for (const std::string& path : *to_remove) {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
}

}  // namespace

void RemoveAtExit(const std::string& path) {
  absl::MutexLock lock(&exit_mu);
  if (to_remove == nullptr) {
    to_remove = new std::vector<std::string>;
    std::atexit(RemoveAll);
  }
  to_remove->push_back(path);
}

absl::Time DefaultTestTime() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0),
                         absl::UTCTimeZone());
}

TestEnv::TestEnv() : clock_(DefaultTestTime()), hasher_(std::string(32, 'k')) {
  if (!LoadSwedishTimeZone().ok()) std::abort();
  Reopen();
}

void TestEnv::Reopen() {
  gatekeeper_.reset();
  audit_.reset();
  storage_.reset();
  storage::Options options;
  options.path = dir_.path() + "/db";
  options.now = [this] { return clock_.Now(); };
  options.lock_timeout = absl::Seconds(10);
  options.migrations = SchemaMigrations();  // As jobtrackd opens it.
  options.before_observers = [this](uint64_t first_sequence) {
    if (before_observers_) before_observers_(first_sequence);
  };
  absl::StatusOr<std::unique_ptr<storage::Storage>> opened =
      storage::Storage::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status();
    std::abort();
  }
  storage_ = *std::move(opened);
  absl::StatusOr<std::unique_ptr<AuditLog>> audit =
      AuditLog::Open(storage_.get(), &clock_);
  if (!audit.ok()) {
    ADD_FAILURE() << audit.status();
    std::abort();
  }
  audit_ = *std::move(audit);
  gatekeeper_ = Gatekeeper::LocalDevelopment(audit_.get());
}

int DamageFiles(const std::string& dir, absl::string_view extension,
                double fraction, uintmax_t min_size) {
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!absl::EndsWith(entry.path().string(), extension) ||
        entry.file_size() < min_size) {
      continue;
    }
    std::fstream file(entry.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(
        static_cast<double>(entry.file_size()) * fraction));
    file << std::string(256, '\xAB');
    ++damaged;
  }
  return damaged;
}

std::vector<std::string> IndexKeysFor(storage::Storage& storage,
                                      absl::string_view id) {
  std::vector<std::string> keys;
  auto reader = storage.Snapshot();
  reader
      ->Scan(storage::Column::kIndex, "", "",
             [&](absl::string_view key, absl::string_view value) {
               if (storage::IndexKeyId(key) == id || value == id) {
                 keys.emplace_back(key);
               }
               return true;
             })
      .IgnoreError();
  return keys;
}

}  // namespace jobtrack::testing
