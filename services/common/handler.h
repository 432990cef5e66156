// Helpers for gRPC callback handlers: run the domain call, map the result
// through ToGrpcStatus, finish the reactor.
#ifndef JOBTRACK_SERVICES_COMMON_HANDLER_H_
#define JOBTRACK_SERVICES_COMMON_HANDLER_H_

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/status/statusor.h"
#include "services/common/grpc_status.h"
#include "services/common/mutation.h"

namespace jobtrack {

// Answers a unary call with what `call` returns. The domain work runs on
// the calling gRPC thread; it is short and bounded (one transaction).
template <typename Response, typename Call>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                Response* response, Call&& call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Response> result = std::forward<Call>(call)();
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

// Answers a standard List call: `domain.List` gives a page of resources
// and the next page token; `add` appends an item to the response
// (e.g. [](auto& r) { return r.add_employers(); }).
template <typename Response, typename Request, typename Domain, typename Add>
grpc::ServerUnaryReactor* ServeList(grpc::CallbackServerContext* context,
                                    const Request* request, Response* response,
                                    Domain& domain, Add add) {
  return Serve(context, response, [&]() -> absl::StatusOr<Response> {
    std::string parent;
    if constexpr (requires { request->parent(); }) parent = request->parent();
    auto page = domain.List(parent, request->page_size(), request->page_token(),
                            request->filter());
    if (!page.ok()) return page.status();
    Response out;
    for (auto& item : page->first) *add(out) = std::move(item);
    out.set_next_page_token(page->second);
    return out;
  });
}

// The call context of a request: who calls and which method.
inline CallContext ContextOf(grpc::CallbackServerContext* /*context*/,
                             const char* method) {
  CallContext call;
  call.method = method;
  return call;
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_HANDLER_H_
