#include "services/changes/change_service.h"

#include "absl/strings/str_cat.h"
#include "services/changes/change_stream.h"
#include "services/common/crud.h"
#include "services/common/grpc_status.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

// Answers a bad request with an error right away.
class Refusal : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit Refusal(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::Event>* ChangeService::WatchChanges(
    grpc::CallbackServerContext* /*context*/,
    const v1::WatchChangesRequest* request) {
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
  if (!violations.empty()) return new Refusal(violations.ToStatus());
  return new ChangeStream(deps_, std::move(filter),
                          static_cast<uint64_t>(request->after_sequence()));
}

}  // namespace jobtrack
