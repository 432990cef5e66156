// ArenaMessages: a gRPC message allocator that puts a unary callback
// method's request and response on one protobuf Arena, which starts in a
// block inside the call's holder.
//
// For methods whose answers are many small messages (ProposeTracks: ten
// proposals of eight explained factors each): building them then bumps a
// pointer instead of calling malloc for each message, and freeing the
// answer after it was sent is one free of the holder (and of any further
// block the arena took), instead of a walk that frees every message.
// Strings longer than the standard library's inline buffer still own heap
// memory, which the arena frees with them.
//
// Register it with the generated SetMessageAllocatorFor_<Method>. The
// handler then gets messages that live on the arena, so it must fill its
// response in place (Serve with a call that returns absl::Status): a
// response built apart and moved in would be copied, message by message.
//
// Thread safety: AllocateMessages may be called from many threads; each
// holder belongs to one call. The allocator must outlive the server.
#ifndef JOBTRACK_SERVICES_COMMON_ARENA_MESSAGES_H_
#define JOBTRACK_SERVICES_COMMON_ARENA_MESSAGES_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>

namespace jobtrack {

// kInitialBlockBytes: the block inside each holder, sized to hold a
// typical call's request and response, so that most calls take no other.
template <typename Request, typename Response, size_t kInitialBlockBytes>
class ArenaMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options(initial_block_)) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    // gRPC calls it once the response has been sent (or the call failed).
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* block) {
      google::protobuf::ArenaOptions options;
      options.initial_block = block;
      options.initial_block_size = kInitialBlockBytes;
      return options;
    }

    // Declared before the arena, which uses it until it is destroyed.
    alignas(alignof(std::max_align_t)) char initial_block_[kInitialBlockBytes];
    google::protobuf::Arena arena_;
  };
};

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_ARENA_MESSAGES_H_
