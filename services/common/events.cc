#include "services/common/events.h"

#include "absl/strings/str_cat.h"
#include "services/common/resource.h"
#include "services/common/validation.h"

namespace jobtrack {

void AppendEvent(storage::Transaction& txn, const CallContext& context,
                 absl::CivilDay effective, absl::Time recorded,
                 v1::Event event) {
  event.clear_sequence();
  event.set_actor(context.principal);
  *event.mutable_effective_date() = ToDate(effective);
  *event.mutable_record_time() = ToTimestamp(recorded);
  std::string resource = event.resource();
  txn.AddEvent(std::move(resource), event.SerializeAsString());
}

absl::StatusOr<v1::Event> DecodeEvent(uint64_t sequence,
                                      absl::string_view payload) {
  v1::Event event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError(absl::StrCat("unreadable event ", sequence));
  }
  event.set_sequence(static_cast<int64_t>(sequence));
  return event;
}

}  // namespace jobtrack
