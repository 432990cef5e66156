#include "services/common/field_mask.h"

#include <gtest/gtest.h>

#include "jobtrack/v1/track.pb.h"

namespace jobtrack {
namespace {

const absl::flat_hash_set<std::string> kUpdatable = {
    "display_name", "municipality_codes", "requirements"};

v1::Track Current() {
  v1::Track t;
  t.set_name("tracks/a");
  t.set_display_name("Old");
  t.add_municipality_codes("0180");
  t.add_municipality_codes("0114");
  t.mutable_requirements()->set_driving_licence(true);
  return t;
}

TEST(FieldMaskTest, ReplacesNamedFieldsAndRepeatedFieldsWhole) {
  v1::Track patch;
  patch.set_display_name("New");
  patch.add_municipality_codes("1480");
  google::protobuf::FieldMask mask;
  mask.add_paths("municipality_codes");
  v1::Track t = Current();
  ASSERT_TRUE(ApplyUpdateMask(patch, mask, kUpdatable, &t).ok());
  EXPECT_EQ(t.display_name(), "Old");
  ASSERT_EQ(t.municipality_codes_size(), 1);
  EXPECT_EQ(t.municipality_codes(0), "1480");
}

TEST(FieldMaskTest, EmptyMaskTakesPopulatedFieldsStarTakesAll) {
  v1::Track patch;
  patch.set_display_name("New");
  v1::Track t = Current();
  ASSERT_TRUE(ApplyUpdateMask(patch, {}, kUpdatable, &t).ok());
  EXPECT_EQ(t.display_name(), "New");
  EXPECT_EQ(t.municipality_codes_size(), 2);
  google::protobuf::FieldMask star;
  star.add_paths("*");
  ASSERT_TRUE(ApplyUpdateMask(patch, star, kUpdatable, &t).ok());
  EXPECT_EQ(t.municipality_codes_size(), 0);
  EXPECT_FALSE(t.has_requirements());
}

TEST(FieldMaskTest, SubFieldPathUpdatesOnlyThatSubField) {
  v1::Track patch;
  patch.mutable_requirements()->set_min_swedish_level(v1::SWEDISH_B1);
  google::protobuf::FieldMask mask;
  mask.add_paths("requirements.min_swedish_level");
  v1::Track t = Current();
  ASSERT_TRUE(ApplyUpdateMask(patch, mask, kUpdatable, &t).ok());
  EXPECT_EQ(t.requirements().min_swedish_level(), v1::SWEDISH_B1);
  EXPECT_TRUE(t.requirements().driving_licence());
}

TEST(FieldMaskTest, UnknownOrProtectedPathsAreRejectedAndNothingChanges) {
  for (const char* path :
       {"name", "etag", "no_such_field", "requirements.nope"}) {
    google::protobuf::FieldMask mask;
    mask.add_paths(path);
    v1::Track patch;
    patch.set_name("tracks/b");
    v1::Track t = Current();
    absl::Status s = ApplyUpdateMask(patch, mask, kUpdatable, &t);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_NE(s.message().find("update_mask"), absl::string_view::npos);
    EXPECT_EQ(t.name(), "tracks/a");
  }
}

}  // namespace
}  // namespace jobtrack
