// Gatekeeper: admits a call or refuses it, in one place, before its
// handler reads anything (ruling 9.6): who calls (authentication, from the
// `authorization: Bearer <token>` header or a verified client
// certificate) and whether that principal may call the method
// (AccessPolicy). It also keeps the audit log of the calls it admits or
// refuses (AuditLog).
//
// Thread safety: immutable after construction; Admit may be called from
// many threads.
#ifndef JOBTRACK_SERVICES_SECURITY_GATEKEEPER_H_
#define JOBTRACK_SERVICES_SECURITY_GATEKEEPER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "services/audit/audit_log.h"
#include "services/common/mutation.h"
#include "services/security/principal_registry.h"
#include "storage/storage.h"

namespace jobtrack {

class CallLimiter;
class WorkerPool;

class Gatekeeper {
 public:
  // Callers authenticate against `registry`; scopes are read from
  // `storage`; calls are audited in `audit` (none if null). All must
  // outlive this.
  Gatekeeper(const PrincipalRegistry* registry, storage::Storage* storage,
             const AuditLog* audit = nullptr);

  // Every call is made by "local-developer", an ADMIN. Only for plaintext
  // serving on loopback without a principals file (the quick start) and
  // for in-process tests.
  static std::unique_ptr<Gatekeeper> LocalDevelopment(
      const AuditLog* audit = nullptr);

  // The context of a call of the method that takes `request` (every
  // request message is named after its method: GetTrackRequest →
  // GetTrack): UNAUTHENTICATED without valid credentials,
  // PERMISSION_DENIED if the principal's role may not call the method or,
  // for a scoped role, if a resource the request names is outside its
  // scope — or does not exist: the answer is the same either way, so
  // existence does not leak. A refusal of an authenticated caller is
  // audited; an admitted call of a method with personal data carries the
  // audit log in its context (CallContext::audit).
  absl::StatusOr<CallContext> Admit(
      const grpc::ServerContextBase& context,
      const google::protobuf::Message& request) const;

  // Audits how an admitted call ended (with `response` if it succeeded):
  // a call with personal data unless its entry was committed with its
  // writes, and any call refused with PERMISSION_DENIED after admission (a
  // scope narrowed by the handler).
  // Returns `result`, or the audit log's error when the entry cannot be
  // written: then the call must answer that error, not its data.
  absl::Status Audit(const CallContext& call,
                     const google::protobuf::Message& request,
                     const google::protobuf::Message* response,
                     absl::Status result) const;

  // Whether the caller reaches the resource `name` (participants/…,
  // participations/…): always for ADMIN; a scoped role by its scope. For
  // lists, which leave out what the caller may not see.
  absl::StatusOr<bool> Reaches(const CallContext& call,
                               absl::string_view name) const;

  // `status` as the caller may see it: an ALREADY_EXISTS that names a
  // participant the caller does not reach (a duplicate personnummer) loses
  // the name (ruling 9.4). Everything else is returned unchanged.
  absl::Status Redact(const CallContext& call, absl::Status status) const;

  // The method a request message belongs to.
  static std::string MethodOf(const google::protobuf::Message& request);

  // Calls that write (their request has a request_id) are answered on
  // `writers` (see Serve in handler.h); null, the default: on gRPC's
  // thread. Set before serving; `writers` must outlive the calls.
  void RunWritesOn(WorkerPool* writers) { writers_ = writers; }
  // The pool to answer `request` on, or null for the calling thread.
  WorkerPool* WritersFor(const google::protobuf::Message& request) const;

  // Unary calls beyond `limiter`'s bound are refused with
  // RESOURCE_EXHAUSTED before anything else (see Serve); null, the
  // default: no bound. Set before serving; must outlive the calls.
  void LimitCallsWith(CallLimiter* limiter) { limiter_ = limiter; }
  CallLimiter* limiter() const { return limiter_; }

 private:
  Gatekeeper(const PrincipalRegistry* registry, storage::Storage* storage,
             const AuditLog* audit, std::shared_ptr<const Principal> everyone);
  absl::Status CheckScope(const Principal& principal, absl::string_view method,
                          const google::protobuf::Message& request) const;

  const PrincipalRegistry* const registry_;
  storage::Storage* const storage_;
  const AuditLog* const audit_;
  // LocalDevelopment's principal; null otherwise.
  const std::shared_ptr<const Principal> everyone_;
  WorkerPool* writers_ = nullptr;
  CallLimiter* limiter_ = nullptr;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_SECURITY_GATEKEEPER_H_
