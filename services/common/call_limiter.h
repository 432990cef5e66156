// CallLimiter: a bound on the unary calls a server works on at once, so
// that overload is answered at once with RESOURCE_EXHAUSTED (the client
// backs off and retries) instead of queueing without end, growing memory
// and answering everything too late.
//
// Contract:
// - Thread-safe. TryAcquire never blocks.
// - A Permit is held from admission until the call is answered; its
//   destructor gives the slot back. Permits are movable, not copyable.
#ifndef JOBTRACK_SERVICES_COMMON_CALL_LIMITER_H_
#define JOBTRACK_SERVICES_COMMON_CALL_LIMITER_H_

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"

namespace jobtrack {

class CallLimiter {
 public:
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept : limiter_(other.limiter_) {
      other.limiter_ = nullptr;
    }
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        Release();
        limiter_ = other.limiter_;
        other.limiter_ = nullptr;
      }
      return *this;
    }
    ~Permit() { Release(); }
    explicit operator bool() const { return limiter_ != nullptr; }

   private:
    friend class CallLimiter;
    explicit Permit(CallLimiter* limiter) : limiter_(limiter) {}
    void Release() {
      if (limiter_ != nullptr) limiter_->in_flight_.fetch_sub(1);
      limiter_ = nullptr;
    }
    CallLimiter* limiter_ = nullptr;
  };

  // At most `max_in_flight` (≥ 1) permits at once.
  explicit CallLimiter(int max_in_flight) : max_(max_in_flight) {}

  // A permit, or an empty one (false) if `max_in_flight` are out.
  Permit TryAcquire() {
    if (in_flight_.fetch_add(1) >= max_) {
      in_flight_.fetch_sub(1);
      refused_.fetch_add(1, std::memory_order_relaxed);
      return Permit();
    }
    return Permit(this);
  }

  // The answer to a call that got no permit.
  absl::Status Refusal() const {
    return absl::ResourceExhaustedError(
        "the server is at its limit of calls in progress; retry with "
        "backoff");
  }

  int in_flight() const { return in_flight_.load(); }
  // Calls refused since start.
  int64_t refused() const { return refused_.load(); }

 private:
  const int max_;
  std::atomic<int> in_flight_{0};
  std::atomic<int64_t> refused_{0};
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_CALL_LIMITER_H_
