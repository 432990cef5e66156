#include "services/common/wire_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "jobtrack/v1/track.pb.h"

namespace jobtrack {
namespace {

// Messages longer than a slice's inline bytes (23), so that the same buffer
// can be told from a copy by its address.
std::shared_ptr<const v1::Track> Track(const std::string& display_name) {
  auto track = std::make_shared<v1::Track>();
  track->set_name("tracks/t1");
  track->set_display_name(display_name);
  track->add_municipality_codes("0180");
  return track;
}

TEST(WireCacheTest, SerializesAVersionOnceAndSendsTheSameBytesAfter) {
  WireCache cache;
  std::shared_ptr<const v1::Track> v1 = Track("Undersköterska");
  HeldWire first = cache.Get("tracks/t1", v1);
  EXPECT_EQ(first.bytes(), v1->SerializeAsString());
  EXPECT_EQ(first.message, v1);
  HeldWire again = cache.Get("tracks/t1", v1);
  // The same buffer, not a new serialization.
  EXPECT_EQ(again.wire.begin(), first.wire.begin());
}

TEST(WireCacheTest, ANewVersionOfTheMessageGetsItsOwnBytes) {
  WireCache cache;
  std::shared_ptr<const v1::Track> v1 = Track("Undersköterska");
  const HeldWire first = cache.Get("tracks/t1", v1);
  // An equal message in another object is another version: the identity,
  // not the content, decides (a held view never changes in place).
  std::shared_ptr<const v1::Track> v2 = Track("Undersköterska, natt");
  HeldWire second = cache.Get("tracks/t1", v2);
  EXPECT_EQ(second.bytes(), v2->SerializeAsString());
  EXPECT_EQ(second.message, v2);
  // What an earlier caller holds stays valid and unchanged.
  EXPECT_EQ(first.bytes(), v1->SerializeAsString());
  // An older version asked for again is answered as itself.
  EXPECT_EQ(cache.Get("tracks/t1", v1).bytes(), v1->SerializeAsString());
}

TEST(WireCacheTest, NamesAreCachedApart) {
  WireCache cache;
  std::shared_ptr<const v1::Track> a = Track("Anläggningsarbetare");
  auto b = std::make_shared<v1::Track>(*a);
  b->set_name("tracks/t2");
  const HeldWire held_a = cache.Get("tracks/t1", a);
  EXPECT_EQ(cache.Get("tracks/t2", b).bytes(), b->SerializeAsString());
  EXPECT_EQ(cache.Get("tracks/t1", a).wire.begin(), held_a.wire.begin());
}

TEST(WireCacheTest, ManyThreadsGetTheBytesOfTheVersionTheyAsked) {
  WireCache cache;
  std::vector<std::shared_ptr<const v1::Track>> versions;
  for (int i = 0; i < 8; ++i) versions.push_back(Track(std::to_string(i)));
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto& version = versions[(i + t) % versions.size()];
        if (cache.Get("tracks/t1", version).bytes() !=
            version->SerializeAsString()) {
          ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace jobtrack
