// Helpers for gRPC callback handlers: admit the call (Gatekeeper), run the
// domain call, map the result through ToGrpcStatus, finish the reactor.
#ifndef JOBTRACK_SERVICES_COMMON_HANDLER_H_
#define JOBTRACK_SERVICES_COMMON_HANDLER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "services/common/call_limiter.h"
#include "services/common/grpc_status.h"
#include "services/common/mutation.h"
#include "services/common/wire_cache.h"
#include "services/common/worker_pool.h"
#include "services/security/gatekeeper.h"
#include "services/security/response_filter.h"

namespace jobtrack {

// Answers a unary call: the gatekeeper admits it (or its refusal is the
// answer), then `call` runs — with the admitted CallContext if it takes
// one. The domain work is short and bounded (one transaction). A call that
// writes (its request has a request_id) runs on the gatekeeper's writer
// pool, if it has one, so that waiting for its WAL sync blocks none of
// gRPC's own threads; `call` may therefore run after the handler has
// returned, on another thread: it must capture by value (the request,
// response and context pointers stay valid until the call is finished).
//
// A call may fill `response` in place and return absl::Status (for a
// method whose messages live on an arena, see arena_messages.h); the
// response is sent only if the status is OK, so a call that fails may leave
// it partly filled.
//
// A call answered from memory may send its response as bytes: with
// Response = grpc::ByteBuffer (a raw method), `call` returns a HeldWire and
// its wire form is the answer. The audit reads the held message; for a role
// with minimal fields the message is copied, minimized and serialized for
// the call instead.
//
// Overload: beyond the gatekeeper's call limit the answer is
// RESOURCE_EXHAUSTED at once. A call whose deadline has passed, or that
// the client cancelled, while it waited for a writer thread is answered
// without doing its work (DEADLINE_EXCEEDED, CANCELLED).
template <typename Response, typename Call>
grpc::ServerUnaryReactor* Serve(const Gatekeeper& gatekeeper,
                                grpc::CallbackServerContext* context,
                                const google::protobuf::Message& request,
                                Response* response, Call call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallLimiter::Permit permit;
  if (CallLimiter* limiter = gatekeeper.limiter()) {
    permit = limiter->TryAcquire();
    if (!permit) {
      reactor->Finish(ToGrpcStatus(limiter->Refusal()));
      return reactor;
    }
  }
  auto answer = [&gatekeeper, context, &request, response, reactor,
                 permit = std::move(permit), call = std::move(call)]() mutable {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                   "the client cancelled the call"));
      return;
    }
    if (context->deadline() < std::chrono::system_clock::now()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the deadline passed before the call ran"));
      return;
    }
    absl::StatusOr<CallContext> admitted = gatekeeper.Admit(*context, request);
    auto run = [&] {
      if constexpr (std::is_invocable_v<Call, const CallContext&>) {
        return call(*admitted);
      } else {
        return call();
      }
    };
    if constexpr (std::is_same_v<decltype(run()), absl::Status>) {
      absl::Status status = admitted.ok() ? run() : admitted.status();
      if (admitted.ok()) {
        if (status.ok() && admitted->who != nullptr) {
          MinimizeForRole(admitted->who->role, response);
        }
        status = gatekeeper.Audit(*admitted, request,
                                  status.ok() ? response : nullptr, status);
      }
      (void)permit;  // Held until answered.
      reactor->Finish(ToGrpcStatus(status));
    } else {
      constexpr bool kWire = std::is_same_v<Response, grpc::ByteBuffer>;
      using Result = std::conditional_t<kWire, HeldWire, Response>;
      absl::StatusOr<Result> result =
          admitted.ok() ? absl::StatusOr<Result>(run()) : admitted.status();
      absl::Status status = result.status();
      if (admitted.ok() && result.ok() && admitted->who != nullptr) {
        if constexpr (kWire) {
          if (HasMinimalFields(admitted->who->role)) {
            std::shared_ptr<google::protobuf::Message> minimal(
                result->message->New());
            minimal->CopyFrom(*result->message);
            MinimizeForRole(admitted->who->role, minimal.get());
            result = WireCache::Serialize(std::move(minimal));
          }
        } else {
          MinimizeForRole(admitted->who->role, &*result);
        }
      }
      if (admitted.ok()) {
        const google::protobuf::Message* answer = nullptr;
        if (result.ok()) {
          if constexpr (kWire) {
            answer = result->message.get();
          } else {
            answer = &*result;
          }
        }
        status = gatekeeper.Audit(*admitted, request, answer, status);
      }
      if (status.ok()) {
        if constexpr (kWire) {
          grpc::ByteBuffer wire(&result->wire, 1);
          response->Swap(&wire);
        } else {
          *response = *std::move(result);
        }
      }
      (void)permit;  // Held until answered.
      reactor->Finish(ToGrpcStatus(status));
    }
  };
  if (WorkerPool* writers = gatekeeper.WritersFor(request)) {
    writers->Run(std::move(answer));
  } else {
    answer();
  }
  return reactor;
}

// Answers a standard List call: `domain.List` gives a page of resources
// and the next page token; `add` appends an item to the response
// (e.g. [](auto& r) { return r.add_employers(); }). With `visible`, a
// predicate (const CallContext&, const Item&) -> StatusOr<bool>, items the
// caller may not see are left out of the page (pages are maxima: one may
// come back short, or empty with a next page token).
template <typename Response, typename Request, typename Domain, typename Add,
          typename Visible = std::nullptr_t>
grpc::ServerUnaryReactor* ServeList(const Gatekeeper& gatekeeper,
                                    grpc::CallbackServerContext* context,
                                    const Request* request, Response* response,
                                    Domain& domain, Add add,
                                    Visible visible = nullptr) {
  return Serve(gatekeeper, context, *request, response,
               [request, &domain, add,
                visible](const CallContext& call) -> absl::StatusOr<Response> {
                 (void)visible;  // Unused when there is no predicate.
                 std::string parent;
                 if constexpr (requires { request->parent(); }) {
                   parent = request->parent();
                 }
                 auto page =
                     domain.List(parent, request->page_size(),
                                 request->page_token(), request->filter());
                 if (!page.ok()) return page.status();
                 Response out;
                 for (auto& item : page->first) {
                   if constexpr (!std::is_same_v<Visible, std::nullptr_t>) {
                     absl::StatusOr<bool> shown = visible(call, item);
                     if (!shown.ok()) return shown.status();
                     if (!*shown) continue;
                   }
                   *add(out) = std::move(item);
                 }
                 out.set_next_page_token(page->second);
                 return out;
               });
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_HANDLER_H_
