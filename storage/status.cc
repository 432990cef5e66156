#include "storage/status.h"

#include "absl/strings/str_cat.h"

namespace jobtrack::storage {

absl::Status FromRocksDb(const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const std::string text = status.ToString();
  switch (status.code()) {
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
      return absl::AbortedError(
          absl::StrCat("concurrent update, retry the call: ", text));
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(absl::StrCat("storage corruption: ", text));
    case rocksdb::Status::kIOError:
      if (status.subcode() == rocksdb::Status::kNoSpace) {
        return absl::UnavailableError(absl::StrCat("storage full: ", text));
      }
      return absl::UnavailableError(absl::StrCat("storage I/O error: ", text));
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(text);
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported:
    default:
      return absl::InternalError(absl::StrCat("storage error: ", text));
  }
}

}  // namespace jobtrack::storage
