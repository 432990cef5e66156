#include "services/common/events.h"

#include "absl/strings/str_cat.h"
#include "services/common/resource.h"
#include "services/common/validation.h"
#include "storage/keys.h"

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

absl::StatusOr<std::vector<v1::Event>> LoadAggregateEvents(
    storage::Reader& reader, absl::string_view aggregate) {
  std::vector<v1::Event> events;
  absl::Status inner;
  const std::string prefix = storage::AggregateEventPrefix(aggregate);
  absl::Status s = reader.Scan(
      storage::Column::kIndex, prefix, "",
      [&](absl::string_view key, absl::string_view) {
        const uint64_t sequence =
            storage::EventKeySequence(key.substr(prefix.size()));
        absl::StatusOr<std::optional<std::string>> payload =
            reader.Get(storage::Column::kEvents, storage::EventKey(sequence));
        if (!payload.ok()) {
          inner = payload.status();
          return false;
        }
        if (!payload->has_value()) {
          inner = absl::DataLossError(
              absl::StrCat("indexed event ", sequence, " is missing"));
          return false;
        }
        absl::StatusOr<v1::Event> event = DecodeEvent(sequence, **payload);
        if (!event.ok()) {
          inner = event.status();
          return false;
        }
        events.push_back(*std::move(event));
        return true;
      });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return events;
}

absl::Status RewriteEventForErasure(storage::Transaction& txn,
                                    const v1::Event& event) {
  v1::Event stored = event;
  stored.clear_sequence();
  return txn.Put(storage::Column::kEvents,
                 storage::EventKey(static_cast<uint64_t>(event.sequence())),
                 stored.SerializeAsString());
}

absl::Status ScanEvents(storage::Reader& reader, uint64_t after,
                        absl::FunctionRef<bool(v1::Event event)> visit) {
  absl::Status inner;
  absl::Status s =
      reader.Scan(storage::Column::kEvents, "",
                  after == 0 ? std::string() : storage::EventKey(after),
                  [&](absl::string_view key, absl::string_view value) {
                    absl::StatusOr<v1::Event> event =
                        DecodeEvent(storage::EventKeySequence(key), value);
                    if (!event.ok()) {
                      inner = event.status();
                      return false;
                    }
                    return visit(*std::move(event));
                  });
  if (!s.ok()) return s;
  return inner;
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
