// ProducerStream: a gRPC server-streaming reactor fed by a producer that
// runs on its own thread and sends one message at a time.
//
// Contract:
// - Memory is bounded: `send` blocks until the previous message is written,
//   so at most one message is in flight; a slow reader slows the producer.
// - `send` returns false once the call has ended (cancelled, or the client
//   went away); the producer should then return promptly. Its status is
//   ignored in that case.
// - When the producer returns, the call finishes with its status, mapped by
//   ToGrpcStatus. No gRPC thread ever blocks.
// - The reactor deletes itself when the call is done.
#ifndef JOBTRACK_SERVICES_COMMON_PRODUCER_STREAM_H_
#define JOBTRACK_SERVICES_COMMON_PRODUCER_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/common/grpc_status.h"

namespace jobtrack {

// Where a producer sends its messages.
template <typename Message>
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Sends `message` and waits until it is written; false if the call has
  // ended.
  virtual bool Send(const Message& message) = 0;
  // Whether the call has ended: a producer that waits for data polls it.
  virtual bool Ended() = 0;
};

template <typename Message>
class ProducerStream : public grpc::ServerWriteReactor<Message>,
                       private StreamSink<Message> {
 public:
  using Producer = std::function<absl::Status(StreamSink<Message>& sink)>;

  // Starts producing at once.
  explicit ProducerStream(Producer produce) : produce_(std::move(produce)) {
    // Run() takes mu_ first, so thread_ is set before anything can end.
    absl::MutexLock lock(&mu_);
    thread_ = std::thread([this] { Run(); });
  }

  // A stream that fails at once with `status` (a refused request).
  static ProducerStream* Refuse(absl::Status status) {
    return new ProducerStream(
        [status = std::move(status)](StreamSink<Message>&) { return status; });
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) ended_ = true;
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }

  void OnDone() override {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
    delete this;
  }

 private:
  bool Send(const Message& message) override {
    {
      absl::MutexLock lock(&mu_);
      if (ended_) return false;
      pending_ = message;
      writing_ = true;
    }
    this->StartWrite(&pending_);
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ProducerStream* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !s->writing_ || s->ended_;
        },
        this));
    return !ended_;
  }

  bool Ended() override {
    absl::MutexLock lock(&mu_);
    return ended_;
  }

  void Run() {
    { absl::MutexLock lock(&mu_); }
    const absl::Status status = produce_(*this);
    // Nothing touches `this` after Finish: OnDone may delete it at once.
    this->Finish(ToGrpcStatus(status));
  }

  const Producer produce_;
  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  Message pending_;  // The message being written.
  std::thread thread_;
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_PRODUCER_STREAM_H_
