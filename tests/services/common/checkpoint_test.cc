#include "services/common/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "tests/support/test_env.h"

namespace jobtrack {
namespace {

// A body of `strings` strings of 1000 bytes each between two numbers: at
// 9 000 of them it spans three 4 MiB chunks, and items straddle the
// chunks' ends.
std::string Body(int strings) {
  CheckpointWriter out;
  out.U32(static_cast<uint32_t>(strings));
  for (int i = 0; i < strings; ++i) {
    out.U16(static_cast<uint16_t>(i));
    out.String(std::string(1000, static_cast<char>('a' + i % 26)));
    out.U64(uint64_t{0x0102030405060708} + static_cast<uint64_t>(i));
  }
  return std::move(out.body());
}

// Reads Body back; whether every value is as written and nothing is left.
bool ReadsBack(CheckpointReader& in) {
  uint32_t n = 0;
  if (!in.U32(n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    uint16_t index = 0;
    absl::string_view s;
    uint64_t tail = 0;
    if (!in.U16(index) || index != static_cast<uint16_t>(i)) return false;
    if (!in.String(s) ||
        s != std::string(1000, static_cast<char>('a' + i % 26))) {
      return false;
    }
    if (!in.U64(tail) || tail != uint64_t{0x0102030405060708} + i) return false;
  }
  return in.done();
}

class CheckpointTest : public ::testing::Test {
 protected:
  testing::TestEnv env_;
};

TEST_F(CheckpointTest, AStreamedBodyReadsBackAcrossChunkEnds) {
  const std::string body = Body(9000);
  ASSERT_GT(body.size(), size_t{8} << 20);
  ASSERT_TRUE(SaveCheckpoint(env_.storage(), "test", 7, 42, body).ok());
  auto stream = StreamCheckpoint(env_.storage(), "test");
  ASSERT_TRUE(stream.ok() && stream->has_value()) << stream.status();
  EXPECT_EQ((*stream)->version, 7u);
  EXPECT_EQ((*stream)->through, 42u);
  EXPECT_TRUE((*stream)->current);
  EXPECT_EQ((*stream)->body->remaining(), body.size());
  EXPECT_TRUE(ReadsBack(*(*stream)->body));
  EXPECT_TRUE((*stream)->body->status().ok());
  // Past the end, a read fails.
  uint8_t more = 0;
  EXPECT_FALSE((*stream)->body->U8(more));
  // The same body, held whole.
  auto whole = LoadCheckpoint(env_.storage(), "test");
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_EQ(std::string((*whole)->body.data(), (*whole)->body.size()), body);
}

TEST_F(CheckpointTest, ACountPastWhatIsStoredIsRefusedBeforeAnyChunkIsRead) {
  ASSERT_TRUE(SaveCheckpoint(env_.storage(), "test", 1, 1, Body(9000)).ok());
  auto stream = StreamCheckpoint(env_.storage(), "test");
  ASSERT_TRUE(stream.ok() && stream->has_value());
  CheckpointReader& in = *(*stream)->body;
  EXPECT_TRUE(in.CanHold(9000, 1000));
  EXPECT_FALSE(in.CanHold(9000, 2000));
  absl::string_view huge;
  EXPECT_FALSE(in.Bytes(size_t{64} << 20, huge));
  EXPECT_TRUE(in.status().ok()) << "refused by size, not by a failed read";
}

TEST_F(CheckpointTest, AMissingChunkIsDataLoss) {
  ASSERT_TRUE(SaveCheckpoint(env_.storage(), "test", 1, 1, Body(9000)).ok());
  {
    auto txn = env_.storage().Begin();
    ASSERT_TRUE(txn->Delete(storage::Column::kMeta, "test/chunk/000001").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto stream = StreamCheckpoint(env_.storage(), "test");
  ASSERT_TRUE(stream.ok() && stream->has_value());
  EXPECT_FALSE(ReadsBack(*(*stream)->body));
  EXPECT_EQ((*stream)->body->status().code(), absl::StatusCode::kDataLoss)
      << (*stream)->body->status();
  EXPECT_EQ(LoadCheckpoint(env_.storage(), "test").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(CheckpointTest, AChunkLongerThanTheHeaderSaysIsDataLoss) {
  ASSERT_TRUE(SaveCheckpoint(env_.storage(), "test", 1, 1, Body(10)).ok());
  {
    auto txn = env_.storage().Begin();
    ASSERT_TRUE(
        txn->Put(storage::Column::kMeta, "test/chunk/000000", Body(11)).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto stream = StreamCheckpoint(env_.storage(), "test");
  ASSERT_TRUE(stream.ok() && stream->has_value());
  EXPECT_FALSE(ReadsBack(*(*stream)->body));
  EXPECT_EQ((*stream)->body->status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE((*stream)->current) << "written to since";
}

TEST_F(CheckpointTest, NoCheckpointIsNotAnError) {
  auto stream = StreamCheckpoint(env_.storage(), "none");
  ASSERT_TRUE(stream.ok());
  EXPECT_FALSE(stream->has_value());
}

}  // namespace
}  // namespace jobtrack
