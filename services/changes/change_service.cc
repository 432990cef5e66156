#include "services/changes/change_service.h"

#include "absl/strings/str_cat.h"
#include "services/changes/change_stream.h"
#include "services/common/crud.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"
#include "services/security/gatekeeper.h"
#include "services/security/response_filter.h"

namespace jobtrack {

absl::Status NarrowToScope(const Principal& principal, ChangeFilter& filter) {
  switch (principal.role) {
    case security::ADMIN:
      return absl::OkStatus();
    case security::CASE_OFFICER:
    case security::MUNICIPALITY_STAFF:
      for (const std::string& m : filter.municipalities) {
        if (!principal.municipalities.contains(m)) {
          return absl::PermissionDeniedError(
              absl::StrCat(principal.id, " may not watch municipality ", m));
        }
      }
      if (filter.municipalities.empty()) {
        filter.municipalities = principal.municipalities;
      }
      return absl::OkStatus();
    case security::SUPPLIER:
      if (!filter.supplier.empty() && filter.supplier != principal.supplier) {
        return absl::PermissionDeniedError(
            absl::StrCat(principal.id, " may not watch ", filter.supplier));
      }
      filter.supplier = principal.supplier;
      return absl::OkStatus();
    default:
      return absl::PermissionDeniedError(
          absl::StrCat(principal.id, " may not watch changes"));
  }
}

namespace {

// Passes events on with only the fields the caller's role may read.
class MinimizingSink : public StreamSink<v1::Event> {
 public:
  MinimizingSink(StreamSink<v1::Event>& sink, security::Role role)
      : sink_(sink), role_(role) {}
  bool Send(const v1::Event& event) override {
    v1::Event minimal = event;
    MinimizeForRole(role_, &minimal);
    return sink_.Send(minimal);
  }
  bool Ended() override { return sink_.Ended(); }

 private:
  StreamSink<v1::Event>& sink_;
  const security::Role role_;
};

}  // namespace

grpc::ServerWriteReactor<v1::Event>* ChangeService::WatchChanges(
    grpc::CallbackServerContext* context,
    const v1::WatchChangesRequest* request) {
  absl::StatusOr<CallContext> admitted = gatekeeper_->Admit(*context, *request);
  if (!admitted.ok()) {
    return ProducerStream<v1::Event>::Refuse(admitted.status());
  }
  FieldViolations violations;
  if (request->after_sequence() < 0) {
    violations.Add("after_sequence", "must not be negative");
  }
  ChangeFilter filter;
  for (int i = 0; i < request->municipality_codes_size(); ++i) {
    CheckMunicipality(request->municipality_codes(i),
                      absl::StrCat("municipality_codes[", i, "]"), violations);
    filter.municipalities.insert(request->municipality_codes(i));
  }
  if (!request->supplier().empty()) {
    if (!CheckResourceName(request->supplier(), "suppliers", "supplier").ok()) {
      violations.Add("supplier", "must be `suppliers/{id}`");
    }
    filter.supplier = request->supplier();
  }
  absl::Status opened = violations.ToStatus();
  if (opened.ok() && admitted->who != nullptr) {
    opened = NarrowToScope(*admitted->who, filter);
  }
  // A stream is audited when it opens (or is refused), not when it ends:
  // a watch may last for days.
  opened = gatekeeper_->Audit(*admitted, *request, nullptr, opened);
  if (!opened.ok()) return ProducerStream<v1::Event>::Refuse(opened);
  const uint64_t after = static_cast<uint64_t>(request->after_sequence());
  const security::Role role = admitted->who != nullptr
                                  ? admitted->who->role
                                  : security::ROLE_UNSPECIFIED;
  return new ProducerStream<v1::Event>([deps = deps_,
                                        filter = std::move(filter), after,
                                        role](StreamSink<v1::Event>& sink) {
    // Only roles with minimal fields pay for a copy of each event.
    if (!HasMinimalFields(role)) {
      return StreamChanges(deps, filter, after, sink);
    }
    MinimizingSink minimal(sink, role);
    return StreamChanges(deps, filter, after, minimal);
  });
}

}  // namespace jobtrack
