#include "services/security/response_filter.h"

#include <initializer_list>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace jobtrack {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

struct Projection {
  security::Role role;
  absl::string_view message;  // Full name.
  std::initializer_list<absl::string_view> keep;
};

const Projection kProjections[] = {
    {security::SUPPLIER,
     "jobtrack.v1.Participant",
     {"name", "external_reference", "municipality_code", "supplier",
      "available_from", "erased"}},
    {security::SUPPLIER,
     "jobtrack.v1.ParticipantSnapshot",
     {"municipality_code", "supplier"}},
    {security::EMPLOYER,
     "jobtrack.v1.Participation",
     {"name", "participant", "track", "intake", "state", "state_date",
      "start_date", "end_date"}},
};

const Projection* ProjectionOf(security::Role role, absl::string_view type) {
  for (const Projection& p : kProjections) {
    if (p.role == role && p.message == type) return &p;
  }
  return nullptr;
}

void Minimize(security::Role role, Message* message) {
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  const google::protobuf::Reflection* reflection = message->GetReflection();
  if (const Projection* projection =
          ProjectionOf(role, descriptor->full_name())) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      bool kept = false;
      for (absl::string_view name : projection->keep)
        kept |= name == field->name();
      if (!kept) reflection->ClearField(message, field);
    }
    return;
  }
  std::vector<const FieldDescriptor*> set;
  reflection->ListFields(*message, &set);
  for (const FieldDescriptor* field : set) {
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        Minimize(role, reflection->MutableRepeatedMessage(message, field, i));
      }
    } else {
      Minimize(role, reflection->MutableMessage(message, field));
    }
  }
}

}  // namespace

bool HasMinimalFields(security::Role role) {
  for (const Projection& p : kProjections) {
    if (p.role == role) return true;
  }
  return false;
}

void MinimizeForRole(security::Role role, Message* message) {
  if (HasMinimalFields(role)) Minimize(role, message);
}

}  // namespace jobtrack
