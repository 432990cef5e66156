#include "services/common/huge_page_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace jobtrack {
namespace {

TEST(HugePageAllocatorTest, VectorsKeepTheirElementsAcrossGrowthPastTwoMiB) {
  HugeVector<uint64_t> v;
  // Small at first (operator new), then in mappings of their own.
  for (uint64_t i = 0; i < 1'000'000; ++i) v.push_back(i * 3);
  for (uint64_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], i * 3);
  HugeVector<uint64_t> moved = std::move(v);
  EXPECT_EQ(moved.size(), 1'000'000u);
  moved.resize(10);
  moved.shrink_to_fit();
  EXPECT_EQ(moved[9], 27u);
}

TEST(HugePageAllocatorTest, StringsAppendAndCompareLikeAnyOther) {
  HugeString s;
  s.reserve(size_t{3} << 20);
  for (int i = 0; i < 300'000; ++i) s.append("0123456789");
  EXPECT_EQ(s.size(), 3'000'000u);
  EXPECT_EQ(s.substr(10, 10), "0123456789");
}

}  // namespace
}  // namespace jobtrack
