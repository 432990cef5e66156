#include "services/followup/distinct_persons.h"

#include <gtest/gtest.h>

namespace jobtrack {
namespace {

TEST(PersonMarksTest, CountsEachPersonOnceWithTheLastGenderMarked) {
  PersonMarks marks;
  EXPECT_EQ(marks.Total(), 0);
  marks.Mark(7, v1::FEMALE);
  marks.Mark(7, v1::FEMALE);
  marks.Mark(100000, v1::MALE);
  marks.Mark(3, v1::GENDER_UNSPECIFIED);
  EXPECT_EQ(marks.Total(), 3);
  EXPECT_EQ(marks.Count(v1::FEMALE), 1);
  EXPECT_EQ(marks.Count(v1::MALE), 1);
  EXPECT_EQ(marks.Count(v1::GENDER_UNSPECIFIED), 1);
}

TEST(PersonTrackSetTest, APairIsNewOnceBeyondTheInlineSlotsToo) {
  PersonTrackSet set;
  // Five tracks for one person: three inline, two in the overflow.
  for (uint32_t track = 0; track < 5; ++track) {
    EXPECT_TRUE(set.Insert(42, track)) << track;
  }
  for (uint32_t track = 0; track < 5; ++track) {
    EXPECT_FALSE(set.Insert(42, track)) << track;
  }
  // Other persons are separate, including the one with id 0 and track 0.
  EXPECT_TRUE(set.Insert(0, 0));
  EXPECT_TRUE(set.Insert(43, 4));
  EXPECT_FALSE(set.Insert(43, 4));
}

TEST(PersonTrackSetTest, SizedForThePersonsItAnswersTheSameAndGrowsBeyond) {
  // A million persons: the slots are a mapping of their own (12 MB).
  PersonTrackSet set;
  set.Reset(1'000'000);
  PersonMarks marks;
  marks.Reset(1'000'000);
  EXPECT_EQ(marks.Total(), 0);
  EXPECT_TRUE(set.Insert(0, 0));
  EXPECT_FALSE(set.Insert(0, 0));
  EXPECT_TRUE(set.Insert(999'999, 7));
  EXPECT_FALSE(set.Insert(999'999, 7));
  // The highest track id a FactNames can hold.
  EXPECT_TRUE(set.Insert(5, UINT32_MAX - 1));
  EXPECT_FALSE(set.Insert(5, UINT32_MAX - 1));
  EXPECT_TRUE(set.Insert(5, 0));
  // A person past the size it was given.
  EXPECT_TRUE(set.Insert(2'500'000, 1));
  EXPECT_FALSE(set.Insert(2'500'000, 1));
  marks.Mark(999'999, v1::FEMALE);
  marks.Mark(2'500'000, v1::MALE);
  EXPECT_EQ(marks.Total(), 2);
  EXPECT_EQ(marks.Count(v1::MALE), 1);
}

TEST(PassScratchTest, ResetForgetsEveryPersonOfTheLastPass) {
  PassScratch scratch;
  scratch.Reset(100);
  EXPECT_TRUE(scratch.started_tracks.Insert(7, 3));
  for (uint32_t track = 0; track < 5; ++track) {
    scratch.started_tracks.Insert(8, track);  // Two in the overflow.
  }
  scratch.active.Mark(7, v1::FEMALE);
  scratch.started_since.Mark(150, v1::MALE);
  scratch.Reset(50);
  EXPECT_EQ(scratch.active.Total(), 0);
  EXPECT_EQ(scratch.started_since.Total(), 0);
  EXPECT_TRUE(scratch.started_tracks.Insert(7, 3));
  EXPECT_TRUE(scratch.started_tracks.Insert(8, 4));
}

TEST(PassScratchPoolTest, KeepsWhatPassesGaveBackUpToItsLimit) {
  PassScratchPool pool(/*kept=*/1);
  PassScratch* first = nullptr;
  {
    PassScratchPool::Handle a = pool.Take();
    PassScratchPool::Handle b = pool.Take();
    EXPECT_NE(a.get(), b.get());  // Passes at once get their own.
    first = a.get();
    a.reset();  // Kept.
    // b is freed: one is kept.
  }
  PassScratchPool::Handle again = pool.Take();
  EXPECT_EQ(again.get(), first);
  PassScratchPool::Handle other = pool.Take();
  EXPECT_NE(other.get(), first);
}

}  // namespace
}  // namespace jobtrack
