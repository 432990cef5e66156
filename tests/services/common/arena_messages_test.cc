#include "services/common/arena_messages.h"

#include <google/protobuf/arena.h>
#include <gtest/gtest.h>

#include <string>

#include "jobtrack/v1/matching.pb.h"

namespace jobtrack {
namespace {

using Messages = ArenaMessages<v1::ProposeTracksRequest,
                               v1::ProposeTracksResponse, 32 << 10>;

// What the service's answer holds at most: ten proposals of eight factors,
// with names and reasons as long as Explain writes them.
void FillLikeTenExplainedProposals(v1::ProposeTracksResponse* response) {
  for (int i = 0; i < 10; ++i) {
    v1::Proposal* p = response->add_proposals();
    p->set_track("tracks/4f1c2a9e7b3d4e6f8a0b");
    p->set_intake("tracks/4f1c2a9e7b3d4e6f8a0b/intakes/9d8c7b6a5f4e3d2c");
    p->set_participant("participants/1a2b3c4d5e6f7a8b9c0d");
    p->set_score(7.25);
    for (int f = 0; f < 8; ++f) {
      v1::FactorContribution* c = p->add_factors();
      c->set_factor("plan_length");
      c->set_weight(1.5);
      c->set_value(0.5);
      c->set_contribution(0.75);
      c->set_reason("interest in SSYK 5321 shares 4 of 4 digits with 5321");
    }
  }
}

TEST(ArenaMessagesTest, PutsRequestAndResponseOnOneArenaThatTheHolderFrees) {
  Messages messages;
  grpc::MessageHolder<v1::ProposeTracksRequest, v1::ProposeTracksResponse>*
      holder = messages.AllocateMessages();
  google::protobuf::Arena* arena = holder->request()->GetArena();
  ASSERT_NE(arena, nullptr);
  EXPECT_EQ(holder->response()->GetArena(), arena);
  holder->request()->set_participant("participants/1a2b3c4d5e6f7a8b9c0d");
  FillLikeTenExplainedProposals(holder->response());
  EXPECT_EQ(holder->response()->proposals(9).factors(7).GetArena(), arena);
  // The holder's own block takes a whole answer: no other block is taken.
  EXPECT_EQ(arena->SpaceAllocated(), size_t{32 << 10})
      << "used " << arena->SpaceUsed();
  // Frees the arena, and the reasons' heap memory with it (the sanitizer
  // run would report a leak or a double free).
  holder->Release();
}

TEST(ArenaMessagesTest, EachCallGetsMessagesOfItsOwn) {
  Messages messages;
  auto* first = messages.AllocateMessages();
  auto* second = messages.AllocateMessages();
  EXPECT_NE(first->response()->GetArena(), second->response()->GetArena());
  first->response()->add_proposals()->set_track("tracks/a");
  EXPECT_EQ(second->response()->proposals_size(), 0);
  first->Release();
  second->Release();
}

}  // namespace
}  // namespace jobtrack
