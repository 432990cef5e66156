// NameIds: dense ids (0, 1, 2, ...) for resource names, in the order they
// were first added, held compactly: all names in one buffer and a hash set
// of 4-byte ids that looks names up through it. Where a hash map from
// std::string would cost a heap block and a 40-byte slot per name (≈ 90
// bytes for "participations/" and a 16-letter id), this costs the name's
// bytes and about 10 — which matters for millions of participations held
// in memory.
//
// Thread safety: none; the owner synchronizes. Not copyable or movable (the
// set's hasher points at the object).
#ifndef JOBTRACK_SERVICES_COMMON_NAME_IDS_H_
#define JOBTRACK_SERVICES_COMMON_NAME_IDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "services/common/huge_page_allocator.h"

namespace jobtrack {

class NameIds {
 public:
  NameIds() : ids_(0, Hash{this}, Equal{this}) {}
  NameIds(const NameIds&) = delete;
  NameIds& operator=(const NameIds&) = delete;

  // The id of `name`, and whether it was added (as the next id) now.
  std::pair<uint32_t, bool> Insert(absl::string_view name) {
    bool added = false;
    // One hash of the name whether it is found or added (millions are
    // added at start-up).
    auto it = ids_.lazy_emplace(name, [&](const auto& construct) {
      const uint32_t id = static_cast<uint32_t>(size());
      bytes_.append(name.data(), name.size());
      ends_.push_back(bytes_.size());
      construct(id);
      added = true;
    });
    return {*it, added};
  }
  // Adds `name` as the next id without indexing it: a bulk load of names
  // known to differ, or checked by Index() before the next Insert or Find.
  void AppendUnindexed(absl::string_view name) {
    bytes_.append(name.data(), name.size());
    ends_.push_back(bytes_.size());
  }
  // Indexes every name (after AppendUnindexed); false if a name repeats
  // (the index then finds its first id). Insert and Find need it done.
  bool Index();

  // The same in two steps, so that the long one can run while others read
  // the names: BuildIndex only reads (it may share the object with other
  // readers), and Adopt puts its result in place. If names were added in
  // between (or `built` is another object's), Adopt indexes them all again
  // instead.
  class Built;
  Built BuildIndex() const;
  bool Adopt(Built built);
  std::optional<uint32_t> Find(absl::string_view name) const {
    auto it = ids_.find(name);
    if (it == ids_.end()) return std::nullopt;
    return *it;
  }
  // The name of `id` (< size()); valid until the next Insert.
  absl::string_view Name(uint32_t id) const {
    const size_t begin = id == 0 ? 0 : ends_[id - 1];
    return absl::string_view(bytes_).substr(begin, ends_[id] - begin);
  }
  size_t size() const { return ends_.size(); }
  // Room for `names` names of `bytes` bytes in all.
  void reserve(size_t names, size_t bytes) {
    ends_.reserve(names);
    bytes_.reserve(bytes);
    ids_.reserve(names);
  }
  void clear() {
    ids_.clear();
    ends_.clear();
    bytes_.clear();
  }

 private:
  // Hash and equality over ids and names alike (heterogeneous lookup).
  struct Hash {
    using is_transparent = void;
    const NameIds* self;
    size_t operator()(uint32_t id) const { return (*this)(self->Name(id)); }
    size_t operator()(absl::string_view name) const {
      return absl::Hash<absl::string_view>{}(name);
    }
  };
  struct Equal {
    using is_transparent = void;
    const NameIds* self;
    absl::string_view NameOf(uint32_t id) const { return self->Name(id); }
    absl::string_view NameOf(absl::string_view name) const { return name; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return NameOf(a) == NameOf(b);
    }
  };

  using IdSet =
      absl::flat_hash_set<uint32_t, Hash, Equal, HugePageAllocator<uint32_t>>;

  // Millions of names in the report projection: in huge pages.
  HugeString bytes_;
  // Where each name ends in bytes_.
  HugeVector<size_t> ends_;
  IdSet ids_;
};

// An index of the names BuildIndex saw, for Adopt.
class NameIds::Built {
 private:
  friend class NameIds;
  Built(const NameIds* of, size_t names, IdSet ids, bool unique)
      : of_(of), names_(names), ids_(std::move(ids)), unique_(unique) {}

  const NameIds* of_;
  size_t names_;
  IdSet ids_;
  bool unique_;
};

inline NameIds::Built NameIds::BuildIndex() const {
  IdSet ids(0, Hash{this}, Equal{this});
  ids.reserve(size());
  bool unique = true;
  for (uint32_t id = 0; id < size(); ++id) unique &= ids.insert(id).second;
  return Built(this, size(), std::move(ids), unique);
}

inline bool NameIds::Index() { return Adopt(BuildIndex()); }

inline bool NameIds::Adopt(Built built) {
  if (built.of_ != this || built.names_ != size()) return Index();
  ids_ = std::move(built.ids_);
  return built.unique_;
}

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_NAME_IDS_H_
