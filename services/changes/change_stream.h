// One WatchChanges stream: a server write reactor that sends the event log
// from a position on, filtered by scope, then follows new commits.
//
// Memory is bounded per stream (one batch of events); a slow reader only
// falls behind in the stored log. A thread per stream waits for new commits
// (Storage::WaitForSequence), so no gRPC thread ever blocks.
#ifndef JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_
#define JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "jobtrack/v1/change_service.pb.h"
#include "services/common/deps.h"

namespace jobtrack {

// Which events a stream delivers.
struct ChangeFilter {
  absl::flat_hash_set<std::string> municipalities;  // Empty: all.
  std::string supplier;                             // Empty: all.
};

class ChangeStream : public grpc::ServerWriteReactor<v1::Event> {
 public:
  // Starts sending at once. Deletes itself when the call is done.
  ChangeStream(Deps deps, ChangeFilter filter, uint64_t after_sequence);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  void Run();
  // Sends `event` and waits until the write is done; false if the call
  // ended.
  bool Send(const v1::Event& event);

  const Deps deps_;
  const ChangeFilter filter_;
  uint64_t position_;

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  v1::Event pending_;  // The event being written.
  std::thread thread_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_CHANGES_CHANGE_STREAM_H_
