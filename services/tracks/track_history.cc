#include "services/tracks/track_history.h"

#include "google/protobuf/util/message_differencer.h"
#include "services/common/resource.h"
#include "services/common/validation.h"

namespace jobtrack {
namespace {

template <typename Repeated>
bool SameList(const Repeated& a, const Repeated& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

std::vector<std::string> ChangedDatedFields(const v1::Track* before,
                                            const v1::Track& t) {
  std::vector<std::string> changed;
  if (!before || before->status() != t.status()) changed.push_back("status");
  if (!before || before->kind() != t.kind()) changed.push_back("kind");
  if (!before || before->sni_code() != t.sni_code())
    changed.push_back("sni_code");
  if (!before ||
      !SameList(before->municipality_codes(), t.municipality_codes())) {
    changed.push_back("municipality_codes");
  }
  if (!before || !SameList(before->employers(), t.employers())) {
    changed.push_back("employers");
  }
  if (!before || before->chain().version() != t.chain().version()) {
    changed.push_back("chain");
  }
  return changed;
}

void AppendRevision(v1::Track& t, absl::CivilDay effective, absl::Time recorded,
                    std::vector<std::string> changed) {
  v1::Track::Revision* r = t.add_history();
  r->set_revision(t.history_size());
  *r->mutable_effective_date() = ToDate(effective);
  *r->mutable_record_time() = ToTimestamp(recorded);
  for (std::string& field : changed) r->add_changed_fields(std::move(field));
  r->set_status(t.status());
  r->set_kind(t.kind());
  r->set_sni_code(t.sni_code());
  *r->mutable_municipality_codes() = t.municipality_codes();
  *r->mutable_employers() = t.employers();
  r->set_chain_version(t.chain().version());
}

const v1::Track::Revision* RevisionInForce(const v1::Track& track,
                                           absl::CivilDay day) {
  const v1::Track::Revision* found = nullptr;
  for (const v1::Track::Revision& r : track.history()) {
    std::optional<absl::CivilDay> effective = ToCivilDay(r.effective_date());
    if (!effective || *effective > day) break;
    found = &r;
  }
  return found;
}

std::optional<v1::Track::Revision> RevisionAsOf(const v1::Track& track,
                                                absl::CivilDay day) {
  const v1::Track::Revision* found = RevisionInForce(track, day);
  if (found == nullptr) return std::nullopt;
  return *found;
}

}  // namespace jobtrack
