#include "services/audit/audit_entry.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace jobtrack {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Collections whose names an entry records.
constexpr absl::string_view kAudited[] = {
    "participants/", "participations/", "tracks/", "employers/", "suppliers/"};

bool IsAuditedName(absl::string_view value) {
  if (value.size() > 300) return false;
  // Most strings of a response are neither names nor contain a slash (the
  // explanations of proposals): one scan settles those.
  const size_t slash = value.find('/');
  if (slash == absl::string_view::npos) return false;
  const absl::string_view collection = value.substr(0, slash + 1);
  if (std::find(std::begin(kAudited), std::end(kAudited), collection) ==
      std::end(kAudited)) {
    return false;
  }
  for (char c : value) {
    if (!absl::ascii_isalnum(c) && c != '/' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

class NameCollector {
 public:
  explicit NameCollector(v1::AuditEvent& entry) : entry_(entry) {}

  void Collect(const Message& message, int depth) {
    const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
    const google::protobuf::Reflection* reflection = message.GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        // The references avoid a copy of every string: a response of ten
        // explained proposals holds some two hundred.
        if (!field->is_repeated()) {
          Add(reflection->GetStringReference(message, field, &scratch_));
          continue;
        }
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          Add(reflection->GetRepeatedStringReference(message, field, j,
                                                     &scratch_));
        }
      } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 2) {
        if (!field->is_repeated()) {
          if (reflection->HasField(message, field)) {
            Collect(reflection->GetMessage(message, field), depth + 1);
          }
          continue;
        }
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          Collect(reflection->GetRepeatedMessage(message, field, j), depth + 1);
        }
      }
    }
  }

 private:
  void Add(const std::string& value) {
    if (!IsAuditedName(value) || seen_.contains(value)) return;
    if (entry_.resources_size() >= kMaxAuditedResources) {
      entry_.set_resources_truncated(true);
      return;
    }
    // A repeated field's strings stay where they are as it grows.
    seen_.insert(*entry_.add_resources() = value);
  }

  v1::AuditEvent& entry_;
  // Views of the names in entry_.
  absl::flat_hash_set<absl::string_view> seen_;
  // Where the reflection puts a string it does not hold as std::string.
  std::string scratch_;
};

}  // namespace

v1::AuditEvent AuditEntryFor(const CallContext& call, const Message& request,
                             const Message* response,
                             const absl::Status& result) {
  v1::AuditEvent entry;
  entry.set_principal(call.principal);
  if (call.who != nullptr) {
    entry.set_role(security::Role_Name(call.who->role));
  }
  entry.set_method(call.method);
  entry.set_result(absl::StatusCodeToString(result.code()));
  NameCollector names(entry);
  names.Collect(request, 0);
  if (response != nullptr) names.Collect(*response, 0);
  return entry;
}

}  // namespace jobtrack
