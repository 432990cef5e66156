// WorkerPool: a fixed set of threads that run queued tasks in FIFO order.
//
// Why it exists: gRPC's callback API runs handlers on a few shared threads
// (two on this machine). A handler that waits there for its WAL sync holds
// back every other call, and no two commits ever wait on one sync. Calls
// that write durably run here instead, so that as many commits as there are
// threads can share one sync (group commit; see storage::Transaction::Commit).
//
// Contract:
// - Thread safety: Run may be called from any thread.
// - Tasks run in the order queued, each on one of the pool's threads; a
//   task must not wait for a task queued after it.
// - Destruction runs every task already queued, then joins the threads.
#ifndef JOBTRACK_SERVICES_COMMON_WORKER_POOL_H_
#define JOBTRACK_SERVICES_COMMON_WORKER_POOL_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace jobtrack {

class WorkerPool {
 public:
  // Starts `threads` threads (at least one).
  explicit WorkerPool(int threads);
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Run(absl::AnyInvocable<void() &&> task);

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_WORKER_POOL_H_
