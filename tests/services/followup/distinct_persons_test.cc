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

}  // namespace
}  // namespace jobtrack
